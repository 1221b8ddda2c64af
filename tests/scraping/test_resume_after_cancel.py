"""A search an operator cancelled can be resumed (by an operator) and runs on to its target from where
it stopped; a search its owner cancelled stays cancelled for them."""

import pytest

from influencer_platform.errors import ApplicationError
from scraping.models import EndReason, JobCreator, JobStatus
from scraping.services import job_cancel, job_retry, job_start, job_step_run

from .conftest import run_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_page_steps(settings, sandbox):
    # A step that reads one page and stops, so a search is cancelled between steps, half-way.
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "scraping.step_duration": "0s"}


def started(user, target=200):
    job = job_start(user=user, platform="tiktok", search_type="keyword", keywords="skincare",
                    target_results=target, dispatch=False)
    job_step_run(job_id=job.pk, dispatch=False)
    job.refresh_from_db()
    return job


def test_operator_cancelled_search_resumes_to_its_target_without_counting_anyone_twice(sandbox, subscriber):
    job = started(subscriber)
    kept = job.found_count
    cancelled = job_cancel(job=job, by_operator=True)

    resumed = run_job(job_retry(job=cancelled, by_operator=True, dispatch=False))

    assert (cancelled.status, cancelled.end_reason) == (JobStatus.CANCELLED, EndReason.CANCELLED_BY_OPERATOR)
    assert 0 < kept < 200
    assert resumed.status == JobStatus.COMPLETED and resumed.found_count == 200
    assert JobCreator.objects.filter(job=resumed).values("creator").distinct().count() == 200
    subscriber.usage.refresh_from_db()
    assert subscriber.usage.creators_used_this_month == 200


def test_owner_cannot_resume_a_search_they_cancelled(sandbox, subscriber):
    job = job_cancel(job=started(subscriber))

    with pytest.raises(ApplicationError) as refused:
        job_retry(job=job, dispatch=False)

    assert refused.value.code == "job_not_retryable"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
