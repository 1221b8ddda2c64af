"""Jobs that join the search engine to billing's lifecycle emails (campaigns sits above both)."""

from __future__ import annotations

import dramatiq
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from adminpanel.config import config_get
from billing.services.emails import search_finished_email_schedule
from influencer_platform import actor_names
from influencer_platform.errors import ProviderPermanentError
from scraping.models import JobStatus, ScrapingJob


@dramatiq.actor(actor_name=actor_names.SEARCH_FINISHED, queue_name="emails", max_retries=6, min_backoff=10_000,
                max_backoff=30 * 60_000, time_limit=60_000, throws=(ProviderPermanentError,))
def search_finished(job_id: int) -> None:
    search_finished_notify(job_id=job_id)


def search_finished_notify(*, job_id: int) -> bool:
    """Queue the owner's "search finished" email, or add the search to the one already waiting.

    Once per search, unless they turned it off. A search that ended within a minute of starting
    gets none: its owner was most likely still watching the results page when it finished.
    """
    job = ScrapingJob.objects.filter(pk=job_id).only(
        "user_id", "status", "platform", "search_type", "keywords", "target_username", "found_count",
        "started_at", "finished_at", "updated_at",
    ).first()
    # A search the user cancelled themselves needs no email.
    if job is None or not job.is_finished or job.status == JobStatus.CANCELLED:
        return False
    if job.duration is not None and job.duration < config_get("emails.search_finished_min_duration"):
        return False
    return search_finished_email_schedule(
        user_id=job.user_id,
        job_id=job.pk,
        finished_at=job.finished_at or timezone.now(),
        search={
            "search_label": job.query_label,
            "search_platform": job.get_platform_display(),
            "search_status": job.get_status_display(),
            "found_count": job.found_count,
            "search_url": f"{settings.SITE_URL}{reverse('search_detail', args=[job.pk])}",
        },
    )
