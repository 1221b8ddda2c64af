"""Billing on Dramatiq: each actor is one service call with ids for arguments; services are idempotent."""

from __future__ import annotations

import dramatiq
from dramatiq_crontab import cron

from influencer_platform import actor_names
from influencer_platform.errors import ProviderPermanentError

from .services import admin_tools, emails, periodic, webhooks


@dramatiq.actor(actor_name=actor_names.BILLING_EVENT_PROCESS, queue_name="billing", max_retries=8, min_backoff=5_000,
                max_backoff=10 * 60_000, time_limit=120_000, throws=(ProviderPermanentError,))
def billing_event_process(event_id: int) -> None:
    webhooks.billing_event_process(event_id=event_id)


@dramatiq.actor(actor_name=actor_names.LIFECYCLE_EMAIL, queue_name="emails", max_retries=6, min_backoff=10_000,
                max_backoff=30 * 60_000, time_limit=60_000, throws=(ProviderPermanentError,))
def lifecycle_email(user_id: int, key: str) -> None:
    emails.lifecycle_email_send(user_id=user_id, key=key)


@dramatiq.actor(actor_name=actor_names.EMAIL_TEST_SEND, queue_name="emails", max_retries=3, time_limit=60_000,
                throws=(ProviderPermanentError,))
def email_test_send(event_id: int) -> None:
    admin_tools.email_test_deliver(event_id=event_id)


@cron("*/10 * * * *")
@dramatiq.actor(actor_name=actor_names.TRIAL_EXPIRY_SWEEP, queue_name="maintenance", max_retries=0, time_limit=300_000,
                throws=(ProviderPermanentError,))
def trial_expiry_sweep() -> None:
    periodic.trial_expiry_sweep()


@cron("5 * * * *")
@dramatiq.actor(actor_name=actor_names.USAGE_RESET_SWEEP, queue_name="maintenance", max_retries=0, time_limit=300_000,
                throws=(ProviderPermanentError,))
def usage_reset_sweep() -> None:
    periodic.usage_reset_sweep()


@cron("35 * * * *")
@dramatiq.actor(actor_name=actor_names.SUBSCRIPTIONS_RECONCILE, queue_name="maintenance", max_retries=0, time_limit=900_000,
                throws=(ProviderPermanentError,))
def subscriptions_reconcile() -> None:
    periodic.subscriptions_reconcile()


@dramatiq.actor(actor_name=actor_names.WELCOME_EMAIL, queue_name="emails", max_retries=3, time_limit=30_000,
                throws=(ProviderPermanentError,))
def welcome_email(user_id: int) -> None:
    emails.welcome_email_schedule(user_id=user_id)
