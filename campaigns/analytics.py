"""Campaign analytics: the figures of one campaign, and of all a user's campaigns side by side.

Every figure is counted by the database in a handful of grouped queries (none per creator, search
or campaign), over the campaign's creators once each (the first search that found a creator
counts it) and, for a trial, over only the rows the trial is shown, so the figures describe the
creators the user can see on the results page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum

from accounts.models import User
from billing.selectors import result_row_limit
from scraping.models import JobCreator, Platform, ScrapingJob
from scraping.selectors import campaign_results, rows_shown

from .models import Campaign
from .selectors import campaigns_with_status

# (key, label, filter on the creator) in the order the charts draw them; unknowns have their own bar.
FOLLOWER_BUCKETS = (
    ("under_1k", "Under 1K", Q(creator__followers__lt=1_000)),
    ("1k_10k", "1K–10K", Q(creator__followers__gte=1_000, creator__followers__lt=10_000)),
    ("10k_100k", "10K–100K", Q(creator__followers__gte=10_000, creator__followers__lt=100_000)),
    ("100k_1m", "100K–1M", Q(creator__followers__gte=100_000, creator__followers__lt=1_000_000)),
    ("1m_plus", "1M+", Q(creator__followers__gte=1_000_000)),
    ("unknown", "Unknown", Q(creator__followers__isnull=True)),
)
ENGAGEMENT_BUCKETS = (
    ("under_1", "Under 1%", Q(creator__engagement_rate__lt=1)),
    ("1_3", "1–3%", Q(creator__engagement_rate__gte=1, creator__engagement_rate__lt=3)),
    ("3_6", "3–6%", Q(creator__engagement_rate__gte=3, creator__engagement_rate__lt=6)),
    ("6_10", "6–10%", Q(creator__engagement_rate__gte=6, creator__engagement_rate__lt=10)),
    ("10_plus", "10%+", Q(creator__engagement_rate__gte=10)),
    ("unknown", "Unknown", Q(creator__engagement_rate__isnull=True)),
)
TOP_KEYWORDS = 8  # bars the keyword chart has room for; the CSV lists every keyword
NO_KEYWORD = "(no keyword)"


@dataclass(frozen=True)
class PlatformFigures:
    platform: str
    label: str
    creators: int
    with_email: int

    @property
    def email_share(self) -> int:
        return share_percent(self.with_email, self.creators)


@dataclass(frozen=True)
class SearchCost:
    job_id: int
    label: str
    creators: int  # every creator the search found, shown to a trial or not: credits paid for all of them
    credits: int

    @property
    def credits_per_creator(self) -> Decimal | None:
        return _ratio(self.credits, self.creators)


@dataclass(frozen=True)
class CampaignFigures:
    campaign: Campaign
    creators: int
    with_email: int
    platforms: list[PlatformFigures]  # every platform, in the platform order, zero ones included
    followers: list[tuple[str, int]]  # (bucket label, creators)
    engagement: list[tuple[str, int]]
    keywords: list[tuple[str, int]]  # (keyword, distinct creators it found), most first
    searches: list[SearchCost]  # in the order they were started (left empty when campaigns are compared)
    credits: int
    creators_paid: int  # every creator the campaign's searches found, for credits per creator
    row_limit: int | None  # a trial's rows per search, None when every row counts

    @property
    def email_share(self) -> int:
        return share_percent(self.with_email, self.creators)

    @property
    def credits_per_creator(self) -> Decimal | None:
        return _ratio(self.credits, self.creators_paid)

    @property
    def top_keyword(self) -> tuple[str, int] | None:
        return self.keywords[0] if self.keywords else None

    @property
    def top_keywords(self) -> list[tuple[str, int]]:
        return self.keywords[:TOP_KEYWORDS]

    @property
    def more_keywords(self) -> int:
        return max(len(self.keywords) - TOP_KEYWORDS, 0)


def share_percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _ratio(credits: int, creators: int) -> Decimal | None:
    return (Decimal(credits) / creators).quantize(Decimal("0.01")) if creators else None


def _counts(buckets) -> dict:
    return {key: Count("id", filter=condition) for key, _label, condition in buckets}


def _creator_figures() -> dict:
    return {
        "creators": Count("id"),
        "with_email": Count("id", filter=Q(creator__has_email=True)),
        **{f"followers_{key}": value for key, value in _counts(FOLLOWER_BUCKETS).items()},
        **{f"engagement_{key}": value for key, value in _counts(ENGAGEMENT_BUCKETS).items()},
    }


def _platforms(counted: dict[str, tuple[int, int]]) -> list[PlatformFigures]:
    return [PlatformFigures(platform=key, label=label, creators=counted.get(key, (0, 0))[0],
                            with_email=counted.get(key, (0, 0))[1]) for key, label in Platform.choices]


def _figures(campaign: Campaign, *, totals: dict, platforms: dict, keywords: list[tuple[str, int]],
             searches: list[SearchCost], credits: int, creators_paid: int, row_limit: int | None) -> CampaignFigures:
    return CampaignFigures(
        campaign=campaign,
        creators=totals.get("creators", 0),
        with_email=totals.get("with_email", 0),
        platforms=_platforms(platforms),
        followers=[(label, totals.get(f"followers_{key}", 0)) for key, label, _q in FOLLOWER_BUCKETS],
        engagement=[(label, totals.get(f"engagement_{key}", 0)) for key, label, _q in ENGAGEMENT_BUCKETS],
        keywords=keywords,
        searches=searches,
        credits=credits,
        creators_paid=creators_paid,
        row_limit=row_limit,
    )


def _keyword_yield(rows: QuerySet[JobCreator], *, by_campaign: bool) -> Iterable[dict]:
    group = ("job__campaign_id", "keyword") if by_campaign else ("keyword",)
    return (rows.values(*group).annotate(found=Count("creator_id", distinct=True))
            .order_by("-found", "keyword"))


def _search_costs(jobs: QuerySet[ScrapingJob]) -> list[SearchCost]:
    return [SearchCost(job_id=job.pk, label=f"{job.get_platform_display()} · {job.query_label}",
                       creators=job.found_count, credits=job.credits_spent)
            for job in jobs.only("id", "platform", "search_type", "keywords", "target_username",
                                 "found_count", "credits_spent", "campaign_id").order_by("created_at", "id")]


def campaign_figures(*, user: User, campaign: Campaign) -> CampaignFigures:
    """The figures of ``campaign``, already read through ``campaign_get`` (so the user's own)."""
    limit = result_row_limit(user=user)
    creators = rows_shown(campaign_results(user=user, campaign_id=campaign.pk), limit=limit).order_by()
    totals = creators.aggregate(**_creator_figures())
    platforms = {
        row["creator__platform"]: (row["creators"], row["with_email"])
        for row in creators.values("creator__platform").annotate(
            creators=Count("id"), with_email=Count("id", filter=Q(creator__has_email=True)))
    }
    # A keyword's yield counts every creator it found, also those an earlier keyword found first.
    found = rows_shown(JobCreator.objects.filter(job__campaign=campaign, job__user=user), limit=limit)
    keywords = [(row["keyword"] or NO_KEYWORD, row["found"]) for row in _keyword_yield(found, by_campaign=False)]
    searches = _search_costs(ScrapingJob.objects.filter(campaign=campaign, user=user))
    return _figures(campaign, totals=totals, platforms=platforms, keywords=keywords, searches=searches,
                    credits=sum(search.credits for search in searches),
                    creators_paid=sum(search.creators for search in searches), row_limit=limit)


def campaigns_compared(*, user: User) -> list[CampaignFigures]:
    """The same figures for each of the user's campaigns that has searched, newest first (archived
    ones included: their figures still compare), in five queries whatever the number of campaigns."""
    limit = result_row_limit(user=user)
    campaigns = list(campaigns_with_status(user=user).filter(search_count__gt=0).order_by("-created_at", "-id"))
    if not campaigns:
        return []
    ids = [campaign.pk for campaign in campaigns]
    # Each campaign counts a creator once, as its first search to find them saw them (as campaign_results).
    mine = JobCreator.objects.filter(job__user=user, job__campaign_id__in=ids)
    first_sightings = mine.values("job__campaign_id", "creator_id").annotate(first=Min("id")).values("first")
    creators = rows_shown(JobCreator.objects.filter(id__in=first_sightings), limit=limit).order_by()
    totals = {row["job__campaign_id"]: row
              for row in creators.values("job__campaign_id").annotate(**_creator_figures())}
    platforms: dict[int, dict] = {}
    for row in creators.values("job__campaign_id", "creator__platform").annotate(
            creators=Count("id"), with_email=Count("id", filter=Q(creator__has_email=True))):
        platforms.setdefault(row["job__campaign_id"], {})[row["creator__platform"]] = (
            row["creators"], row["with_email"])
    keywords: dict[int, list[tuple[str, int]]] = {}
    for row in _keyword_yield(rows_shown(mine, limit=limit), by_campaign=True):
        keywords.setdefault(row["job__campaign_id"], []).append((row["keyword"] or NO_KEYWORD, row["found"]))
    costs = {row["campaign_id"]: row for row in ScrapingJob.objects.filter(user=user, campaign_id__in=ids)
             .values("campaign_id").annotate(credits=Sum("credits_spent"), found=Sum("found_count")).order_by()}
    return [
        _figures(campaign, totals=totals.get(campaign.pk, {}), platforms=platforms.get(campaign.pk, {}),
                 keywords=keywords.get(campaign.pk, []), searches=[],
                 credits=costs.get(campaign.pk, {}).get("credits") or 0,
                 creators_paid=costs.get(campaign.pk, {}).get("found") or 0, row_limit=limit)
        for campaign in campaigns
    ]


def comparison_rows(compared: list[CampaignFigures]) -> list[tuple[str, list]]:
    """The comparison as (figure, its value in each campaign) rows, for the side-by-side table and,
    one line per campaign, the CSV. A value is None where a campaign has none (no keyword, no credits)."""

    def each(value) -> list:
        return [value(figures) for figures in compared]

    rows: list[tuple[str, list]] = [
        ("Creators", each(lambda figures: figures.creators)),
        ("With a contact email", each(lambda figures: figures.with_email)),
        ("With a contact email (%)", each(lambda figures: figures.email_share)),
    ]
    for index, (_key, label) in enumerate(Platform.choices):
        rows.append((f"{label} creators", each(lambda figures, index=index: figures.platforms[index].creators)))
    for index, (_key, label, _q) in enumerate(FOLLOWER_BUCKETS):
        rows.append((f"Followers {label}", each(lambda figures, index=index: figures.followers[index][1])))
    for index, (_key, label, _q) in enumerate(ENGAGEMENT_BUCKETS):
        rows.append((f"Engagement {label}", each(lambda figures, index=index: figures.engagement[index][1])))
    rows += [
        ("Top keyword", each(lambda figures: figures.top_keyword[0] if figures.top_keyword else None)),
        ("Top keyword creators", each(lambda figures: figures.top_keyword[1] if figures.top_keyword else None)),
        ("Credits", each(lambda figures: figures.credits)),
        ("Credits per creator", each(lambda figures: figures.credits_per_creator)),
    ]
    return rows
