"""Search jobs on Dramatiq. Each actor is one service call; the services make them idempotent."""

from __future__ import annotations

import dramatiq
from django.core.cache import cache
from dramatiq_crontab import cron

from adminpanel.config import config_get
from influencer_platform.errors import ProviderPermanentError

from . import services
from .images import services as image_services

# A step makes one search call and at most a few dozen profile calls under the shared rate limit.
STEP_TIME_LIMIT_MS = 5 * 60 * 1000


@dramatiq.actor(actor_name="job_step", queue_name="searches", max_retries=5, min_backoff=2_000,
                max_backoff=60_000, time_limit=STEP_TIME_LIMIT_MS, throws=(ProviderPermanentError,))
def job_step(job_id: int, step: int | None = None) -> None:
    # Provider failures are handled inside the step (backoff with the state in the job row); a
    # retry here only covers the unexpected, such as a lost database connection.
    services.job_step_run(job_id=job_id, step=step)


@cron("* * * * *")
@dramatiq.actor(actor_name="jobs_sweep", queue_name="maintenance", max_retries=0, time_limit=60_000)
def jobs_sweep() -> None:
    # The schedule ticks every minute; the configured interval decides which ticks do the work.
    interval = max(1, int(config_get("timeouts.sweep_interval").total_seconds()))
    if cache.add("jobs_sweep:recent", True, timeout=max(1, interval - 5)):
        services.jobs_sweep()


@dramatiq.actor(actor_name="creator_avatars_fetch", queue_name="images", max_retries=4, min_backoff=10_000,
                max_backoff=300_000, time_limit=10 * 60 * 1000, throws=(ProviderPermanentError,))
def creator_avatars_fetch(profile_ids: list[int]) -> None:
    # CDN URLs expire within hours: the copy stored now is what pages show later. A CDN that
    # timed out raises a transient error, and the retry only fetches what is still missing.
    image_services.creator_avatars_store(profile_ids=profile_ids)
