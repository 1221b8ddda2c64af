from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import BillingCycle, SubscriptionStatus, User, UserSubscription, UserUsage
from adminpanel.config import config_get

from .models import UNLIMITED, BillingEvent, EventSource, SubscriptionPlan
from .providers import provider_is_demo


def plan_list(*, paid_only: bool = False) -> QuerySet[SubscriptionPlan]:
    plans = SubscriptionPlan.objects.active()
    return plans.paid() if paid_only else plans


def plan_get(*, plan_key: str) -> SubscriptionPlan | None:
    return SubscriptionPlan.objects.filter(plan_key=plan_key).first()


def trial_days() -> int:
    """The trial (``billing.trial_length``) in whole days, as every page and email states it and
    as Stripe Checkout is asked for it (Stripe counts trials in days)."""
    return max(1, round(config_get("billing.trial_length").total_seconds() / 86400))


def plan_price_cents(*, plan: SubscriptionPlan, cycle: str) -> int:
    return plan.price_yearly_cents if cycle == BillingCycle.YEARLY else plan.price_monthly_cents


def plan_for_user(*, user: User) -> SubscriptionPlan:
    """The plan whose limits apply now; an unknown or missing key falls back to the free plan."""
    plan = plan_get(plan_key=user.subscription.current_plan)
    return plan or SubscriptionPlan(plan_key="free", name="Free")


@dataclass(frozen=True)
class Meter:
    label: str
    used: int
    limit: int

    @property
    def unlimited(self) -> bool:
        return self.limit == UNLIMITED

    @property
    def remaining(self) -> int | None:
        return None if self.unlimited else max(self.limit - self.used, 0)

    @property
    def percent(self) -> int:
        if self.unlimited:
            return 0
        if self.limit <= 0:
            return 100
        return min(100, round(100 * self.used / self.limit))

    @property
    def level(self) -> str:
        return "danger" if self.percent >= 90 else "warning" if self.percent >= 70 else "ok"


def usage_meters(*, user: User, plan: SubscriptionPlan | None = None) -> list[Meter]:
    plan = plan or plan_for_user(user=user)
    usage = user.usage
    return [
        Meter("Campaigns", usage.campaigns_used, plan.campaigns_limit),
        Meter("Creators this month", usage.creators_used_this_month, plan.creators_limit),
    ]


@dataclass(frozen=True)
class TrialCountdown:
    ends_at: datetime
    days: int
    hours: int
    minutes: int
    percent_elapsed: int

    @property
    def seconds_left(self) -> int:
        return (self.days * 24 * 60 + self.hours * 60 + self.minutes) * 60

    @property
    def expired(self) -> bool:
        return self.seconds_left == 0


def trial_countdown(*, subscription: UserSubscription, now: datetime | None = None) -> TrialCountdown | None:
    if not (subscription.is_trialing and subscription.trial_started_at and subscription.trial_ends_at):
        return None
    now = now or timezone.now()
    remaining = max(subscription.trial_ends_at - now, timedelta(0))
    total = (subscription.trial_ends_at - subscription.trial_started_at).total_seconds() or 1
    elapsed = min(max((now - subscription.trial_started_at).total_seconds(), 0), total)
    minutes = int(remaining.total_seconds() // 60)
    return TrialCountdown(
        ends_at=subscription.trial_ends_at,
        days=minutes // (24 * 60),
        hours=minutes // 60 % 24,
        minutes=minutes % 60,
        percent_elapsed=round(100 * elapsed / total),
    )


# Trial accounts see this many result rows of any search (pages, API and exports alike).
TRIAL_RESULT_ROWS = 25
# The one rule for counting creators, stated wherever usage is shown.
CREATOR_COUNTING_RULE = "A creator counts once per month, when it is first revealed to you."


def result_row_limit(*, user: User) -> int | None:
    """How many result rows of a search this user may see; None for no limit."""
    return TRIAL_RESULT_ROWS if user.subscription.is_trialing else None


@dataclass(frozen=True)
class CreatorAllowance(Meter):
    """This month's creators as every page and the API state them: one number, one rule."""

    resets_on: date | None = None
    trial_rows: int | None = None
    rule: str = CREATOR_COUNTING_RULE


def creator_allowance(*, user: User) -> CreatorAllowance:
    """Read fresh from the usage row: a search may have revealed creators since ``user`` was loaded."""
    usage = UserUsage.objects.get(user_id=user.pk)
    return CreatorAllowance(
        label="Creators this month",
        used=usage.creators_used_this_month,
        limit=plan_for_user(user=user).creators_limit,
        resets_on=usage.usage_reset_date,
        trial_rows=result_row_limit(user=user),
    )


# Statuses in which the provider tried to charge and could not.
OVERDUE_STATUSES = (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID)


@dataclass(frozen=True)
class SubscriptionStanding:
    """Where a paid subscription stands, in one sentence for the billing page."""

    message: SafeString
    alert: bool = False  # a payment failed: said as an alert, with the card to update
    ended: bool = False  # access is gone: the page offers the plans


def subscription_standing(*, subscription: UserSubscription) -> SubscriptionStanding | None:
    """The first of these that is true: a failed payment, a trial that will or will not continue,
    a plan set to end, a renewal, an ended subscription; None when there is nothing to say."""
    if subscription.subscription_status in OVERDUE_STATUSES:
        return SubscriptionStanding(mark_safe("Your last payment didn't go through, so searches and exports are "
                                              "paused. Update your card to continue."), alert=True)
    if subscription.is_trialing and subscription.cancel_at_period_end:
        return SubscriptionStanding(format_html("Your trial ends on {} UTC and your plan will not continue. Nothing "
                                                "will be charged.", _moment(subscription.ends_at)))
    if subscription.is_trialing:
        return SubscriptionStanding(format_html("Your card is charged when the trial ends on {} UTC.",
                                                _moment(subscription.trial_ends_at)))
    if subscription.cancel_at_period_end and subscription.has_access:
        return SubscriptionStanding(format_html("Ends on {}: your plan will not renew.", _day(subscription.ends_at)))
    if subscription.current_period_end and subscription.has_access:
        return SubscriptionStanding(format_html("Renews on {}.", _day(subscription.current_period_end)))
    if not subscription.has_access:
        return SubscriptionStanding(mark_safe("Your subscription has ended."), ended=True)
    return None


def _moment(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "F j, H:i") if value else ""


def _day(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "F j, Y") if value else ""


@dataclass(frozen=True)
class Paywall:
    """What a customer reads where results are held back, and where the button takes them."""

    message: str
    action: str
    url_name: str


def paywall(*, user: User, total: int, to_find: bool = False) -> Paywall:
    """The words for someone who cannot see all ``total`` creators of a search (or, ``to_find``, whose
    search stopped before finding them): a trial is told the plan it already chose, an overdue
    customer is told to pay, never to start a trial."""
    subscription = user.subscription
    plan = plan_get(plan_key=subscription.current_plan or subscription.intended_plan)
    plan_name = plan.name if plan and plan.is_paid else ""
    goal = f"find all {total:,}" if to_find else f"see all {total:,}"
    if subscription.subscription_status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID):
        return Paywall(f"Your payment for {plan_name or 'your plan'} is overdue. Update your card to {goal} again.",
                       "Update payment", "billing")
    if subscription.is_trialing and plan_name:
        return Paywall(f"Subscribe to {plan_name} to {goal}.", f"Subscribe to {plan_name}", "billing_plans")
    return Paywall(f"Choose a plan to {goal}.", "Choose a plan", "billing_plans")


DEMO_PRICE_PREFIX = "demo_"


def price_id_for(*, plan: SubscriptionPlan, cycle: str) -> str:
    """The provider's price id of ``plan`` billed ``cycle``; empty when none is configured."""
    if provider_is_demo():
        return f"{DEMO_PRICE_PREFIX}{plan.plan_key}_{cycle}"
    configured = plan.stripe_price_id_yearly if cycle == BillingCycle.YEARLY else plan.stripe_price_id_monthly
    return configured or str(settings.STRIPE_PRICE_IDS.get(plan.plan_key, {}).get(cycle, ""))


def plan_for_price(*, price_id: str) -> tuple[SubscriptionPlan | None, str]:
    """The plan and billing cycle a provider price id stands for."""
    if not price_id:
        return None, ""
    if price_id.startswith(DEMO_PRICE_PREFIX):
        plan_key, _, cycle = price_id[len(DEMO_PRICE_PREFIX):].rpartition("_")
        return plan_get(plan_key=plan_key), cycle
    plan = SubscriptionPlan.objects.filter(Q(stripe_price_id_monthly=price_id) | Q(stripe_price_id_yearly=price_id)).first()
    if plan is not None:
        return plan, BillingCycle.YEARLY if plan.stripe_price_id_yearly == price_id else BillingCycle.MONTHLY
    for plan_key, prices in settings.STRIPE_PRICE_IDS.items():
        for cycle, configured in prices.items():
            if configured == price_id:
                return plan_get(plan_key=plan_key), cycle
    return None, ""


@dataclass(frozen=True)
class PlanOffer:
    """One plan as the plans page shows it for a billing cycle."""

    plan: SubscriptionPlan
    cycle: str
    price_cents: int
    per_month_cents: int
    purchasable: bool
    is_current: bool  # the plan and cycle the user pays for: nothing to buy
    is_trial_plan: bool = False  # tried without a card (seeded or operator trial): still to buy


# A subscription in one of these is still running, even if overdue.
LIVE_SUBSCRIPTION_STATUSES = frozenset(
    {SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID}
)


def provider_subscription_live(*, user: User) -> bool:
    """The user has a subscription with the provider that is still running (even if overdue)."""
    return bool(user.billing.stripe_subscription_id) and (
        user.subscription.subscription_status in LIVE_SUBSCRIPTION_STATUSES
    )


def plan_offers(*, user: User, cycle: str) -> list[PlanOffer]:
    subscription = user.subscription
    subscribed = provider_subscription_live(user=user)
    offers = []
    for plan in plan_list(paid_only=True):
        yearly = cycle == BillingCycle.YEARLY
        price = plan.price_yearly_cents if yearly else plan.price_monthly_cents
        offers.append(PlanOffer(
            plan=plan, cycle=cycle, price_cents=price,
            per_month_cents=price // 12 if yearly else price,
            purchasable=bool(price_id_for(plan=plan, cycle=cycle)),
            is_current=subscribed and subscription.current_plan == plan.plan_key
            and subscription.billing_cycle == cycle,
            is_trial_plan=not subscribed and subscription.is_trialing and subscription.current_plan == plan.plan_key,
        ))
    return offers


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    summary: str
    source: str


# What a customer reads in their history. Provider events about a subscription are told by the
# ``subscription.changed`` they led to; of the provider's own events only payments are shown.
_PROVIDER_EVENTS_SHOWN = ("invoice.payment_succeeded", "invoice.payment_failed")
_EVENTS_SHOWN = (
    "subscription.changed", "checkout.started", "trial.started", "trial.converted", "trial.expired",
    "trial.cancelled", "trial.extended", "usage.reset", *_PROVIDER_EVENTS_SHOWN,
)
_SOURCE_FOR_CUSTOMER = {
    EventSource.STRIPE: "Payment provider",
    EventSource.APP: "You",
    EventSource.ADMIN: "Our team",
    EventSource.DEMO: "Demo billing",
    EventSource.SCHEDULER: "Automatic",
}


_STATUS_SENTENCES = {
    SubscriptionStatus.NONE: "{plan} plan ended",
    SubscriptionStatus.TRIALING: "{plan} trial running",
    SubscriptionStatus.ACTIVE: "{plan} plan active",
    SubscriptionStatus.PAST_DUE: "Payment overdue: {plan} is paused until it is paid",
    SubscriptionStatus.UNPAID: "Payment overdue: {plan} is paused until it is paid",
    SubscriptionStatus.CANCELED: "{plan} plan ended",
    SubscriptionStatus.INCOMPLETE: "{plan} plan waiting for its first payment",
}


def money_text(cents: int, currency: str) -> str:
    """An amount as history lines and emails show it: ``$99.00``, followed by the currency code unless USD."""
    dollars, rest = divmod(int(cents or 0), 100)
    amount = f"${dollars:,}.{rest:02d}"
    return amount if currency.lower() == "usd" else f"{amount} {currency.upper()}"


def _subscription_change_summary(data: dict, plan_names: dict[str, str]) -> str:
    before, after = data.get("before") or {}, data.get("after") or {}
    parts = []
    plan = plan_names.get(after.get("plan"), after.get("plan") or "")
    old_plan = plan_names.get(before.get("plan"), "") if before.get("plan") != "free" else ""
    # A first plan is named by the trial or status sentence; only a move between plans is told here.
    if old_plan and before.get("plan") != after.get("plan"):
        parts.append(f"Plan changed from {old_plan} to {plan}")
    if before.get("cycle") != after.get("cycle") and before.get("plan") == after.get("plan"):
        parts.append(f"Now billed {after.get('cycle')}")
    if before.get("cancel_at_period_end") != after.get("cancel_at_period_end"):
        parts.append("Cancellation at the end of the period requested" if after.get("cancel_at_period_end")
                     else "Cancellation withdrawn; the plan continues")
    # A trial starting, converting or ending has an entry of its own.
    if before.get("status") != after.get("status") and before.get("trial_status") == after.get("trial_status"):
        sentence = _STATUS_SENTENCES.get(after.get("status"), "Subscription {status}")
        parts.append(sentence.format(plan=plan, status=after.get("status")))
    return "; ".join(parts)


def _history_summary(event: BillingEvent, plan_names: dict[str, str]) -> str:
    data = event.data or {}
    plan = plan_names.get(data.get("plan_key", ""), data.get("plan_key", ""))
    if event.event_type == "subscription.changed":
        return _subscription_change_summary(data, plan_names)
    if event.event_type in _PROVIDER_EVENTS_SHOWN:
        invoice = (data.get("data") or {}).get("object") or {}
        currency = str(invoice.get("currency") or "usd")
        if event.event_type == "invoice.payment_failed":
            return f"Payment of {money_text(invoice.get('amount_due'), currency)} failed"
        return f"Payment of {money_text(invoice.get('amount_paid'), currency)} received"
    summaries = {
        "checkout.started": f"Checkout opened for {plan}, billed {data.get('cycle', 'monthly')}",
        "trial.started": f"Free trial of {plan} started",
        "trial.converted": f"Trial ended and the paid {plan} plan started",
        "trial.expired": f"Free trial of {plan} ended",
        "trial.cancelled": f"Trial of {plan} cancelled",
        "trial.extended": f"Free trial of {plan} extended by {data.get('days')} days",
        "usage.reset": "Monthly creator allowance renewed",
    }
    return summaries.get(event.event_type, event.event_type.replace(".", " ").replace("_", " ").capitalize())


def billing_history(*, user: User, limit: int = 50) -> list[HistoryEntry]:
    """The user's billing history in words, newest first: their changes, payments, trials."""
    events = (
        BillingEvent.objects.filter(user=user, event_type__in=_EVENTS_SHOWN)
        .order_by("-occurred_at", "-id")
        .only("occurred_at", "event_type", "source", "data")
    )
    plan_names = dict(SubscriptionPlan.objects.values_list("plan_key", "name"))
    entries = []
    for event in events[: limit * 2]:
        summary = _history_summary(event, plan_names)
        if summary:
            entries.append(HistoryEntry(event.occurred_at, summary, _SOURCE_FOR_CUSTOMER.get(event.source, "")))
    return entries[:limit]
