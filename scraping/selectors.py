"""Reads of searches and their results, always scoped to the user who owns them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Lower, TruncDate
from django.utils import timezone

from accounts.models import User
from influencer_platform.errors import NotFoundError

from .models import ACTIVE_STATUSES, JobCreator, ScrapingJob

PAGE_SIZES = (25, 50, 100)
RESULT_SORTS = {
    "rank": ("rank", "Best match"),
    "followers": ("-creator__followers", "Most followers"),
    "engagement": ("-creator__engagement_rate", "Highest engagement"),
    "name": ("name_key", "Name A–Z"),
    "newest": ("-found_at", "Newest"),
}
# Sort keys that may be unknown. Every other one is never null and sorts plainly, in an order an index can give.
_NULLABLE_SORTS = frozenset({"creator__followers", "creator__engagement_rate"})


@dataclass(frozen=True)
class ResultFilters:
    has_email: bool = False
    verified: bool = False
    min_followers: int | None = None
    max_followers: int | None = None
    text: str = ""
    sort: str = "rank"

    @property
    def active(self) -> bool:
        return bool(self.has_email or self.verified or self.min_followers is not None
                    or self.max_followers is not None or self.text)


def job_list(*, user: User) -> QuerySet[ScrapingJob]:
    return ScrapingJob.objects.filter(user=user)


def job_get(*, user: User, job_id: int) -> ScrapingJob:
    job = job_list(user=user).select_related("campaign").filter(pk=job_id).first()
    if job is None:
        raise NotFoundError("No such search.")
    return job


def _filtered(rows: QuerySet[JobCreator], filters: ResultFilters) -> QuerySet[JobCreator]:
    if filters.has_email:
        rows = rows.filter(creator__has_email=True)
    if filters.verified:
        rows = rows.filter(creator__verified=True)
    if filters.min_followers is not None:
        rows = rows.filter(creator__followers__gte=filters.min_followers)
    if filters.max_followers is not None:
        rows = rows.filter(creator__followers__lte=filters.max_followers)
    if filters.text:
        text = filters.text
        rows = rows.filter(Q(creator__handle__icontains=text) | Q(creator__display_name__icontains=text)
                           | Q(creator__bio__icontains=text) | Q(keyword__icontains=text))
    order, _label = RESULT_SORTS.get(filters.sort, RESULT_SORTS["rank"])
    if order == "name_key":
        rows = rows.annotate(name_key=Lower("creator__display_name"))
    field, descending = order.lstrip("-"), order.startswith("-")
    # Nulls (unknown followers or engagement) go last whichever way the column sorts.
    nulls_last = True if field in _NULLABLE_SORTS else None
    expression = F(field).desc(nulls_last=nulls_last) if descending else F(field).asc(nulls_last=nulls_last)
    return rows.order_by(expression, "id")


def job_results(*, user: User, job_id: int, filters: ResultFilters = ResultFilters()) -> QuerySet[JobCreator]:
    return job_result_rows(job=job_get(user=user, job_id=job_id), filters=filters)


def job_result_rows(*, job: ScrapingJob, filters: ResultFilters = ResultFilters()) -> QuerySet[JobCreator]:
    """The results of a search already read through ``job_get`` (so already the user's own)."""
    return _filtered(JobCreator.objects.filter(job=job).select_related("creator"), filters)


def campaign_results(*, user: User, campaign_id: int, filters: ResultFilters = ResultFilters()) -> QuerySet[JobCreator]:
    """Every creator the campaign's searches found, once, as the search that found them first saw them."""
    first_sightings = (JobCreator.objects.filter(job__campaign_id=campaign_id, job__user=user)
                       .values("creator_id").annotate(first=Min("id")).values("first"))
    rows = JobCreator.objects.filter(id__in=first_sightings).select_related("creator", "job")
    return _filtered(rows, filters)


def campaign_owned(*, user: User, campaign_id: int) -> bool:
    """Whether ``campaign_id`` names one of the user's campaigns.

    Campaigns belong to a higher app; the search's foreign key reaches their table without importing it.
    """
    campaign_model = ScrapingJob._meta.get_field("campaign").related_model
    return campaign_model.objects.filter(pk=campaign_id, user=user).exists()


def rows_shown(rows: QuerySet[JobCreator], *, limit: int | None) -> QuerySet[JobCreator]:
    """The rows a plan shows: all of them, or with a trial's ``limit`` only those among the first
    ``limit`` of their search by rank. Filters and sorting then choose among those rows; they
    cannot reach past them (sorting by followers would otherwise show another 25 each time)."""
    return rows if limit is None else rows.filter(rank__lte=limit)


class ResultRows:
    """A results queryset as the sequence a ``Paginator`` pages through: the rows the plan shows
    (``rows_shown``), at most ``limit`` of them.

    ``total`` counts every matching row, shown or not, so a trial can be told how many more a
    plan would show. A page is read in two steps
    (a "deferred join"): the ids of its rows, in order, from a query that carries only the
    filter and sort columns, then those rows by primary key. A deep page of a large search then
    sorts and skips narrow rows instead of whole rows with their creator's bio, and indexes can
    answer the first step alone.
    """

    def __init__(self, rows: QuerySet[JobCreator], *, limit: int | None = None) -> None:
        self._rows = rows
        self._shown = rows_shown(rows, limit=limit)
        self._limit = limit

    @cached_property
    def total(self) -> int:
        return self._rows.count()

    @cached_property
    def shown(self) -> int:
        return self.total if self._limit is None else min(self._shown.count(), self._limit)

    def __len__(self) -> int:
        return self.shown

    def __getitem__(self, window: slice) -> list[JobCreator]:
        start, stop, _step = window.indices(len(self))
        if start >= stop:
            return []
        ids = list(self._shown.values_list("id", flat=True)[start:stop])
        found = JobCreator.objects.select_related("creator").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]  # a row deleted in between is left out


@dataclass(frozen=True)
class ResultPage:
    page: Page  # of JobCreator rows, each with its creator loaded
    total: int  # every row matching the filters, including those a trial is not shown
    shown: int  # how many of them the plan shows


def result_page(rows: QuerySet[JobCreator], *, number: int | str | None, per_page: int,
                limit: int | None = None) -> ResultPage:
    """Page ``number`` of ``rows`` (the last one if past the end, the first if not a number)."""
    window = ResultRows(rows, limit=limit)
    return ResultPage(page=Paginator(window, per_page).get_page(number), total=window.total, shown=window.shown)


@dataclass(frozen=True)
class SearchTotals:
    searches: int
    running: int
    creators: int
    emails: int


def search_totals(*, user: User) -> SearchTotals:
    jobs = job_list(user=user).aggregate(
        searches=Count("id"), running=Count("id", filter=Q(status__in=ACTIVE_STATUSES)))
    # Creators, not result rows: one found by two searches is one creator, as it is one on the bill.
    found = JobCreator.objects.filter(job__user=user).aggregate(
        creators=Count("creator_id", distinct=True),
        emails=Count("creator_id", distinct=True, filter=Q(creator__has_email=True)))
    return SearchTotals(searches=jobs["searches"], running=jobs["running"], creators=found["creators"],
                        emails=found["emails"])


@dataclass(frozen=True)
class ActivityDay:
    day: object
    searches: int
    creators: int


def search_activity(*, user: User, days: int = 30) -> list[ActivityDay]:
    """Searches started and creators found per day for the last ``days`` days, zero days included."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    counted = {
        row["day"]: row
        for row in job_list(user=user).filter(created_at__date__gte=start)
        .annotate(day=TruncDate("created_at")).values("day")
        .annotate(searches=Count("id"), creators=Sum("found_count"))
    }
    return [
        ActivityDay(day=day, searches=counted.get(day, {}).get("searches", 0),
                    creators=counted.get(day, {}).get("creators") or 0)
        for day in (start + timedelta(days=offset) for offset in range(days))
    ]


def recent_jobs(*, user: User, limit: int = 8) -> QuerySet[ScrapingJob]:
    return job_list(user=user).select_related("campaign").order_by("-created_at")[:limit]

