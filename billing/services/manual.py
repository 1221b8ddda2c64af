"""Changes support makes to an account's plan, trial and allowance by hand, without a payment.

They lock the account rows in billing's order (usage, then subscription), make the change, and
write it into the customer's billing history as an admin event. Whoever calls them (the operator
console) records who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import FREE_PLAN_KEY, SubscriptionStatus, TrialStatus, User, UserSubscription, UserUsage
from influencer_platform.errors import ApplicationError

from ..models import EventSource, SubscriptionPlan
from ..selectors import plan_get
from .emails import email_schedule
from .entitlements import next_month
from .events import event_record

MAX_TRIAL_EXTENSION_DAYS = 90

# The part of an account's state billing's own ``subscription.changed`` events describe.
_EVENT_KEYS = ("plan", "status", "cycle", "trial_status", "cancel_at_period_end")


class ManualChangeError(ApplicationError):
    code = "billing_change_refused"


@dataclass(frozen=True)
class AccountChange:
    """The account's billing state before and after a manual change."""

    before: dict[str, Any]
    after: dict[str, Any]


def subscription_facts(subscription: UserSubscription) -> dict[str, Any]:
    return {
        "plan": subscription.current_plan,
        "status": subscription.subscription_status,
        "cycle": subscription.billing_cycle,
        "trial_status": subscription.trial_status,
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "trial_ends_at": subscription.trial_ends_at,
        "current_period_end": subscription.current_period_end,
    }


def _history(*, user: User, event_type: str, data: dict[str, Any]) -> None:
    # Next to Stripe's and the customer's own, so support reads one account's story in one place.
    event_record(event_type=event_type, aggregate=f"user:{user.pk}", user_id=user.pk, source=EventSource.ADMIN,
                 data=data)


def _locked_account(user: User) -> tuple[UserUsage, UserSubscription]:
    usage = UserUsage.objects.select_for_update().get(user_id=user.pk)
    subscription = UserSubscription.objects.select_for_update().get(user_id=user.pk)
    return usage, subscription


def _plan_put(usage: UserUsage, subscription: UserSubscription, plan: SubscriptionPlan) -> None:
    """A trial keeps running on the new plan; anyone else gets it active, renewing in a month; an
    unpaid plan ends access."""
    now = timezone.now()
    subscription.current_plan = plan.plan_key
    if not plan.is_paid:
        subscription.subscription_status = SubscriptionStatus.NONE
        subscription.current_period_end = None
    elif subscription.is_trialing:
        subscription.intended_plan = plan.plan_key
    else:
        subscription.intended_plan = plan.plan_key
        subscription.subscription_status = SubscriptionStatus.ACTIVE
        subscription.current_period_end = now + timedelta(days=30)
        subscription.cancel_at_period_end = False
        subscription.cancel_at = None
    subscription.save()
    if usage.usage_reset_date is None:
        usage.usage_reset_date = next_month(now.date())
        usage.save(update_fields=["usage_reset_date", "updated_at"])


@transaction.atomic
def plan_grant(*, user: User, plan_key: str) -> AccountChange:
    """Move an account to another plan without payment (support, comps, fixing a stuck checkout)."""
    plan = plan_get(plan_key=plan_key)
    if plan is None or not plan.is_active:
        raise ManualChangeError("Choose one of the active plans.", code="invalid_plan")
    if user.billing.stripe_subscription_id:
        # Stripe would overwrite our row at the next webhook; the change must be made there.
        raise ManualChangeError(f"{user.email} pays through Stripe: change the plan in Stripe instead.",
                                code="managed_by_stripe")
    usage, subscription = _locked_account(user)
    if subscription.current_plan == plan.plan_key and (subscription.has_access or not plan.is_paid):
        raise ManualChangeError(f"{user.email} is already on {plan.name}.", code="no_change")
    before = subscription_facts(subscription)
    _plan_put(usage, subscription, plan)
    after = subscription_facts(subscription)
    _history(user=user, event_type="subscription.changed", data={
        "cause": "operator", "before": {key: before[key] for key in _EVENT_KEYS},
        "after": {key: after[key] for key in _EVENT_KEYS}})
    return AccountChange(before=before, after=after)


@transaction.atomic
def trial_extend(*, user: User, days: int) -> AccountChange:
    """Give a trialing (or recently expired) account ``days`` more days of trial."""
    if not 1 <= days <= MAX_TRIAL_EXTENSION_DAYS:
        raise ManualChangeError(f"Extend a trial by 1 to {MAX_TRIAL_EXTENSION_DAYS} days.", code="invalid_days")
    _usage, subscription = _locked_account(user)
    expired = subscription.trial_status == TrialStatus.EXPIRED and not subscription.has_access
    if not (subscription.is_trialing or expired) or subscription.trial_ends_at is None:
        raise ManualChangeError(f"{user.email} has no trial to extend.", code="no_trial")
    before = subscription_facts(subscription)
    # An expired trial restarts from today, not from the past end date.
    subscription.trial_ends_at = max(subscription.trial_ends_at, timezone.now()) + timedelta(days=days)
    subscription.current_period_end = subscription.trial_ends_at
    subscription.trial_status = TrialStatus.ACTIVE
    subscription.subscription_status = SubscriptionStatus.TRIALING
    if subscription.current_plan == FREE_PLAN_KEY and subscription.intended_plan:
        # An ended trial left the account on the free plan: the trial resumes on the plan it was for.
        subscription.current_plan = subscription.intended_plan
    subscription.save()
    # The "trial ended" email moves with the end (it is sent at most once, so a trial that already
    # got it does not get a second one).
    email_schedule(user_id=user.pk, key="trial_expired", send_at=subscription.trial_ends_at)
    _history(user=user, event_type="trial.extended", data={
        "plan_key": subscription.current_plan, "days": days, "ends_at": subscription.trial_ends_at.isoformat()})
    return AccountChange(before=before, after=subscription_facts(subscription))


@transaction.atomic
def usage_reset(*, user: User) -> AccountChange:
    """Start the account's monthly creator allowance again (campaigns are counted as they exist)."""
    usage, _subscription = _locked_account(user)
    before = {"creators_used_this_month": usage.creators_used_this_month, "usage_reset_date": usage.usage_reset_date}
    usage.creators_used_this_month = 0
    usage.usage_reset_date = next_month(timezone.localdate())
    usage.save(update_fields=["creators_used_this_month", "usage_reset_date", "updated_at"])
    _history(user=user, event_type="usage.reset", data={"creators_used_before": before["creators_used_this_month"]})
    return AccountChange(before=before, after={"creators_used_this_month": 0,
                                               "usage_reset_date": usage.usage_reset_date})
