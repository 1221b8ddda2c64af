"""The ScrapeCreators client as the job engine uses it: shared rate limit, tail-tolerant calls.

Every request waits for a slot from the shared limiter before it leaves (in its search's fair
share); a 429 halves the rate in force and holds everyone back by its ``Retry-After``.

Real providers have long tails: most answers come in a second, a few take minutes or never. So
each call gets a deadline from the latency actually observed on its endpoint (p95 x 3, between
``MIN_DEADLINE`` and the configured read timeout) instead of one fixed timeout, and a call that is
still unanswered past the endpoint's usual time (p95 x 1.5) gets a hedged copy on another
connection; the first good answer wins. Hedges stay within ``HEDGE_BUDGET`` of the calls made,
and each copy is counted and paid for like any call: a losing copy that still answered is a
*wasted* call, and its credits are added to the job's spend.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from influencer_platform.http import DEFAULT_TIMEOUT, OutboundSession, build_session, parse_retry_after

from .providers import ScrapeCreatorsClient
from .providers.scrapecreators import call_cost
from .ratelimit import SHARED_FLOW, RateLimiter, provider_rate_limiter

# Without a key the sandbox provider answers; it accepts any non-empty key.
SANDBOX_API_KEY = "sandbox"
# Used when a 429 carries no Retry-After.
DEFAULT_RATE_LIMIT_PAUSE = 1.0
# Latency samples kept per endpoint, and how many are needed before they are trusted.
LATENCY_WINDOW = 200
LATENCY_MIN_SAMPLES = 5
DEADLINE_FACTOR = 3.0
HEDGE_FACTOR = 1.5
MIN_DEADLINE = 1.0
MIN_HEDGE_AFTER = 0.2
HEDGE_TICK = 0.05
ALL_ENDPOINTS = "*"
# Hedged copies allowed, as a share of the calls a session made.
HEDGE_BUDGET = 0.05


class EndpointLatency:
    """Recent answer times per endpoint path, shared by every session of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._samples: dict[str, deque[float]] = {}
        self._p95: dict[str, float | None] = {}

    def record(self, path: str, seconds: float) -> None:
        with self._lock:
            for key in (path, ALL_ENDPOINTS):
                self._samples.setdefault(key, deque(maxlen=LATENCY_WINDOW)).append(seconds)
                self._p95.pop(key, None)

    def p95(self, path: str) -> float | None:
        with self._lock:
            if path not in self._p95:
                samples = sorted(self._samples.get(path, ()))
                self._p95[path] = samples[int(len(samples) * 0.95)] if len(samples) >= LATENCY_MIN_SAMPLES else None
            return self._p95[path]

    def deadline(self, path: str, *, ceiling: float) -> float:
        # Unknown endpoints borrow from the others; an answer that comes after its copy was given
        # up is still recorded, so a slower endpoint soon gets its own, longer deadline.
        p95 = self.p95(path) or self.p95(ALL_ENDPOINTS)
        return ceiling if p95 is None else min(ceiling, max(MIN_DEADLINE, p95 * DEADLINE_FACTOR))

    def hedge_after(self, path: str, *, deadline: float) -> float | None:
        # An endpoint called too rarely to be known yet (a search page every dozen profiles) is
        # hedged on what the others show: at worst one wasted call, never a stalled search.
        p95 = self.p95(path) or self.p95(ALL_ENDPOINTS)
        return None if p95 is None else min(deadline / 2, max(MIN_HEDGE_AFTER, p95 * HEDGE_FACTOR))

    def reset(self) -> None:
        with self._lock:
            self._samples.clear()
            self._p95.clear()


ENDPOINT_LATENCY = EndpointLatency()


def _failed(outcome: Future) -> bool:
    """A copy that raised or answered 5xx/429 is not worth returning while another may still succeed."""
    if outcome.exception() is not None:
        return True
    return outcome.result().status_code >= 500 or outcome.result().status_code == 429


class ProviderSession(OutboundSession):
    """An outbound session that takes a rate-limit slot per request, hedges stragglers and counts."""

    def __init__(self, *, limiter: RateLimiter, pool_size: int, flow: str = SHARED_FLOW,
                 account: str = SHARED_FLOW, latency: EndpointLatency = ENDPOINT_LATENCY) -> None:
        base = build_session(pool_size=pool_size, timeout=DEFAULT_TIMEOUT)
        super().__init__(timeout=base.default_timeout, follow_redirects=False)
        self.adapters = base.adapters
        self.headers = base.headers
        self._limiter = limiter
        self._flow, self._account = flow, account
        self._latency = latency
        self._lock = threading.Lock()
        # Copies in flight: two per caller thread at most (the call and its hedge).
        self._copies = ThreadPoolExecutor(max_workers=2 * pool_size, thread_name_prefix="provider-call")
        self.calls = 0
        self.rate_limited = 0
        self.hedged = 0
        self.wasted = 0
        self.wasted_credits = 0
        self.timed_out = 0

    def close(self) -> None:
        # Copies that lost a race may still be waiting on their deadline; nobody reads them.
        self._copies.shutdown(wait=False, cancel_futures=True)
        super().close()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        path = urlsplit(str(url)).path
        connect, read = kwargs.get("timeout") or self.default_timeout
        kwargs["timeout"] = (connect, self._latency.deadline(path, ceiling=read))
        sent = threading.Event()
        copies = [self._copies.submit(self._send, method, url, path, *args, sent=sent, **kwargs)]
        # The straggler clock starts when the call leaves, not while it waits for its rate slot.
        while not sent.wait(timeout=HEDGE_TICK):
            if copies[0].done():
                return copies[0].result()
        left_at = time.monotonic()
        failures: list[Future] = []
        while True:
            done, _pending = wait([c for c in copies if c not in failures], timeout=HEDGE_TICK,
                                  return_when=FIRST_COMPLETED)
            winner = next((outcome for outcome in done if not _failed(outcome)), None)
            failures += [outcome for outcome in done if outcome is not winner]
            if winner is not None or len(failures) == len(copies):
                winner = winner or failures[-1]
                self._abandon([c for c in copies if c is not winner])
                return winner.result()
            # The endpoint's usual time is read again as it goes: a call sent cold is still hedged,
            # and still given up, once the endpoint is known.
            out_for = time.monotonic() - left_at
            hedge_after = self._latency.hedge_after(path, deadline=read)
            if len(copies) == 1 and hedge_after is not None and out_for >= hedge_after and self._hedge_allowed():
                copies.append(self._copies.submit(self._send, method, url, path, *args, sent=threading.Event(),
                                                  **kwargs))
                left_at = time.monotonic()
            elif out_for >= self._latency.deadline(path, ceiling=read):
                self._abandon(copies)
                with self._lock:
                    self.timed_out += 1
                raise requests.Timeout(f"No answer from {path} within its deadline.")

    def _abandon(self, copies: list[Future]) -> None:
        """Copies nobody will read: each counts as wasted once it ends (paid for if it answered)."""
        for copy in copies:
            copy.add_done_callback(self._count_wasted)

    def _hedge_allowed(self) -> bool:
        with self._lock:
            # The first hedge is allowed from the start, as if the session had made 20 calls.
            if self.hedged + 1 > HEDGE_BUDGET * max(self.calls, 1 / HEDGE_BUDGET):
                return False
            self.hedged += 1
            return True

    def _count_wasted(self, outcome: Future) -> None:
        if outcome.cancelled():
            return  # never sent
        cost = 0
        if outcome.exception() is None and outcome.result().status_code < 300:
            # The provider charged for this answer although nobody reads it.
            response = outcome.result()
            try:
                cost = call_cost(urlsplit(response.url).path, response.json())
            except ValueError:
                cost = 1
        with self._lock:
            self.wasted += 1
            self.wasted_credits += cost

    def _send(self, method: str | bytes, url: str | bytes, path: str, *args: Any, sent: threading.Event,
              **kwargs: Any) -> requests.Response:
        self._limiter.acquire(flow=self._flow, account=self._account)
        with self._lock:
            self.calls += 1
        sent.set()
        started = time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.Timeout:
            with self._lock:
                self.timed_out += 1
            raise
        if response.status_code == 429:
            with self._lock:
                self.rate_limited += 1
            pause = parse_retry_after(response.headers.get("Retry-After"))
            self._limiter.back_off(DEFAULT_RATE_LIMIT_PAUSE if pause is None else pause)
            return response
        self._limiter.record_success()
        if response.status_code < 500:
            self._latency.record(path, time.monotonic() - started)
        return response


def provider_client(*, pool_size: int = 16, flow: str = SHARED_FLOW,
                    account: str = SHARED_FLOW) -> tuple[ScrapeCreatorsClient, ProviderSession]:
    """A client for one job step (``flow`` its job, ``account`` its owner), and its session
    (which knows how many calls were made, hedged and wasted)."""
    session = ProviderSession(limiter=provider_rate_limiter(), pool_size=pool_size, flow=flow, account=account)
    client = ScrapeCreatorsClient(
        api_key=settings.SCRAPECREATORS_API_KEY or SANDBOX_API_KEY,
        base_url=settings.SCRAPECREATORS_BASE_URL,
        session=session,
        timeout=(5, settings.SCRAPECREATORS_READ_TIMEOUT),
    )
    return client, session
