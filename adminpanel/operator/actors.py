"""The console's periodic health check: silent workers or scheduler, provider credits running low."""

from __future__ import annotations

import dramatiq
from dramatiq_crontab import cron

from influencer_platform import actor_names

from . import services


@cron("* * * * *")
@dramatiq.actor(actor_name=actor_names.OPS_HEALTH_CHECK, queue_name="maintenance", max_retries=0,
                time_limit=60_000)
def ops_health_check() -> list[str]:
    # Raising an open alert again only counts it, so a doubled run changes nothing but the count.
    return services.do_ops_health_check()
