"""The interface every search type implements, and the paged keyword search most of them share.

A strategy turns a job's input and its checkpoint into the next page of candidates; it never
touches the database. The checkpoint is plain JSON so that any worker can resume a job after a
restart. The engine owns deduplication, enrichment, storage, quotas and retries.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, ClassVar

from adminpanel.config import config_get
from scraping.providers import CreatorHit, CreatorProfileData, PostSnapshot, ScrapeCreatorsClient, SearchPage

Checkpoint = dict[str, Any]


@dataclass(frozen=True)
class JobSpec:
    platform: str
    search_type: str
    keywords: tuple[str, ...]
    target_username: str
    target_results: int
    # TikTok's video searches: the region they search in (ISO 3166, "US").
    region: str = ""


@dataclass(frozen=True)
class Candidate:
    hit: CreatorHit
    keyword: str
    # Similar searches: the topics the creator shares with the target ("why similar").
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class StrategyPage:
    candidates: tuple[Candidate, ...]
    checkpoint: Checkpoint


@dataclass(frozen=True)
class RelatedCreators:
    """What the engine hands back after enrichment: each creator's related accounts, if known."""

    by_external_id: dict[str, list[dict[str, Any]]]


class TargetNotFoundError(Exception):
    """The creator a similar search starts from cannot be read: ``reason`` is "missing" (no such
    account), "deleted" or "private"."""

    def __init__(self, handle: str, *, reason: str = "missing") -> None:
        super().__init__(handle)
        self.handle = handle
        self.reason = reason


class SearchStrategy:
    platform: ClassVar[str]
    search_type: ClassVar[str]

    def next_page(self, *, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> StrategyPage:
        raise NotImplementedError

    def enrich(self, *, client: ScrapeCreatorsClient, hit: CreatorHit) -> CreatorProfileData:
        """The full profile of a creator found by a search (bio, links, emails)."""
        raise NotImplementedError

    def exhausted(self, *, spec: JobSpec, checkpoint: Checkpoint) -> bool:
        raise NotImplementedError

    def absorb(self, *, checkpoint: Checkpoint, related: RelatedCreators) -> Checkpoint:
        """Fold what enrichment learned into the checkpoint (similar searches grow from it)."""
        return checkpoint

    @property
    def reads_ahead(self) -> bool:
        """Whether the next page may be read before the profiles of this one arrive: not when
        ``absorb`` folds what they show into the checkpoint the next page is read from."""
        return type(self).absorb is SearchStrategy.absorb

    def excluded_ids(self, *, checkpoint: Checkpoint) -> set[str]:
        """Creators never to return, such as the target of a similar search."""
        target = checkpoint.get("target_id")
        return {target} if target else set()


class PagedKeywordStrategy(SearchStrategy):
    """Reads the pages of each term in turn, round robin, so every keyword is represented.

    Checkpoint: ``{"turn": i, "terms_state": [{"cursor": c, "pages": n, "done": bool}, ...]}``.
    Subclasses say how one page is fetched; ``terms`` is the list searched (the job's keywords,
    or terms a similar search derived and stored in the checkpoint).
    """

    max_pages_key: ClassVar[str]

    def search(self, client: ScrapeCreatorsClient, term: str, cursor: str | None, *, spec: JobSpec) -> SearchPage:
        raise NotImplementedError

    def terms(self, spec: JobSpec, checkpoint: Checkpoint) -> list[str]:
        return list(spec.keywords)

    def max_pages(self) -> int:
        return max(1, int(config_get(self.max_pages_key)))

    def _states(self, spec: JobSpec, checkpoint: Checkpoint) -> list[dict[str, Any]]:
        terms = self.terms(spec, checkpoint)
        states = list(checkpoint.get("terms_state") or [])
        return states + [{"cursor": None, "pages": 0, "done": False}] * (len(terms) - len(states))

    def next_page(self, *, client: ScrapeCreatorsClient, spec: JobSpec, checkpoint: Checkpoint) -> StrategyPage:
        terms = self.terms(spec, checkpoint)
        states = self._states(spec, checkpoint)
        turn = int(checkpoint.get("turn", 0))
        open_terms = [i for i in [*range(turn, len(terms)), *range(0, turn)] if not states[i]["done"]]
        if not open_terms:
            return StrategyPage((), {**checkpoint, "terms_state": states})
        index = open_terms[0]
        state = states[index]
        page = self.search(client, terms[index], state["cursor"], spec=spec)
        pages = state["pages"] + 1
        more = page.has_more and pages < self.max_pages() and bool(page.hits)
        states[index] = {"cursor": page.next_cursor if more else None, "pages": pages, "done": not more}
        candidates = tuple(Candidate(hit=hit, keyword=terms[index]) for hit in page.hits)
        return StrategyPage(candidates, {**checkpoint, "terms_state": states, "turn": (index + 1) % len(terms)})

    def exhausted(self, *, spec: JobSpec, checkpoint: Checkpoint) -> bool:
        return all(state["done"] for state in self._states(spec, checkpoint))


# Words that say nothing about what a creator makes.
STOPWORDS = frozenset(
    """a about all also an and any are as at be been but by can check contact daily dm do don
    email every for from get go got have here how i i'm im in inquiries is it its just like link
    links love made make me more my new no not now of on one only or our out over real so that the
    their them they this to too up us via was we what when where who will with you your yours
    business collab collabs collaborations booking bookings partnership partnerships mgmt management
    welcome official page account follow followers subscribe channel videos video content creator
    tips things life world week weekly every day days zero actually really""".split()
)
_WORD_RE = re.compile(r"#?[^\W\d_][\w'-]{2,}", re.UNICODE)


def topic_terms(*texts: str, exclude: set[str] = frozenset(), limit: int = 4) -> list[str]:
    """The words that best describe a creator, most telling first: hashtags, then repeated words."""
    counts: Counter[str] = Counter()
    for text in texts:
        for raw in _WORD_RE.findall(text or ""):
            word = raw.lower().lstrip("#").strip("'-")
            if len(word) < 3 or word in STOPWORDS or word in exclude or "@" in word:
                continue
            counts[word] += 3 if raw.startswith("#") else 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _count in ranked[:limit]]


def hit_to_json(hit: CreatorHit) -> dict[str, Any]:
    data = asdict(hit)
    if hit.post and hit.post.posted_at:
        data["post"]["posted_at"] = hit.post.posted_at.isoformat()
    if hit.post:
        data["post"]["hashtags"] = list(hit.post.hashtags)
    return data


def hit_from_json(data: dict[str, Any]) -> CreatorHit:
    post = data.get("post")
    if post:
        posted_at = post.get("posted_at")
        post = PostSnapshot(**{**post, "hashtags": tuple(post.get("hashtags") or ()),
                               "posted_at": datetime.fromisoformat(posted_at) if posted_at else None})
    return CreatorHit(**{**data, "post": post})
