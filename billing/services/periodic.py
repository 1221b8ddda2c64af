"""Periodic billing work, run by cron actors and by management commands alike; each is idempotent."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import SubscriptionStatus, UserBilling, UserSubscription, UserUsage
from adminpanel.alerts import STRIPE_TEST_OBJECT, alert_raise
from influencer_platform.errors import ProviderError

from ..models import EventSource
from ..providers.base import TestModeObjectError
from .entitlements import next_month
from .events import event_record
from .subscriptions import StateOutcome, subscription_refresh, trial_expire

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    checked: int
    changed: int
    failed: int = 0


def trial_expiry_sweep(*, now: datetime | None = None) -> SweepResult:
    """End every trial whose time is up (provider trials are reconciled instead)."""
    now = now or timezone.now()
    due = list(UserSubscription.objects.filter(
        subscription_status=SubscriptionStatus.TRIALING, trial_ends_at__lte=now
    ).values_list("user_id", flat=True))
    changed = failed = 0
    for user_id in due:
        try:
            outcome = trial_expire(user_id=user_id, now=now)
        except ProviderError as exc:
            failed += 1
            logger.warning("trial check failed", extra={"user_id": user_id, "error": exc.message})
            continue
        changed += outcome in ("expired", "applied")
    return SweepResult(checked=len(due), changed=changed, failed=failed)


@transaction.atomic
def usage_reset(*, user_id: int, today: date) -> bool:
    """Reset the monthly creator counter if its reset date has come; False if it was not due."""
    usage = UserUsage.objects.select_for_update().get(user_id=user_id)
    if usage.usage_reset_date is None or usage.usage_reset_date > today:
        return False
    reset_on = usage.usage_reset_date
    next_reset = reset_on
    while next_reset <= today:
        next_reset = next_month(next_reset)
    used = usage.creators_used_this_month
    usage.creators_used_this_month = 0
    usage.usage_reset_date = next_reset
    usage.save(update_fields=["creators_used_this_month", "usage_reset_date", "updated_at"])
    event_record(
        event_type="usage.reset", aggregate=f"user:{user_id}", user_id=user_id, source=EventSource.SCHEDULER,
        data={"creators_used": used, "next_reset": next_reset.isoformat()},
        idempotency_key=f"scheduler:usage.reset:{user_id}:{reset_on.isoformat()}",
    )
    return True


def usage_reset_sweep(*, today: date | None = None) -> SweepResult:
    today = today or timezone.now().date()
    due = list(UserUsage.objects.filter(usage_reset_date__lte=today).values_list("user_id", flat=True))
    changed = sum(usage_reset(user_id=user_id, today=today) for user_id in due)
    return SweepResult(checked=len(due), changed=changed)


@transaction.atomic
def billing_test_objects_detach(*, user_id: int, reason: str) -> bool:
    """Forget the Stripe ids of an account whose objects live in Stripe's test mode while the keys are
    live: every call on them fails, so the hourly sweep would fail on them forever. The plan and
    the subscription state stay as they are for an operator to decide; the alert names the account."""
    billing = UserBilling.objects.select_for_update().select_related("user").filter(user_id=user_id).first()
    if billing is None or not (billing.stripe_subscription_id or billing.stripe_customer_id):
        return False
    detached = {"customer": billing.stripe_customer_id, "subscription": billing.stripe_subscription_id}
    billing.stripe_customer_id = billing.stripe_subscription_id = billing.stripe_payment_method_id = ""
    billing.save(update_fields=["stripe_customer_id", "stripe_subscription_id", "stripe_payment_method_id",
                                "updated_at"])
    event_record(event_type="billing.test_objects_detached", aggregate=f"user:{user_id}", user_id=user_id,
                 source=EventSource.SCHEDULER, data={**detached, "reason": reason},
                 idempotency_key=f"scheduler:test_objects_detached:{user_id}:{detached['subscription']}")
    alert_raise(kind=STRIPE_TEST_OBJECT,
                detail=f"{billing.user.email}: detached test-mode customer {detached['customer'] or '-'} and "
                       f"subscription {detached['subscription'] or '-'}. {reason}")
    return True


def subscriptions_reconcile() -> SweepResult:
    """Read every known subscription from the provider and apply it: heals missed webhooks."""
    user_ids = list(UserBilling.objects.exclude(stripe_subscription_id="").values_list("user_id", flat=True))
    changed = failed = 0
    for user_id in user_ids:
        try:
            changed += subscription_refresh(user_id=user_id) == StateOutcome.APPLIED
        except TestModeObjectError as exc:
            changed += billing_test_objects_detach(user_id=user_id, reason=exc.message)
        except ProviderError as exc:
            failed += 1
            logger.warning("reconcile failed", extra={"user_id": user_id, "error": exc.message})
    return SweepResult(checked=len(user_ids), changed=changed, failed=failed)
