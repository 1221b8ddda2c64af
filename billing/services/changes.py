"""What a money action would do, shown before the customer confirms it: switching plan or billing
cycle, starting the paid plan now (ending the trial early), and cancelling.

Amounts are the provider's own invoice preview (the demo provider computes one the same way), and
a switch is later made with the preview's proration date, so the customer pays what they saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from accounts.models import User, UserBilling, UserSubscription, UserUsage

from ..models import SubscriptionPlan
from ..providers import get_provider
from ..providers.base import InvoicePreview
from ..selectors import LIVE_SUBSCRIPTION_STATUSES, plan_for_user
from .subscriptions import BillingError, _provider_call, _purchasable_plan, _subscription_id


@dataclass(frozen=True)
class ChangeQuote:
    action: str  # plan_change | start_now | cancel
    current_plan: SubscriptionPlan
    current_cycle: str
    plan: SubscriptionPlan  # the plan after the change
    cycle: str
    trialing: bool
    card: str  # "Visa ending 4242", or "" when none is on file
    preview: InvoicePreview | None = None  # what is billed; a cancellation bills nothing
    ends_at: datetime | None = None  # a cancellation: access lasts until then
    over_limits: tuple[str, ...] = ()  # a downgrade: what the account already has beyond the new plan


    @property
    def cycle_changes(self) -> bool:
        return self.cycle != self.current_cycle

    @property
    def plan_changes(self) -> bool:
        return self.plan.plan_key != self.current_plan.plan_key


def _running_subscription(user: User) -> tuple[str, UserSubscription]:
    subscription_id = _subscription_id(user)
    subscription = UserSubscription.objects.get(user_id=user.pk)
    if subscription.subscription_status not in LIVE_SUBSCRIPTION_STATUSES:
        raise BillingError("Your subscription has ended. Choose a plan to start again.", code="subscription_ended")
    return subscription_id, subscription


def _card_label(user: User) -> str:
    billing = UserBilling.objects.get(user_id=user.pk)
    if not billing.card_last4:
        return ""
    return f"{(billing.card_brand or 'card').title()} ending {billing.card_last4}"


def _over_limits(user: User, plan: SubscriptionPlan) -> tuple[str, ...]:
    """What a customer moving to ``plan`` already has beyond its limits, in their words."""
    usage = UserUsage.objects.get(user_id=user.pk)
    notes = []
    if not plan.unlimited_campaigns and usage.campaigns_used > plan.campaigns_limit:
        notes.append(f"You have {usage.campaigns_used:,} campaigns and {plan.name} includes {plan.campaigns_limit:,}: "
                     "they all stay, but a new one needs you to delete some first.")
    if not plan.unlimited_creators and usage.creators_used_this_month > plan.creators_limit:
        notes.append(f"You have used {usage.creators_used_this_month:,} creators this month and {plan.name} includes "
                     f"{plan.creators_limit:,}: new creators wait for the monthly renewal.")
    return tuple(notes)


def plan_change_quote(*, user: User, plan_key: str, cycle: str) -> ChangeQuote:
    """What switching to ``plan_key`` billed ``cycle`` costs today and on the next invoice."""
    plan, price_id = _purchasable_plan(plan_key, cycle)
    subscription_id, subscription = _running_subscription(user)
    if subscription.current_plan == plan.plan_key and subscription.billing_cycle == cycle:
        raise BillingError(f"You are already on {plan.name}, billed {cycle}.", code="same_plan")
    proration_date = int(timezone.now().timestamp())
    preview = _provider_call(lambda: get_provider().subscription_change_preview(
        subscription_id=subscription_id, price_id=price_id, proration_date=proration_date))
    return ChangeQuote(
        action="plan_change", current_plan=plan_for_user(user=user), current_cycle=subscription.billing_cycle,
        plan=plan, cycle=cycle, trialing=subscription.is_trialing, card=_card_label(user), preview=preview,
        over_limits=_over_limits(user, plan),
    )


def trial_end_quote(*, user: User) -> ChangeQuote:
    """What starting the paid plan now charges: the trial ends and the first period is billed."""
    subscription_id, subscription = _running_subscription(user)
    if not subscription.is_trialing:
        raise BillingError("Your plan is not in a trial, so there is nothing to start early.", code="not_trialing")
    if subscription.cancel_at_period_end:
        raise BillingError("Your plan is set to end with the trial. Resume it first to start it now.",
                           code="cancel_requested")
    preview = _provider_call(lambda: get_provider().subscription_end_trial_preview(subscription_id=subscription_id))
    plan = plan_for_user(user=user)
    return ChangeQuote(
        action="start_now", current_plan=plan, current_cycle=subscription.billing_cycle, plan=plan,
        cycle=subscription.billing_cycle, trialing=True, card=_card_label(user), preview=preview,
    )


def cancel_quote(*, user: User) -> ChangeQuote:
    """Until when a cancelled plan keeps working; nothing more is charged.

    The date is read from the provider, which decides when the period ends.
    """
    subscription_id, subscription = _running_subscription(user)
    state = _provider_call(lambda: get_provider().subscription_get(subscription_id))
    trialing = state.status == "trialing"
    if state.ends_at is not None:
        # Cancelled already, here or in Stripe's portal (which may schedule a date of its own).
        raise BillingError(f"Your plan is already set to end on {state.ends_at:%B} {state.ends_at.day}, "
                           f"{state.ends_at.year}. Nothing more will be charged.", code="already_cancelled")
    ends_at = state.trial_end if trialing else state.current_period_end
    plan = plan_for_user(user=user)
    return ChangeQuote(
        action="cancel", current_plan=plan, current_cycle=subscription.billing_cycle, plan=plan,
        cycle=subscription.billing_cycle, trialing=trialing, card=_card_label(user), ends_at=ends_at,
    )
