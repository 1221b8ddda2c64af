"""Campaign writes: create, edit, archive and restore, and starting searches inside a campaign."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing.services import usage_record_campaign, usage_release_campaign
from influencer_platform.errors import ApplicationError
from scraping.models import ScrapingJob, SearchType
from scraping.services import job_cancel, job_retry, job_start

from .models import ActivityKind, Campaign, CampaignActivity


class CampaignError(ApplicationError):
    code = "campaign_invalid"


def _log(campaign: Campaign, *, actor: User | None, kind: str, message: str, job: ScrapingJob | None = None) -> None:
    CampaignActivity.objects.create(campaign=campaign, actor=actor, kind=kind, message=message[:300], job=job)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CampaignError("Give the campaign a name.", extra={"field": "name"})
    if len(name) > 120:
        raise CampaignError("Keep the name under 120 characters.", extra={"field": "name"})
    return name


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 2000:
        raise CampaignError("Keep the description under 2,000 characters.", extra={"field": "description"})
    return description


@transaction.atomic
def campaign_create(*, user: User, name: str, description: str = "", search_type: str = SearchType.KEYWORD) -> Campaign:
    """Create a campaign, counting it against the plan (refused with the plan that allows more)."""
    name, description = _clean_name(name), _clean_description(description)
    if search_type not in SearchType.values:
        raise CampaignError("Choose keyword or similar-creator searches.", extra={"field": "search_type"})
    usage_record_campaign(user_id=user.pk)
    campaign = Campaign.objects.create(user=user, name=name, description=description, search_type=search_type)
    _log(campaign, actor=user, kind=ActivityKind.CREATED, message=f"Created “{name}”")
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: User, name: str | None = None, description: str | None = None,
                    search_type: str | None = None) -> Campaign:
    changes = []
    if name is not None and _clean_name(name) != campaign.name:
        campaign.name = _clean_name(name)
        changes.append("name")
    if description is not None and _clean_description(description) != campaign.description:
        campaign.description = _clean_description(description)
        changes.append("description")
    if search_type is not None and search_type != campaign.search_type:
        if search_type not in SearchType.values:
            raise CampaignError("Choose keyword or similar-creator searches.", extra={"field": "search_type"})
        campaign.search_type = search_type
        changes.append("search type")
    if changes:
        campaign.save()
        _log(campaign, actor=actor, kind=ActivityKind.EDITED, message=f"Changed the {', '.join(changes)}")
    return campaign


@transaction.atomic
def campaign_archive(*, campaign: Campaign, actor: User) -> Campaign:
    """Archive: hidden from the default list, no new searches; running searches are cancelled."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.archived_at:
        return campaign
    for job in ScrapingJob.objects.active().filter(campaign=campaign):
        job_cancel(job=job)
    campaign.archived_at = timezone.now()
    campaign.save(update_fields=["archived_at", "updated_at"])
    _log(campaign, actor=actor, kind=ActivityKind.ARCHIVED, message="Archived")
    return campaign


@transaction.atomic
def campaign_restore(*, campaign: Campaign, actor: User) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.archived_at:
        campaign.archived_at = None
        campaign.save(update_fields=["archived_at", "updated_at"])
        _log(campaign, actor=actor, kind=ActivityKind.RESTORED, message="Restored from the archive")
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign) -> None:
    """Delete a campaign with its searches and their result rows, and give its slot in the plan
    back; creator profiles stay shared, and creators already counted this month stay counted."""
    # Campaign row, then (by the cascade) its search rows, then the usage row: a search step
    # locks its job before the usage row too, so the two can never wait on each other.
    campaign = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    if campaign is None:
        return  # deleted by a request that got here first; its slot is already given back
    campaign.delete()
    usage_release_campaign(user_id=campaign.user_id)


def _indefinite(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


@transaction.atomic
def campaign_search_start(
    *,
    user: User,
    campaign: Campaign,
    platform: str,
    search_type: str,
    target_results: int,
    keywords: str | list[str] = "",
    username: str = "",
    dispatch: bool = True,
) -> ScrapingJob:
    """Start a search in a campaign; its first search turns a draft campaign active."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.archived_at:
        raise CampaignError("This campaign is archived. Restore it to run new searches.", code="campaign_archived")
    job = job_start(user=user, platform=platform, search_type=search_type, target_results=target_results,
                    keywords=keywords, username=username, campaign_id=campaign.pk, dispatch=dispatch)
    campaign.save(update_fields=["updated_at"])
    _log(campaign, actor=user, kind=ActivityKind.SEARCH_STARTED,
         message=f"Started {_indefinite(job.get_platform_display())} search for {job.query_label} "
                 f"({target_results:,} creators)",
         job=job)
    return job


@transaction.atomic
def campaign_search_cancel(*, user: User, job: ScrapingJob) -> ScrapingJob:
    job = job_cancel(job=job)
    if job.campaign_id:
        _log(job.campaign, actor=user, kind=ActivityKind.SEARCH_CANCELLED,
             message=f"Cancelled the search for {job.query_label}", job=job)
    return job


@transaction.atomic
def campaign_search_resume(*, user: User, job: ScrapingJob) -> ScrapingJob:
    """Run an interrupted search on from where it stopped (after a subscription, a new month, an outage)."""
    job = job_retry(job=job)
    if job.campaign_id:
        _log(job.campaign, actor=user, kind=ActivityKind.SEARCH_RESUMED,
             message=f"Resumed the search for {job.query_label}", job=job)
    return job


def campaign_export_record(*, campaign: Campaign, actor: User, rows: str) -> None:
    _log(campaign, actor=actor, kind=ActivityKind.EXPORTED, message=f"Exported {rows} to CSV")
