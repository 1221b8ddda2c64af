"""Searches run by a real Dramatiq worker on the Redis broker, as in production."""


import pytest

from scraping.models import JobCreator, JobStatus, ScrapingJob
from scraping.services import job_start
from tests.waiting import wait_until


def wait_until_finished(job: ScrapingJob, timeout: float = 30) -> ScrapingJob:
    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    wait_until(finished, timeout=timeout,
               failure=lambda: f"job still {job.status} with {job.found_count} found after {timeout}s")
    return job


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_started_runs_to_completion_on_the_worker(sandbox, make_customer, job_worker):
    user = make_customer("viral_surge")

    job = job_start(user=user, platform="tiktok", search_type="keyword", keywords="fitness, yoga",
                    target_results=120)
    job = wait_until_finished(job)

    assert job.status == JobStatus.COMPLETED
    assert job.found_count == JobCreator.objects.filter(job=job).count() == 120
    user.usage.refresh_from_db()
    assert user.usage.creators_used_this_month == 120
