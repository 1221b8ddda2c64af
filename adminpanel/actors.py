"""Periodic upkeep of the operator console's own tables."""

from __future__ import annotations

import dramatiq
from dramatiq_crontab import cron

from influencer_platform import actor_names

from . import services


@cron("17 3 * * *")
@dramatiq.actor(actor_name=actor_names.BACKGROUND_HISTORY_PRUNE, queue_name="maintenance", max_retries=3,
                time_limit=10 * 60_000)
def background_history_prune() -> dict[str, int]:
    # Deleting by age is idempotent, so a retried or doubled run removes nothing twice.
    return services.background_history_prune()
