from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User, UserSubscription

from .models import UNLIMITED, SubscriptionPlan


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
