"""Jobs that join the search engine to billing's lifecycle emails (campaigns sits above both)."""

from __future__ import annotations

import dramatiq
from django.conf import settings
from django.urls import reverse

from billing.services.emails import lifecycle_email_send
from influencer_platform.errors import ProviderPermanentError
from scraping.models import JobStatus, ScrapingJob


@dramatiq.actor(actor_name="search_finished", queue_name="emails", max_retries=6, min_backoff=10_000,
                max_backoff=30 * 60_000, time_limit=60_000, throws=(ProviderPermanentError,))
def search_finished(job_id: int) -> None:
    search_finished_notify(job_id=job_id)


def search_finished_notify(*, job_id: int) -> bool:
    """Email the owner that their search ended: once per search, unless they turned it off."""
    job = ScrapingJob.objects.filter(pk=job_id).only(
        "user_id", "status", "platform", "search_type", "keywords", "target_username", "found_count"
    ).first()
    # A search the user cancelled themselves needs no email.
    if job is None or not job.is_finished or job.status == JobStatus.CANCELLED:
        return False
    return lifecycle_email_send(
        user_id=job.user_id,
        key=f"search_finished:{job.pk}",
        context={
            "search_label": job.query_label,
            "search_platform": job.get_platform_display(),
            "search_status": job.get_status_display(),
            "found_count": job.found_count,
            "search_url": f"{settings.SITE_URL}{reverse('search_detail', args=[job.pk])}",
        },
    )
