"""Subscriptions with the payment provider: customer, checkout, plan changes, and the one place
where the provider's view of a subscription is written into the account tables.

Rules that keep the seed product's failures from coming back:

* one provider customer per user, ever: created with an idempotency key built from our user id
  and written only if the row has none (the provider call happens before the row lock);
* a subscription state is applied by ``subscription_state_apply`` only, whoever brings it (a
  webhook snapshot, the checkout success page, a user action's response, the hourly reconcile),
  and only if it is at least as recent as the state already applied, so duplicates and events
  arriving out of order end in the same state;
* no HTTP call while a row is locked: provider calls come first, then one short transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum

from django.db import transaction
from django.utils import timezone

from accounts.models import (
    BillingCycle,
    BillingSyncStatus,
    SubscriptionStatus,
    TrialStatus,
    User,
    UserBilling,
    UserSubscription,
    UserUsage,
)
from accounts.services import onboarding_complete
from influencer_platform.errors import ApplicationError, NotFoundError, ProviderError, ProviderPermanentError

from ..models import BillingEvent, EventSource, EventStatus, SubscriptionPlan, TrialClaim
from ..providers import get_provider, provider_is_demo
from ..providers.base import BillingDetails, PaymentDeclinedError, SubscriptionState
from ..selectors import LIVE_SUBSCRIPTION_STATUSES, OVERDUE_STATUSES, plan_for_price, plan_get, price_id_for
from .emails import (
    TRIAL_EMAIL_KEYS,
    email_schedule,
    email_schedule_cancel,
    subscription_welcome_schedule,
    trial_emails_schedule,
    trial_unpaid_email_schedule,
)
from .entitlements import TrialError, next_month, normalize_email_for_trial, trial_claim_reserve, trial_length
from .events import event_record

logger = logging.getLogger(__name__)

STATUS_FROM_PROVIDER = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.UNPAID,
    "canceled": SubscriptionStatus.CANCELED,
    "incomplete": SubscriptionStatus.INCOMPLETE,
    "incomplete_expired": SubscriptionStatus.CANCELED,
    "paused": SubscriptionStatus.CANCELED,
}
# Idempotency keys for user actions are stable for this long, which absorbs double clicks and
# retried requests without making a deliberate repeat later impossible.
ACTION_KEY_WINDOW_SECONDS = 600


class BillingError(ApplicationError):
    code = "billing_error"


def _action_window() -> int:
    return int(timezone.now().timestamp()) // ACTION_KEY_WINDOW_SECONDS


def now_whole_second() -> datetime:
    # Provider event times have whole seconds; a live read is stamped the same way so that an
    # event from the same second is not mistaken for an older one.
    return timezone.now().replace(microsecond=0)


def _provider_call(operation):
    """Run a provider call for a user-facing action; failures become a sentence, never a 500."""
    try:
        return operation()
    except PaymentDeclinedError as exc:
        raise BillingError("Your card was declined, so nothing was changed or charged. Update your card and try again.",
                           code="payment_declined", status_code=402) from exc
    except ProviderPermanentError as exc:
        logger.warning("billing provider refused", extra={"status": exc.status, "error": exc.message})
        raise BillingError("The payment provider refused this change. Please try again or contact us.",
                           code="provider_refused") from exc
    except ProviderError as exc:
        logger.warning("billing provider unavailable", extra={"error": exc.message})
        raise BillingError("Payments are temporarily unavailable. Please try again in a minute.",
                           code="provider_unavailable", status_code=503) from exc


# --- customer ------------------------------------------------------------------------------


def customer_ensure(*, user: User) -> str:
    """The user's provider customer id, created on first need; the same one forever after."""
    existing = UserBilling.objects.filter(user_id=user.pk).values_list("stripe_customer_id", flat=True).first()
    if existing:
        return existing
    customer = _provider_call(lambda: get_provider().customer_create(
        email=user.email, name=user.full_name, user_id=user.pk, idempotency_key=f"customer-user-{user.pk}"
    ))
    return _customer_store(user_id=user.pk, customer_id=customer.id)


@transaction.atomic
def _customer_store(*, user_id: int, customer_id: str) -> str:
    billing = UserBilling.objects.select_for_update().get(user_id=user_id)
    if billing.stripe_customer_id:
        # A concurrent request stored one first; with the same idempotency key it is the same one.
        return billing.stripe_customer_id
    billing.stripe_customer_id = customer_id
    billing.save(update_fields=["stripe_customer_id", "updated_at"])
    event_record(event_type="customer.created", aggregate=f"customer:{customer_id}", user_id=user_id,
                 data={"customer_id": customer_id}, idempotency_key=f"app:customer.created:{customer_id}")
    return customer_id


# --- checkout ------------------------------------------------------------------------------


def _purchasable_plan(plan_key: str, cycle: str) -> tuple[SubscriptionPlan, str]:
    plan = plan_get(plan_key=plan_key)
    if plan is None or not plan.is_active or not plan.is_paid:
        raise BillingError("Choose one of the plans shown.", code="invalid_plan")
    if cycle not in BillingCycle.values:
        raise BillingError("Choose monthly or yearly billing.", code="invalid_cycle")
    price_id = price_id_for(plan=plan, cycle=cycle)
    if not price_id:
        raise BillingError(f"{plan.name} can't be bought online yet. Please contact us.", code="price_missing")
    return plan, price_id


def trial_available(*, user: User) -> bool:
    """A first subscription comes with the trial, unless this person already had one."""
    subscription = UserSubscription.objects.get(user_id=user.pk)
    if subscription.trial_started_at is not None or UserBilling.objects.filter(
        user_id=user.pk
    ).exclude(stripe_subscription_id="").exists():
        return False
    claim = TrialClaim.objects.filter(email_normalized=normalize_email_for_trial(user.email)).first()
    return claim is None or claim.user_id == user.pk


def checkout_start(
    *, user: User, plan_key: str, cycle: str, success_url: str, cancel_url: str, trial_required: bool = False
) -> str:
    """Open a checkout for ``plan_key``; returns the URL to send the user to.

    A first subscription gets the 7-day trial (card collected now, charged at its end); with
    ``trial_required`` (onboarding) a person whose trial was used is refused with a message.
    """
    plan, price_id = _purchasable_plan(plan_key, cycle)
    subscription = UserSubscription.objects.get(user_id=user.pk)
    if subscription.subscription_status in LIVE_SUBSCRIPTION_STATUSES and UserBilling.objects.filter(
        user_id=user.pk
    ).exclude(stripe_subscription_id="").exists():
        raise BillingError("You already have a subscription: change its plan instead.", code="already_subscribed")
    trial_days = 0
    if trial_available(user=user):
        trial_claim_reserve(user=user, plan_key=plan.plan_key)
        trial_days = max(1, round(trial_length().total_seconds() / 86400))
    elif trial_required:
        raise TrialError(
            "A free trial has already been used with this email address. Choose a plan to continue.",
            code="trial_already_used",
        )
    customer_id = customer_ensure(user=user)
    metadata = {"user_id": str(user.pk), "plan_key": plan.plan_key, "cycle": cycle}
    session = _provider_call(lambda: get_provider().checkout_session_create(
        customer_id=customer_id, price_id=price_id, trial_days=trial_days,
        success_url=success_url, cancel_url=cancel_url, client_reference_id=str(user.pk), metadata=metadata,
        idempotency_key=f"checkout-{user.pk}-{price_id}-{trial_days}-{_action_window()}",
    ))
    event_record(
        event_type="checkout.started", aggregate=f"checkout:{session.id}", user_id=user.pk,
        data={**metadata, "trial_days": trial_days, "session_id": session.id},
        idempotency_key=f"app:checkout.started:{session.id}",
    )
    return session.url


def checkout_confirm(*, user: User, session_id: str) -> UserSubscription:
    """The success page: read the session back from the provider and apply its subscription."""
    provider = get_provider()
    session = _provider_call(lambda: provider.checkout_session_get(session_id))
    customer_id = UserBilling.objects.get(user_id=user.pk).stripe_customer_id
    if session.client_reference_id != str(user.pk) and (not customer_id or session.customer_id != customer_id):
        raise NotFoundError("That checkout does not belong to your account.")
    if session.status != "complete" or not session.subscription_id:
        raise BillingError("Your checkout isn't complete yet. If you paid, this page updates in a moment.",
                           code="checkout_incomplete")
    state = _provider_call(lambda: provider.subscription_get(session.subscription_id))
    details = billing_details_fetch(customer_id=session.customer_id, payment_method_id=state.payment_method_id)
    subscription_state_apply(user_id=user.pk, state=state, as_of=now_whole_second(), details=details,
                             cause="checkout.confirmed")
    return UserSubscription.objects.get(user_id=user.pk)


def demo_checkout_get(*, user: User, session_id: str) -> dict:
    """What the demo provider's checkout page shows, to the user who started that checkout only."""
    if not provider_is_demo():
        raise NotFoundError("There is no demo checkout here.")
    try:
        details = get_provider().demo_checkout_details(session_id)
    except ProviderPermanentError as exc:
        raise NotFoundError("That checkout does not exist.") from exc
    if details["client_reference_id"] != str(user.pk):
        raise NotFoundError("That checkout does not exist.")
    return details


def demo_checkout_complete(*, user: User, session_id: str) -> str:
    """The demo provider's checkout page was confirmed; returns where Stripe would redirect.

    Stripe would now send ``checkout.session.completed``; the demo has no webhooks, so what that
    webhook does happens here, and a user who never reaches the success page is subscribed too.
    """
    details = demo_checkout_get(user=user, session_id=session_id)
    get_provider().demo_checkout_complete(session_id)
    checkout_confirm(user=user, session_id=session_id)
    return details["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)


def portal_url(*, user: User, return_url: str) -> str:
    customer_id = UserBilling.objects.get(user_id=user.pk).stripe_customer_id
    if not customer_id:
        raise BillingError("Choose a plan first; the billing portal opens once you have subscribed.",
                           code="no_customer")
    return _provider_call(lambda: get_provider().portal_session_create(customer_id=customer_id, return_url=return_url))


# --- changes to a running subscription -------------------------------------------------------


def _subscription_id(user: User) -> str:
    subscription_id = UserBilling.objects.get(user_id=user.pk).stripe_subscription_id
    if not subscription_id:
        raise BillingError("You don't have a paid subscription yet. Choose a plan first.", code="no_subscription")
    return subscription_id


def _apply_now(user: User, state: SubscriptionState, cause: str) -> UserSubscription:
    subscription_state_apply(user_id=user.pk, state=state, as_of=now_whole_second(), cause=cause)
    return UserSubscription.objects.get(user_id=user.pk)


# A money action is confirmed on a page showing its amount; the form carries a one-time token.
# The token is claimed (a unique row) before anything is asked of the provider, so of two submits,
# even racing ones, only the first makes the change; a later one only shows the result. It is
# also the provider's idempotency key. A change that fails gives its token back for a retry.


def _confirmation_claim(user: User, confirmation: str, action: str, data: dict) -> bool:
    """Take the confirmation's one use; False when an earlier submit already took it."""
    if not confirmation:
        return True
    now = timezone.now()
    _, created = BillingEvent.objects.get_or_create(
        idempotency_key=f"app:confirmed:{user.pk}:{confirmation}",
        defaults={"event_type": "action.confirmed", "aggregate": f"user:{user.pk}", "user_id": user.pk,
                  "data": {"action": action, **data}, "source": EventSource.APP, "occurred_at": now,
                  "status": EventStatus.PROCESSED, "processed_at": now},
    )
    return created


def _confirmation_release(user: User, confirmation: str) -> None:
    if confirmation:
        BillingEvent.objects.filter(idempotency_key=f"app:confirmed:{user.pk}:{confirmation}").delete()


def _confirmed_once(user: User, confirmation: str, action: str, data: dict, change) -> UserSubscription:
    if not _confirmation_claim(user, confirmation, action, data):
        return UserSubscription.objects.get(user_id=user.pk)
    try:
        return change()
    except Exception:
        _confirmation_release(user, confirmation)
        raise


def _action_key(user: User, name: str, confirmation: str, *parts: str) -> str:
    if confirmation:
        return f"{name}-{user.pk}-{confirmation}"
    return "-".join((name, str(user.pk), *parts, str(_action_window())))


def subscription_change_plan(
    *, user: User, plan_key: str, cycle: str, proration_date: int | None = None, confirmation: str = "",
) -> UserSubscription:
    """Upgrade or downgrade, billed the way its preview showed. No new trial comes with a change.

    ``proration_date`` is the moment the preview was computed for; ``confirmation`` the token of
    the confirmation form: the same token again changes and charges nothing.
    """

    def change() -> UserSubscription:
        plan, price_id = _purchasable_plan(plan_key, cycle)
        subscription_id = _subscription_id(user)
        current = UserSubscription.objects.get(user_id=user.pk)
        if current.current_plan == plan.plan_key and current.billing_cycle == cycle and current.has_access:
            raise BillingError(f"You are already on {plan.name}, billed {cycle}.", code="same_plan")
        if confirmation and proration_date is None and not current.is_trialing:
            # Confirmed during the trial, where a switch bills nothing; a paid plan would be billed.
            raise BillingError("Your trial has ended since you reviewed this change, so it would now be billed. "
                               "Review it again to see the amount.", code="preview_outdated")
        state = _provider_call(lambda: get_provider().subscription_change_price(
            subscription_id=subscription_id, price_id=price_id, proration_date=proration_date,
            idempotency_key=_action_key(user, "change", confirmation, subscription_id, price_id),
        ))
        return _apply_now(user, state, "plan.changed")

    return _confirmed_once(user, confirmation, "plan.change", {"plan_key": plan_key, "cycle": cycle}, change)


def subscription_cancel(*, user: User, confirmation: str = "") -> UserSubscription:
    """Cancel at the end of the period already paid for; access continues until then."""

    def change() -> UserSubscription:
        subscription_id = _subscription_id(user)
        state = _provider_call(lambda: get_provider().subscription_set_cancel_at_period_end(
            subscription_id=subscription_id, cancel=True))
        return _apply_now(user, state, "cancel.requested")

    return _confirmed_once(user, confirmation, "cancel", {}, change)


def subscription_resume(*, user: User) -> UserSubscription:
    subscription_id = _subscription_id(user)
    state = _provider_call(lambda: get_provider().subscription_set_cancel_at_period_end(
        subscription_id=subscription_id, cancel=False))
    return _apply_now(user, state, "cancel.withdrawn")


def subscription_start_now(*, user: User, confirmation: str = "") -> UserSubscription:
    """End the trial early: the card is charged now and the paid plan starts."""

    def change() -> UserSubscription:
        subscription_id = _subscription_id(user)
        if not UserSubscription.objects.get(user_id=user.pk).is_trialing:
            raise BillingError("Your plan is not in a trial.", code="not_trialing")
        state = _provider_call(lambda: get_provider().subscription_end_trial(
            subscription_id=subscription_id,
            idempotency_key=_action_key(user, "start-now", confirmation, subscription_id),
        ))
        return _apply_now(user, state, "trial.ended_early")

    return _confirmed_once(user, confirmation, "trial.end_now", {}, change)


def subscription_refresh(*, user_id: int) -> str:
    """Read the user's subscription from the provider and apply it (reconcile, missed webhooks)."""
    billing = UserBilling.objects.get(user_id=user_id)
    if not billing.stripe_subscription_id:
        return "no_subscription"
    provider = get_provider()
    state = provider.subscription_get(billing.stripe_subscription_id)
    details = billing_details_fetch(customer_id=state.customer_id or billing.stripe_customer_id,
                                    payment_method_id=state.payment_method_id)
    return subscription_state_apply(user_id=user_id, state=state, as_of=now_whole_second(), details=details,
                                    cause="reconciled", source=EventSource.SCHEDULER)


def billing_details_fetch(*, customer_id: str, payment_method_id: str = "") -> BillingDetails | None:
    """Card and address for the account tables; missing details never block a subscription.

    ``payment_method_id`` is the subscription's own payment method, when it has one.
    """
    if not customer_id:
        return None
    try:
        return get_provider().billing_details(customer_id, payment_method_id=payment_method_id)
    except ProviderPermanentError as exc:
        logger.warning("billing details unavailable", extra={"status": exc.status})
        return None


# --- applying the provider's state ------------------------------------------------------------


@dataclass(frozen=True)
class _Before:
    status: str
    plan: str
    cycle: str
    trial_status: str
    cancel_at_period_end: bool


def billing_details_apply(billing: UserBilling, details: BillingDetails | None) -> None:
    if details is None:
        return
    if details.card is not None:
        billing.stripe_payment_method_id = details.payment_method_id[:64]
        billing.card_brand = details.card.brand[:20]
        billing.card_last4 = details.card.last4[:4]
        billing.card_exp_month = details.card.exp_month
        billing.card_exp_year = details.card.exp_year
    if details.address is not None:
        billing.billing_city = details.address.city
        billing.billing_country = details.address.country
        billing.billing_postal_code = details.address.postal_code


def _trial_claim_record(user: User, plan_key: str) -> None:
    """The provider granted a trial: make sure it counts as this person's one trial."""
    claim, created = TrialClaim.objects.get_or_create(
        email_normalized=normalize_email_for_trial(user.email), defaults={"user": user, "plan_key": plan_key}
    )
    if not created and claim.user_id != user.pk:
        logger.warning("provider granted a second trial to a person", extra={"user_id": user.pk})


# The monthly sweep steps a reset date one calendar month at a time, clamped to short months
# (31 Jan -> 28 Feb -> 28 Mar), while Stripe keeps renewing on the original day (31 Mar).
MAX_RESET_DRIFT_DAYS = 3


def _usage_reset_date_align(usage: UserUsage, state: SubscriptionState, *, today) -> None:
    """Keep a monthly plan's allowance renewing on the date Stripe renews it.

    Only a reset date still ahead is moved, and only by the few days clamping can account for,
    so this never skips a reset that is due nor postpones one by a whole period.
    """
    if state.current_period_end is None or usage.usage_reset_date is None:
        return
    renewal = state.current_period_end.date()
    drift = abs((renewal - usage.usage_reset_date).days)
    if usage.usage_reset_date > today and renewal > today and 0 < drift <= MAX_RESET_DRIFT_DAYS:
        usage.usage_reset_date = renewal
        usage.save(update_fields=["usage_reset_date", "updated_at"])


class StateOutcome(StrEnum):
    """What applying a provider's state of a subscription did."""

    APPLIED = "applied"
    # Older than what is already applied, or news about a subscription a newer one has replaced.
    STALE = "stale"


class TrialChange(Enum):
    NONE = "none"
    BEGAN = "began"
    CONVERTED = "converted"
    ENDED = "ended"


def _account_snapshot(subscription: UserSubscription) -> _Before:
    return _Before(subscription.subscription_status, subscription.current_plan, subscription.billing_cycle,
                   subscription.trial_status, subscription.cancel_at_period_end)


def _state_is_stale(*, subscription: UserSubscription, billing: UserBilling, state: SubscriptionState,
                    as_of: datetime) -> bool:
    if billing.stripe_subscription_id not in ("", state.id):
        # News about another subscription does not replace the live one, unless it is a live
        # subscription reported after the current state was (a late copy of an older one is not).
        return subscription.subscription_status in LIVE_SUBSCRIPTION_STATUSES and (
            not state.is_live or bool(subscription.provider_state_at and as_of < subscription.provider_state_at))
    return bool(subscription.provider_state_at and as_of < subscription.provider_state_at)


def _plan_and_trial_dates_apply(subscription: UserSubscription, state: SubscriptionState) -> None:
    plan, cycle = plan_for_price(price_id=state.price_id)
    if plan is None and state.metadata.get("plan_key"):
        plan = plan_get(plan_key=state.metadata["plan_key"])
    if plan is not None:
        subscription.current_plan = plan.plan_key
    subscription.billing_cycle = cycle or (BillingCycle.YEARLY if state.interval == "year" else BillingCycle.MONTHLY)
    if state.trial_end:
        subscription.trial_ends_at = state.trial_end
        subscription.trial_started_at = state.trial_start or subscription.trial_started_at or state.trial_end - trial_length()


def _trial_transition(subscription: UserSubscription, status: str, *, now: datetime) -> TrialChange:
    """Move the trial's own status along with the subscription's, and say how it moved."""
    if status == SubscriptionStatus.TRIALING:
        if subscription.trial_status == TrialStatus.ACTIVE:
            return TrialChange.NONE
        subscription.trial_status = TrialStatus.ACTIVE
        return TrialChange.BEGAN
    if subscription.trial_status != TrialStatus.ACTIVE:
        return TrialChange.NONE
    if status == SubscriptionStatus.ACTIVE:
        subscription.trial_status = TrialStatus.CONVERTED
        subscription.trial_converted_at = now
        return TrialChange.CONVERTED
    ended_on_time = subscription.trial_ends_at is not None and subscription.trial_ends_at <= now
    subscription.trial_status = TrialStatus.EXPIRED if ended_on_time else TrialStatus.CANCELLED
    return TrialChange.ENDED


def _period_and_sync_apply(subscription: UserSubscription, state: SubscriptionState, *, status: str,
                           as_of: datetime, same_subscription: bool) -> None:
    subscription.subscription_status = status
    subscription.current_period_end = state.current_period_end
    # One flag for "set to end", however Stripe scheduled it: at the period end (classic billing
    # mode) or as a date (``cancel_at``: flexible mode's portal, or a custom date).
    subscription.cancel_at_period_end = state.cancel_at_period_end or state.cancel_at is not None
    subscription.cancel_at = state.ends_at
    subscription.canceled_at = state.canceled_at
    subscription.billing_sync_status = BillingSyncStatus.SYNCED
    subscription.provider_state_at = max(as_of, subscription.provider_state_at or as_of) if same_subscription else as_of


def _billing_ids_apply(billing: UserBilling, state: SubscriptionState, details: BillingDetails | None) -> None:
    billing.stripe_subscription_id = state.id
    if not billing.stripe_customer_id and state.customer_id:
        billing.stripe_customer_id = state.customer_id
    billing_details_apply(billing, details)
    billing.save()


def _allowance_apply(usage: UserUsage, subscription: UserSubscription, state: SubscriptionState, *,
                     trial: TrialChange, became_active: bool, now: datetime) -> None:
    """The monthly creator allowance: fresh when a trial or a paid period starts, else kept on the billing date."""
    if trial is TrialChange.BEGAN:
        usage.creators_used_this_month = 0
        usage.usage_reset_date = next_month(now.date())
        usage.save(update_fields=["creators_used_this_month", "usage_reset_date", "updated_at"])
    elif became_active:
        # A paid period starts: a fresh monthly allowance, renewing on the billing date.
        usage.creators_used_this_month = 0
        period_end = state.current_period_end.date() if state.current_period_end else None
        monthly = subscription.billing_cycle == BillingCycle.MONTHLY
        usage.usage_reset_date = period_end if monthly and period_end else next_month(now.date())
        usage.save(update_fields=["creators_used_this_month", "usage_reset_date", "updated_at"])
    elif (subscription.subscription_status == SubscriptionStatus.ACTIVE
          and subscription.billing_cycle == BillingCycle.MONTHLY):
        _usage_reset_date_align(usage, state, today=now.date())


def _trial_events_and_emails(*, user_id: int, subscription: UserSubscription, trial: TrialChange, aggregate: str,
                             source: str, now: datetime) -> None:
    if trial is TrialChange.BEGAN:
        event_record(event_type="trial.started", aggregate=aggregate, user_id=user_id, source=source,
                     data={"plan_key": subscription.current_plan, "ends_at": subscription.trial_ends_at.isoformat()
                           if subscription.trial_ends_at else None, "with_card": True})
        trial_emails_schedule(user_id=user_id, started_at=subscription.trial_started_at or now,
                              ends_at=subscription.trial_ends_at or now + trial_length())
    elif subscription.trial_status == TrialStatus.ACTIVE and subscription.trial_ends_at:
        # The trial's end moved (extended or shortened): the "trial ended" email moves with it.
        email_schedule(user_id=user_id, key="trial_expired", send_at=subscription.trial_ends_at)
    if trial is TrialChange.CONVERTED:
        event_record(event_type="trial.converted", aggregate=aggregate, user_id=user_id, source=source,
                     data={"plan_key": subscription.current_plan})
        email_schedule_cancel(user_id=user_id, keys=TRIAL_EMAIL_KEYS)
    if trial is TrialChange.ENDED:
        event_record(event_type=f"trial.{subscription.trial_status}", aggregate=aggregate, user_id=user_id,
                     source=source, data={"plan_key": subscription.current_plan})
        email_schedule_cancel(user_id=user_id, keys=("trial_day_2", "trial_day_5"))
        if (subscription.trial_status == TrialStatus.EXPIRED
                and subscription.subscription_status not in OVERDUE_STATUSES):
            email_schedule(user_id=user_id, key="trial_expired", send_at=now)
        else:
            email_schedule_cancel(user_id=user_id, keys=("trial_expired",))


@transaction.atomic
def subscription_state_apply(
    *,
    user_id: int,
    state: SubscriptionState,
    as_of: datetime,
    details: BillingDetails | None = None,
    cause: str = "",
    source: str = EventSource.APP,
) -> StateOutcome:
    """Write the provider's state of a subscription into the account tables.

    Idempotent: applying the same state twice changes nothing the second time.
    """
    # Fixed lock order, the same as usage metering: usage, then subscription, then billing.
    usage = UserUsage.objects.select_for_update().get(user_id=user_id)
    subscription = UserSubscription.objects.select_for_update().get(user_id=user_id)
    billing = UserBilling.objects.select_for_update().get(user_id=user_id)
    user = User.objects.get(pk=user_id)
    now = timezone.now()
    if _state_is_stale(subscription=subscription, billing=billing, state=state, as_of=as_of):
        return StateOutcome.STALE
    same_subscription = billing.stripe_subscription_id in ("", state.id)

    before = _account_snapshot(subscription)
    status = STATUS_FROM_PROVIDER.get(state.status, SubscriptionStatus.INCOMPLETE)
    _plan_and_trial_dates_apply(subscription, state)
    trial = _trial_transition(subscription, status, now=now)
    _period_and_sync_apply(subscription, state, status=status, as_of=as_of, same_subscription=same_subscription)
    subscription.save()
    _billing_ids_apply(billing, state, details)

    became_active = status == SubscriptionStatus.ACTIVE and before.status != SubscriptionStatus.ACTIVE
    if trial is TrialChange.BEGAN:
        _trial_claim_record(user, subscription.current_plan)
    _allowance_apply(usage, subscription, state, trial=trial, became_active=became_active, now=now)
    if status in (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE) and not user.is_onboarded:
        onboarding_complete(user=user)

    after = _account_snapshot(subscription)
    aggregate = f"subscription:{state.id}"
    if after != before:
        event_record(
            event_type="subscription.changed", aggregate=aggregate, user_id=user_id, source=source,
            data={"cause": cause, "before": before.__dict__, "after": after.__dict__},
        )
    _trial_events_and_emails(user_id=user_id, subscription=subscription, trial=trial, aggregate=aggregate,
                             source=source, now=now)
    if became_active:
        # A trial ended by Stripe's clock reads "active" before its first charge is attempted.
        subscription_welcome_schedule(user_id=user_id, first_charge_pending=(
            trial is TrialChange.CONVERTED and cause != "trial.ended_early"))
    if status in OVERDUE_STATUSES and before.status not in OVERDUE_STATUSES:
        trial_unpaid_email_schedule(user_id=user_id)
    return StateOutcome.APPLIED


def trial_expire(*, user_id: int, now: datetime | None = None) -> str:
    """End a trial whose time is up. Provider trials are asked about; local ones end here."""
    now = now or timezone.now()
    if UserBilling.objects.filter(user_id=user_id).exclude(stripe_subscription_id="").exists():
        # The provider ends its own trials (charging the card); a trial still open here means its
        # webhook has not arrived: read the subscription instead of guessing.
        return subscription_refresh(user_id=user_id)
    return _local_trial_expire(user_id=user_id, now=now)


@transaction.atomic
def _local_trial_expire(*, user_id: int, now: datetime) -> str:
    subscription = UserSubscription.objects.select_for_update().get(user_id=user_id)
    if not (subscription.is_trialing and subscription.trial_ends_at and subscription.trial_ends_at <= now):
        return "not_due"
    subscription.subscription_status = SubscriptionStatus.NONE
    subscription.trial_status = TrialStatus.EXPIRED
    subscription.save(update_fields=["subscription_status", "trial_status", "updated_at"])
    event_record(event_type="trial.expired", aggregate=f"user:{user_id}", user_id=user_id,
                 source=EventSource.SCHEDULER, data={"plan_key": subscription.current_plan})
    email_schedule_cancel(user_id=user_id, keys=("trial_day_2", "trial_day_5"))
    email_schedule(user_id=user_id, key="trial_expired", send_at=now)
    return "expired"

