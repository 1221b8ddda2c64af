"""Two searches at once share the provider's rate fairly: real `rundramatiq` workers, PostgreSQL,
the Redis limiter. A small search started while a large one runs is served at once and at its
share, and the large one keeps going meanwhile: neither starves."""

from __future__ import annotations

import time

import pytest

from accounts.models import UserUsage
from scraping.models import JobCreator, JobStatus, ScrapingJob
from scraping.sandbox.server import SandboxConfig, start_sandbox
from scraping.services import job_start

from .conftest import use_sandbox
from .test_worker_recovery import RUNTIME_CONFIG, _queue_flush, _wait_for, worker_pool

LARGE, SMALL = 400, 60
# Low enough that the provider's rate, not the engine, sets the pace of both searches.
FAIR_CONFIG = {**RUNTIME_CONFIG, "provider.requests_per_second": 30}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_concurrent_searches_share_the_rate_fairly_on_real_workers(settings, make_customer, tmp_path):
    large_owner, small_owner = make_customer("viral_surge"), make_customer("viral_surge")
    provider = start_sandbox(SandboxConfig(seed=11, latency_ms=40))
    use_sandbox(settings, provider, **FAIR_CONFIG)
    settings.RUNTIME_CONFIG_OVERRIDES = FAIR_CONFIG
    _queue_flush()
    try:
        with worker_pool(provider.base_url, tmp_path, config=FAIR_CONFIG) as start_worker:
            workers = [start_worker(), start_worker()]
            large = job_start(user=large_owner, platform="tiktok", search_type="keyword",
                              keywords="skincare, makeup, beauty, glow, fitness, food", target_results=LARGE)

            def large_found() -> int:
                return ScrapingJob.objects.get(pk=large.pk).found_count

            assert _wait_for(lambda: large_found() >= 40, timeout=60), workers[0].log_tail()
            small = job_start(user=small_owner, platform="tiktok", search_type="keyword",
                              keywords="skincare, makeup", target_results=SMALL)
            large_at_start = large_found()

            def small_shows_rows() -> bool:
                return JobCreator.objects.filter(job=small).exists()

            assert _wait_for(small_shows_rows, timeout=30), workers[1].log_tail()
            large_when_small_showed = large_found()

            def small_done() -> bool:
                return ScrapingJob.objects.get(pk=small.pk).is_finished

            assert _wait_for(small_done, timeout=90), workers[1].log_tail()
            large_when_small_ended = large_found()
            assert _wait_for(lambda: ScrapingJob.objects.get(pk=large.pk).is_finished, timeout=120), (
                workers[0].log_tail())
    finally:
        provider.stop()
        _queue_flush()

    large.refresh_from_db()
    small.refresh_from_db()
    assert (large.status, large.found_count) == (JobStatus.COMPLETED, LARGE)
    assert (small.status, small.found_count) == (JobStatus.COMPLETED, SMALL)
    # The small search did not queue behind the large one's backlog: its first rows came while
    # the large one had found only a few more, and it ended well before the large one.
    assert large_when_small_showed - large_at_start < SMALL
    assert large_when_small_ended < LARGE
    # While both ran, they split the rate about evenly (one profile call per creator each): the
    # large search kept finding creators, but not at the small one's expense.
    gained = large_when_small_ended - large_at_start
    assert SMALL / 3 <= gained <= SMALL * 3, gained
    assert UserUsage.objects.get(user=large_owner).creators_used_this_month == LARGE
    assert UserUsage.objects.get(user=small_owner).creators_used_this_month == SMALL
