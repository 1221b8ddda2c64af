from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import BillingCycle, User, UserSubscription

from .models import UNLIMITED, BillingEvent, SubscriptionPlan
from .providers import provider_is_demo


def plan_list(*, paid_only: bool = False) -> QuerySet[SubscriptionPlan]:
    plans = SubscriptionPlan.objects.active()
    return plans.paid() if paid_only else plans


def plan_get(*, plan_key: str) -> SubscriptionPlan | None:
    return SubscriptionPlan.objects.filter(plan_key=plan_key).first()


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


def result_row_limit(*, user: User) -> int | None:
    """How many result rows of a search this user may see; None for no limit."""
    return TRIAL_RESULT_ROWS if user.subscription.is_trialing else None


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
    is_current: bool


def plan_offers(*, user: User, cycle: str) -> list[PlanOffer]:
    subscription = user.subscription
    offers = []
    for plan in plan_list(paid_only=True):
        yearly = cycle == BillingCycle.YEARLY
        price = plan.price_yearly_cents if yearly else plan.price_monthly_cents
        offers.append(PlanOffer(
            plan=plan, cycle=cycle, price_cents=price,
            per_month_cents=price // 12 if yearly else price,
            purchasable=bool(price_id_for(plan=plan, cycle=cycle)),
            is_current=subscription.has_access and subscription.current_plan == plan.plan_key
            and subscription.billing_cycle == cycle,
        ))
    return offers


def billing_history(*, user: User, limit: int = 50) -> QuerySet[BillingEvent]:
    """The user's billing events, newest first: webhooks, their changes, operator actions."""
    return BillingEvent.objects.filter(user=user).order_by("-occurred_at", "-id")[:limit]
