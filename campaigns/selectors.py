"""Campaign reads, scoped to their owner, with the status derived from their searches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Lower

from accounts.models import User
from influencer_platform.errors import NotFoundError
from scraping.models import ACTIVE_STATUSES, ScrapingJob

from .models import Campaign, CampaignActivity, CampaignStatus

CAMPAIGN_SORTS = {
    "newest": ("-created_at", "Newest"),
    "updated": ("-last_activity", "Recently updated"),
    "name": ("name_key", "Name A–Z"),
}


def campaigns_with_status(*, user: User) -> QuerySet[Campaign]:
    searches = ScrapingJob.objects.filter(campaign=OuterRef("pk"))
    return (
        Campaign.objects.filter(user=user)
        .annotate(
            status=Case(
                When(archived_at__isnull=False, then=Value(CampaignStatus.ARCHIVED)),
                When(Exists(searches.filter(status__in=ACTIVE_STATUSES)), then=Value(CampaignStatus.ACTIVE)),
                When(Exists(searches), then=Value(CampaignStatus.COMPLETED)),
                default=Value(CampaignStatus.DRAFT),
            ),
            search_count=Count("searches", distinct=True),
            creators_found=Coalesce(Sum("searches__found_count"), 0),
            last_activity=Greatest("updated_at", Coalesce(Max("searches__updated_at"), "updated_at")),
        )
    )


def campaign_list(*, user: User, status: str = "", text: str = "", sort: str = "newest") -> QuerySet[Campaign]:
    """The default view leaves archived campaigns out; ask for status "archived" to see them."""
    campaigns = campaigns_with_status(user=user)
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    else:
        campaigns = campaigns.exclude(status=CampaignStatus.ARCHIVED)
    if text:
        campaigns = campaigns.filter(Q(name__icontains=text) | Q(description__icontains=text))
    order, _label = CAMPAIGN_SORTS.get(sort, CAMPAIGN_SORTS["newest"])
    if order == "name_key":
        campaigns = campaigns.annotate(name_key=Lower("name"))
    return campaigns.order_by(F(order.lstrip("-")).desc() if order.startswith("-") else F(order).asc(), "-id")


def campaign_get(*, user: User, campaign_id: int) -> Campaign:
    campaign = campaigns_with_status(user=user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFoundError("No such campaign.")
    return campaign


def campaign_searches(*, campaign: Campaign) -> QuerySet[ScrapingJob]:
    return ScrapingJob.objects.filter(campaign=campaign).order_by("-created_at")


def campaign_running_searches(*, campaign: Campaign) -> int:
    """How many of the campaign's searches are still finding creators."""
    return ScrapingJob.objects.filter(campaign=campaign, status__in=ACTIVE_STATUSES).count()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    message: str
    kind: str


def campaign_timeline(*, campaign: Campaign, limit: int = 50) -> list[TimelineEntry]:
    """What people did, and how each search ended, newest first."""
    entries = [
        TimelineEntry(at=entry.created_at, message=entry.message, kind=entry.kind)
        for entry in CampaignActivity.objects.filter(campaign=campaign)[:limit]
    ]
    for job in ScrapingJob.objects.filter(campaign=campaign, finished_at__isnull=False).order_by("-finished_at")[:limit]:
        entries.append(TimelineEntry(
            at=job.finished_at, kind=f"search_{job.status}",
            message=f"{job.get_platform_display()} search for {job.query_label} {job.get_status_display().lower()}: "
                    f"{job.found_count:,} of {job.target_results:,} creators",
        ))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def campaign_counts(*, user: User) -> dict[str, int]:
    counts = {status: 0 for status in CampaignStatus.values}
    for row in campaigns_with_status(user=user).values("status").annotate(n=Count("id", distinct=True)).order_by():
        counts[row["status"]] = row["n"]
    return counts
