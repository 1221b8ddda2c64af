"""The ScrapeCreators client as the job engine uses it: shared rate limit, call counting.

Every request waits for a slot from the shared limiter before it leaves; a 429 pushes the whole
schedule back by its ``Retry-After`` so the other workers do not hit the same wall.
"""

from __future__ import annotations

import threading
from typing import Any

import requests
from django.conf import settings

from influencer_platform.http import DEFAULT_TIMEOUT, OutboundSession, build_session, parse_retry_after

from .providers import ScrapeCreatorsClient
from .ratelimit import RateLimiter, provider_rate_limiter

# Without a key the sandbox provider answers; it accepts any non-empty key.
SANDBOX_API_KEY = "sandbox"
# Used when a 429 carries no Retry-After.
DEFAULT_RATE_LIMIT_PAUSE = 1.0


class ProviderSession(OutboundSession):
    """An outbound session that takes a rate-limit slot per request and counts them."""

    def __init__(self, *, limiter: RateLimiter, pool_size: int) -> None:
        base = build_session(pool_size=pool_size, timeout=DEFAULT_TIMEOUT)
        super().__init__(timeout=base.default_timeout, follow_redirects=False)
        self.adapters = base.adapters
        self.headers = base.headers
        self._limiter = limiter
        self._lock = threading.Lock()
        self.calls = 0
        self.rate_limited = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self._limiter.acquire()
        with self._lock:
            self.calls += 1
        response = super().request(method, url, *args, **kwargs)
        if response.status_code == 429:
            with self._lock:
                self.rate_limited += 1
            pause = parse_retry_after(response.headers.get("Retry-After"))
            self._limiter.back_off(DEFAULT_RATE_LIMIT_PAUSE if pause is None else pause)
        return response


def provider_client(*, pool_size: int = 16) -> tuple[ScrapeCreatorsClient, ProviderSession]:
    """A client for one job step, and its session (which knows how many calls were made)."""
    session = ProviderSession(limiter=provider_rate_limiter(), pool_size=pool_size)
    client = ScrapeCreatorsClient(
        api_key=settings.SCRAPECREATORS_API_KEY or SANDBOX_API_KEY,
        base_url=settings.SCRAPECREATORS_BASE_URL,
        session=session,
        timeout=(5, settings.SCRAPECREATORS_READ_TIMEOUT),
    )
    return client, session
