"""Profile fetches that flow: a bounded number always in flight, each answer handed back as it comes.

A step no longer waits for the slowest profile of a page before storing the others: the engine
submits candidates while fewer than ``concurrency`` fetches are in flight, collects whatever has
arrived, stores it in small commits, and reads the next search page while fetches are still
running. This module only moves fetches; it touches no database.

``PageLedger`` keeps the checkpoint exact under that overlap: a page's checkpoint becomes the
resume point only once every creator taken from it, and from every page before it, is resolved
(stored, or given up). A step killed at any moment therefore resumes from a page whose creators
are either stored (and filtered out as already found) or not yet fetched: none is lost, none is
counted twice.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from .enrichment import ProfileFetch, profile_fetch
from .providers import ScrapeCreatorsClient
from .strategies import Candidate, RelatedCreators, SearchStrategy
from .strategies.base import Checkpoint


@dataclass(eq=False)
class FlowPage:
    """One search page read by the step: what resuming after it means, and what is still open."""

    checkpoint: Checkpoint
    open: set[str] = field(default_factory=set)
    related: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class PageLedger:
    """Pages in the order they were read; the resume point advances over the fully resolved ones."""

    def __init__(self, strategy: SearchStrategy, checkpoint: Checkpoint) -> None:
        self._strategy = strategy
        self._pages: deque[FlowPage] = deque()
        self.resume_checkpoint = checkpoint

    def add(self, checkpoint: Checkpoint) -> FlowPage:
        page = FlowPage(checkpoint=checkpoint)
        self._pages.append(page)
        return page

    @property
    def unresolved(self) -> int:
        return len(self._pages)

    def resolve(self, page: FlowPage, external_id: str, related: list[dict[str, Any]] | None = None) -> None:
        page.open.discard(external_id)
        if related:
            page.related[external_id] = related
        while self._pages and not self._pages[0].open:
            done = self._pages.popleft()
            # Similar searches grow from what the profiles of a page showed (their related accounts).
            self.resume_checkpoint = self._strategy.absorb(checkpoint=done.checkpoint,
                                                           related=RelatedCreators(done.related))

    def settle(self) -> None:
        """Advance over pages that had nothing to fetch."""
        while self._pages and not self._pages[0].open:
            self.resolve(self._pages[0], "")


@dataclass(frozen=True)
class Arrival:
    page: FlowPage
    candidate: Candidate
    fetch: ProfileFetch | None  # None: a profile reused from the freshness window, nothing fetched
    tries: int = 1


class ProfileFlow:
    """Up to ``concurrency`` profile fetches in flight on their own threads."""

    def __init__(self, *, strategy: SearchStrategy, client: ScrapeCreatorsClient, concurrency: int,
                 attempts: int, read_link_pages: bool) -> None:
        self._strategy, self._client = strategy, client
        self._attempts, self._read_link_pages = attempts, read_link_pages
        self.concurrency = concurrency
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="enrich")
        self._in_flight: dict[Future, tuple[FlowPage, Candidate, int]] = {}

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def has_room(self) -> bool:
        return len(self._in_flight) < self.concurrency

    def submit(self, page: FlowPage, candidate: Candidate, *, tries: int = 1) -> None:
        future = self._pool.submit(profile_fetch, strategy=self._strategy, client=self._client,
                                   hit=candidate.hit, attempts=self._attempts,
                                   read_link_pages=self._read_link_pages)
        self._in_flight[future] = (page, candidate, tries)

    def arrivals(self, *, timeout: float) -> list[Arrival]:
        """What has arrived, waiting up to ``timeout`` seconds for the first one."""
        if not self._in_flight:
            return []
        done, _pending = wait(list(self._in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        arrived = []
        for future in done:
            page, candidate, tries = self._in_flight.pop(future)
            arrived.append(Arrival(page=page, candidate=candidate, fetch=future.result(), tries=tries))
        return arrived

    def close(self, *, wait: bool = True) -> None:
        """Stop; with ``wait``, after the fetches in flight (each bounded by its deadline) have ended."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self._in_flight.clear()


class InOrder:
    """Arrivals released in the order their creators were taken (the pages' own ranking), not in the
    order their profiles came back: a similar search's best match keeps rank 1. Fetches still flow;
    only storing waits for an earlier creator, and each fetch is bounded by its deadline."""

    def __init__(self) -> None:
        self._seq: dict[str, int] = {}
        self._ready: dict[int, Arrival] = {}
        self._released: set[int] = set()
        self._head = 0

    def take(self, external_id: str) -> None:
        self._seq[external_id] = len(self._seq)

    def __contains__(self, external_id: str) -> bool:
        return external_id in self._seq

    def add(self, arrival: Arrival) -> None:
        self._ready[self._seq[arrival.candidate.hit.external_id]] = arrival

    @property
    def waiting(self) -> list[Arrival]:
        return list(self._ready.values())

    def _advance(self) -> None:
        while self._head in self._released:
            self._head += 1

    def releasable(self) -> int:
        """How many arrivals form an unbroken run from the earliest creator not yet released."""
        self._advance()
        count, seq = 0, self._head
        while seq in self._ready or seq in self._released:
            count += seq in self._ready
            seq += 1
        return count

    def release(self, *, everything: bool = False) -> list[Arrival]:
        """The unbroken run (``everything``: all that arrived, still in taking order)."""
        self._advance()
        if everything:
            seqs = sorted(self._ready)
        else:
            seqs, seq = [], self._head
            while seq in self._ready or seq in self._released:
                if seq in self._ready:
                    seqs.append(seq)
                seq += 1
        self._released.update(seqs)
        return [self._ready.pop(seq) for seq in seqs]
