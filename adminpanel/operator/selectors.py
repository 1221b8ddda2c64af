"""The numbers on the operations overview: searches, provider credits, trials and conversions.

Each figure is one aggregate query over an indexed time window; nothing here loads rows per item.
Test accounts are left out of the business figures (trials, conversions, subscribers) but not out
of the search figures: their searches load the workers and spend real provider credits.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Case, Count, DurationField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import TruncDate, TruncHour, TruncWeek

from accounts.models import LifecycleEvent, LifecycleEventKind, OnboardingStep, SubscriptionStatus, TrialStatus, UserSubscription
from redis.exceptions import RedisError

from influencer_platform.formatting import duration_compact
from scraping.models import ACTIVE_STATUSES, JobStatus, Platform, ScrapingJob
from scraping.ratelimit import RateInForce, provider_rate_limiter

# Outcome groups, in the order charts stack them.
OUTCOMES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("completed", "Completed", "#15803d", (JobStatus.COMPLETED,)),
    ("partial", "Partial", "#d98a00", (JobStatus.PARTIAL,)),
    ("failed", "Failed or timed out", "#d6384b", (JobStatus.ERROR, JobStatus.TIMEOUT)),
    ("cancelled", "Cancelled", "#7b8099", (JobStatus.CANCELLED,)),
    ("running", "Queued or running", "#5b47e0", tuple(ACTIVE_STATUSES)),
]
_OUTCOME_OF = {status: key for key, _label, _colour, statuses in OUTCOMES for status in statuses}


class _Median(Aggregate):
    # PostgreSQL only; SQLite (the embedded default) takes the median in Python below.
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _duration():
    return ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())


@dataclass(frozen=True)
class SearchWindow:
    label: str
    since: datetime
    total: int
    by_platform: list[tuple[str, list[int], int]]  # (platform label, counts in OUTCOMES order, total)
    by_outcome: dict[str, int]
    finished: int
    failed: int
    median_duration: timedelta | None
    credits_spent: int
    creators_found: int

    @property
    def failure_rate(self) -> float | None:
        return round(100 * self.failed / self.finished, 1) if self.finished else None

    @property
    def outcome_totals(self) -> list[int]:
        return [self.by_outcome[outcome] for outcome, *_ in OUTCOMES]

    @property
    def median_text(self) -> str:
        return duration_compact(self.median_duration)


def _median_duration(jobs) -> timedelta | None:
    finished = jobs.filter(started_at__isnull=False, finished_at__isnull=False)
    if connection.vendor == "postgresql":
        return finished.aggregate(median=_Median(_duration()))["median"]
    durations = [end - start for start, end in finished.values_list("started_at", "finished_at")[:50_000]]
    return statistics.median(durations) if durations else None


def search_window(*, label: str, since: datetime) -> SearchWindow:
    jobs = ScrapingJob.objects.filter(created_at__gte=since)
    counts: dict[str, dict[str, int]] = {platform: {} for platform in Platform.values}
    credits = found = 0
    for row in jobs.values("platform", "status").annotate(
        n=Count("id"), credits=Sum("credits_spent"), found=Sum("found_count")
    ).order_by():
        outcome = _OUTCOME_OF.get(row["status"], "running")
        platform = counts.setdefault(row["platform"], {})
        platform[outcome] = platform.get(outcome, 0) + row["n"]
        credits += row["credits"] or 0
        found += row["found"] or 0
    by_outcome = {key: sum(platform.get(key, 0) for platform in counts.values()) for key, *_ in OUTCOMES}
    labels = dict(Platform.choices)
    by_platform = [
        (labels.get(key, key), [value.get(outcome, 0) for outcome, *_ in OUTCOMES], sum(value.values()))
        for key, value in counts.items()
    ]
    total = sum(by_outcome.values())
    return SearchWindow(
        label=label, since=since, total=total, by_platform=by_platform, by_outcome=by_outcome,
        finished=total - by_outcome["running"], failed=by_outcome["failed"],
        median_duration=_median_duration(jobs), credits_spent=credits, creators_found=found,
    )


@dataclass(frozen=True)
class OutcomeSlot:
    start: datetime | date
    counts: dict[str, int] = field(default_factory=dict)


def _outcome_slots(starts: list, rows) -> list[OutcomeSlot]:
    """``rows`` of (slot start, status, count) grouped into one ``OutcomeSlot`` per start."""
    slots = {start: OutcomeSlot(start) for start in starts}
    for start, status, count in rows:
        slot = slots.get(start)
        if slot is not None:
            outcome = _OUTCOME_OF.get(status, "running")
            slot.counts[outcome] = slot.counts.get(outcome, 0) + count
    return list(slots.values())


def searches_per_day(*, today: date, days: int = 30) -> list[OutcomeSlot]:
    start = today - timedelta(days=days - 1)
    rows = (ScrapingJob.objects.filter(created_at__date__gte=start).annotate(day=TruncDate("created_at"))
            .values_list("day", "status").annotate(n=Count("id")).order_by())
    return _outcome_slots([start + timedelta(days=offset) for offset in range(days)], rows)


def searches_per_hour(*, now: datetime, hours: int = 24) -> list[OutcomeSlot]:
    current = now.replace(minute=0, second=0, microsecond=0)
    start = current - timedelta(hours=hours - 1)
    rows = (ScrapingJob.objects.filter(created_at__gte=start).annotate(hour=TruncHour("created_at"))
            .values_list("hour", "status").annotate(n=Count("id")).order_by())
    return _outcome_slots([start + timedelta(hours=offset) for offset in range(hours)], rows)


@dataclass(frozen=True)
class ProviderPace:
    """The rate the shared limiter allows now (None: Redis unreachable), and how calls went lately."""

    rate: RateInForce | None
    calls: int
    hedged: int
    wasted: int
    rate_limited: int

    @property
    def wasted_share(self) -> float | None:
        return round(100 * self.wasted / self.calls, 1) if self.calls else None


def provider_pace(*, since: datetime) -> ProviderPace:
    try:
        rate = provider_rate_limiter().rate_in_force()
    except RedisError:
        rate = None
    totals = ScrapingJob.objects.filter(updated_at__gte=since).aggregate(
        calls=Sum("provider_calls"), hedged=Sum("hedged_calls"), wasted=Sum("wasted_calls"),
        rate_limited=Sum("rate_limited_calls"))
    return ProviderPace(rate=rate, **{key: value or 0 for key, value in totals.items()})


def _provider_balance() -> tuple[int | None, datetime | None]:
    """The provider's balance as it last reported it, and when."""
    last = (ScrapingJob.objects.filter(credits_remaining__isnull=False).order_by("-updated_at")
            .values_list("credits_remaining", "updated_at").first())
    return last if last else (None, None)


def provider_credits_remaining() -> int | None:
    """The provider's balance as it last reported it."""
    return _provider_balance()[0]


@dataclass(frozen=True)
class TrialFigures:
    active_trials: int
    trials_started: int  # in the window
    trials_converted: int  # in the window
    trials_expired: int  # ended in the window without converting
    paying: int
    paying_by_plan: list[tuple[str, int]]

    @property
    def conversion_rate(self) -> float | None:
        decided = self.trials_converted + self.trials_expired
        return round(100 * self.trials_converted / decided, 1) if decided else None


def trial_figures(*, now: datetime, days: int = 30) -> TrialFigures:
    since = now - timedelta(days=days)
    real = UserSubscription.objects.filter(user__is_test_data=False)
    figures = real.aggregate(
        active_trials=Count("pk", filter=Q(subscription_status=SubscriptionStatus.TRIALING, trial_ends_at__gt=now)),
        trials_started=Count("pk", filter=Q(trial_started_at__gte=since)),
        trials_converted=Count("pk", filter=Q(trial_status=TrialStatus.CONVERTED, trial_converted_at__gte=since)),
        # A trial past its end without converting has expired, whether or not the expiry job has
        # marked it yet.
        trials_expired=Count("pk", filter=Q(trial_ends_at__gte=since, trial_ends_at__lte=now)
                             & ~Q(trial_status__in=[TrialStatus.CONVERTED, TrialStatus.NOT_STARTED])),
        paying=Count("pk", filter=Q(subscription_status=SubscriptionStatus.ACTIVE)),
    )
    by_plan = list(real.filter(subscription_status=SubscriptionStatus.ACTIVE).values_list("current_plan")
                   .annotate(n=Count("pk")).order_by("-n", "current_plan"))
    return TrialFigures(paying_by_plan=by_plan, **figures)


@dataclass(frozen=True)
class TrialDay:
    day: date
    started: int
    converted: int


def trials_per_day(*, today: date, days: int = 30) -> list[TrialDay]:
    start = today - timedelta(days=days - 1)
    real = UserSubscription.objects.filter(user__is_test_data=False)
    started = dict(real.filter(trial_started_at__date__gte=start).annotate(day=TruncDate("trial_started_at"))
                   .values_list("day").annotate(n=Count("pk")).order_by())
    converted = dict(real.filter(trial_converted_at__date__gte=start).annotate(day=TruncDate("trial_converted_at"))
                     .values_list("day").annotate(n=Count("pk")).order_by())
    return [TrialDay(day, started.get(day, 0), converted.get(day, 0))
            for day in (start + timedelta(days=offset) for offset in range(days))]



FUNNEL_STAGES = (
    ("signed_up", "Signed up", "#94a3b8", Q(kind=LifecycleEventKind.REGISTERED)),
    ("onboarded", "Onboarded", "#5b47e0",
     Q(kind=LifecycleEventKind.ONBOARDING_STEP, key=OnboardingStep.COMPLETED)),
    ("trial", "Started a trial", "#d97706", Q(kind=LifecycleEventKind.TRIAL_STARTED)),
    ("paid", "Paid", "#15803d", Q(kind=LifecycleEventKind.TRIAL_CONVERTED)
     | Q(kind=LifecycleEventKind.SUBSCRIPTION_CHANGED, data__after__status=SubscriptionStatus.ACTIVE)),
)


@dataclass(frozen=True)
class FunnelWeek:
    start: date
    counts: dict[str, int]


def lifecycle_funnel_per_week(*, today: date, weeks: int = 12) -> list[FunnelWeek]:
    """Accounts reaching each stage per week (Monday first), real accounts only; one query.

    Each account counts once per stage and week: two plan changes in a week are one payer.
    """
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    stage = Case(*[When(condition, then=Value(key)) for key, _label, _colour, condition in FUNNEL_STAGES],
                 default=Value(""))
    rows = (LifecycleEvent.objects.filter(occurred_at__date__gte=start, user__is_test_data=False)
            .annotate(stage=stage, week=TruncWeek("occurred_at")).exclude(stage="")
            .values_list("week", "stage").annotate(n=Count("user_id", distinct=True)).order_by())
    counts: dict[tuple[date, str], int] = {(week.date(), key): n for week, key, n in rows}
    return [FunnelWeek(day, {key: counts.get((day, key), 0) for key, *_rest in FUNNEL_STAGES})
            for day in (start + timedelta(weeks=offset) for offset in range(weeks))]


@dataclass(frozen=True)
class ProviderCredit:
    remaining: int | None
    reported_at: datetime | None
    per_day: list[tuple[date, int]]  # credits spent by the searches started that day, oldest first
    burn_days: int  # how many of the last days the burn rate averages

    @property
    def burn_rate(self) -> float:
        """Credits spent per day, averaged over the last ``burn_days`` days."""
        recent = [spent for _day, spent in self.per_day[-self.burn_days:]]
        return sum(recent) / len(recent) if recent else 0.0

    @property
    def days_left(self) -> float | None:
        """Days until the balance runs out at the current burn rate; None when nothing is being spent."""
        if self.remaining is None or self.burn_rate <= 0:
            return None
        return max(self.remaining, 0) / self.burn_rate


def provider_credit(*, today: date, days: int = 30, burn_days: int = 7) -> ProviderCredit:
    start = today - timedelta(days=days - 1)
    spent = dict(ScrapingJob.objects.filter(created_at__date__gte=start).annotate(day=TruncDate("created_at"))
                 .values_list("day").annotate(credits=Sum("credits_spent")).order_by())
    remaining, reported_at = _provider_balance()
    return ProviderCredit(
        remaining=remaining, reported_at=reported_at, burn_days=burn_days,
        per_day=[(day, spent.get(day) or 0) for day in (start + timedelta(days=offset) for offset in range(days))],
    )
