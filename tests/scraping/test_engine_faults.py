"""The engine under a misbehaving provider: failed and hung calls, long tails, a real limit below
ours. Every search still ends at exactly its target, each creator charged once."""

import pytest

from scraping.models import JobStatus
from scraping.ratelimit import provider_rate_limiter
from scraping.services import job_start

from .conftest import run_job
from .test_engine import assert_clean_results

pytestmark = pytest.mark.django_db

SEARCH = {"platform": "tiktok", "search_type": "keyword", "keywords": "skincare, makeup", "dispatch": False}


def used(user) -> int:
    user.usage.refresh_from_db()
    return user.usage.creators_used_this_month


def test_job_with_failing_and_hanging_calls_finds_exactly_the_target_and_charges_once(make_sandbox, subscriber):
    # A tenth of the calls fail, a third of those after hanging far longer than any deadline.
    server = make_sandbox(latency_ms=20, fail_rate=0.1, hang_seconds=30)

    job = run_job(job_start(user=subscriber, target_results=120, **SEARCH))

    assert server.stats.by_status[500] > 0
    assert job.status == JobStatus.COMPLETED and job.found_count == 120
    assert_clean_results(job)
    assert used(subscriber) == 120
    # Hedged copies and given-up calls are counted and paid like any call, within the budget.
    assert job.provider_calls >= server.stats.by_path["/v1/tiktok/profile"]
    assert job.wasted_calls <= 0.05 * job.provider_calls + 1


def test_job_long_tailed_provider_gets_hedged_calls_within_the_budget(make_sandbox, subscriber):
    # Profiles answer in about 20 ms, but one in a few dozen takes seconds.
    server = make_sandbox(endpoint_latency=(("/v1/tiktok/profile", 0.02, 1.4),))

    job = run_job(job_start(user=subscriber, target_results=150, **SEARCH))

    assert job.status == JobStatus.COMPLETED and job.found_count == 150
    assert_clean_results(job)
    assert job.hedged_calls > 0
    assert job.wasted_calls <= 0.05 * job.provider_calls + 1
    # Every copy the provider answered is in the job's totals (a copy is counted when it leaves).
    assert server.stats.requests <= job.provider_calls
    assert job.credits_spent >= job.found_count


def test_job_provider_limit_below_ours_costs_a_few_429s_not_the_search(make_sandbox, subscriber, settings):
    server = make_sandbox(rate_limit=20)
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "provider.requests_per_second": 40}
    provider_rate_limiter().reset()

    job = run_job(job_start(user=subscriber, target_results=100, **SEARCH))

    assert job.status == JobStatus.COMPLETED and job.found_count == 100
    assert_clean_results(job)
    assert used(subscriber) == 100
    refused = server.stats.by_status[429]
    assert 0 < refused == job.rate_limited_calls
    assert refused <= 0.1 * job.provider_calls
    # The limiter learnt that the provider allows less than configured.
    assert provider_rate_limiter().rate_in_force().rate < 40
