"""The shared provider limiter, in memory (embedded) and on Redis (production): adaptive rate and
fair shares. Reservations are read as the waits they hand out; nothing sleeps here."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings as django_settings

from scraping.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter


@pytest.fixture(params=["memory", "redis"])
def limiter(request, settings) -> RateLimiter:
    settings.RUNTIME_CONFIG_OVERRIDES = {"provider.requests_per_second": 10}
    if request.param == "memory":
        made: RateLimiter = MemoryRateLimiter()
    else:
        made = RedisRateLimiter(django_settings.REDIS_URL, key=f"test-rate:{uuid.uuid4().hex}")
    yield made
    made.reset()


def waits(limiter: RateLimiter, flow: str, account: str, count: int) -> list[float]:
    return [limiter._reserve(flow=flow, account=account) for _ in range(count)]


def test_rate_limiter_halves_the_rate_on_a_429_and_counts_a_burst_of_them_once(limiter):
    assert limiter.rate_in_force().rate == pytest.approx(10)

    limiter.back_off(0.0)
    limiter.back_off(0.0)  # the same congestion event

    state = limiter.rate_in_force()
    assert state.rate == pytest.approx(5)
    assert state.configured == pytest.approx(10)
    assert state.last_refused_rate == pytest.approx(10)


def test_rate_limiter_probes_back_up_after_the_provider_stops_refusing(limiter):
    limiter.back_off(0.0)
    time.sleep(0.6)
    limiter.record_success()

    rate = limiter.rate_in_force().rate
    # Additive increase: a share of the configured rate per second, never past it.
    assert 5 < rate < 10


def test_rate_limiter_retry_after_holds_every_flow_back(limiter):
    limiter.back_off(2.0)

    first = limiter._reserve(flow="job-1", account="user-1")
    other = limiter._reserve(flow="job-2", account="user-2")

    assert 1.5 < first <= 2.0
    assert 1.5 < other <= 2.0


def test_rate_limiter_a_new_search_does_not_wait_behind_another_backlog(limiter):
    # A large search booked two seconds of slots ahead...
    backlog = waits(limiter, "job-1", "user-1", 20)
    assert backlog[-1] > 1.5

    # ...a search started now gets its first slot at once, then its half of the rate.
    newcomer = waits(limiter, "job-2", "user-2", 4)
    assert newcomer[0] < 0.05
    spacing = newcomer[-1] - newcomer[-2]
    assert spacing == pytest.approx(1 / 5, abs=0.02)


def test_rate_limiter_shares_per_account_then_per_search(limiter):
    # Account 1 runs two searches, account 2 one: account 2's search gets half the rate, each of
    # account 1's a quarter.
    waits(limiter, "job-a1", "user-1", 1)
    waits(limiter, "job-a2", "user-1", 1)
    waits(limiter, "job-b1", "user-2", 1)

    alone = waits(limiter, "job-b1", "user-2", 6)
    shared = waits(limiter, "job-a1", "user-1", 6)

    assert alone[-1] - alone[-2] == pytest.approx(1 / 5, abs=0.02)
    assert shared[-1] - shared[-2] == pytest.approx(1 / 2.5, abs=0.03)
