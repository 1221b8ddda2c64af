import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from scraping.models import CreatorProfile, EndReason, JobCreator, JobStatus, ScrapingJob
from tests.factories import ScrapingJobFactory, UserFactory

pytestmark = pytest.mark.django_db

JOBS = "admin:scraping_scrapingjob_changelist"
PROFILES = "admin:scraping_creatorprofile_changelist"


@pytest.fixture
def operator(db, client) -> User:
    admin = UserFactory(is_admin=True)
    client.force_login(admin)
    return admin


def make_job(user: User, **fields) -> ScrapingJob:
    return ScrapingJobFactory(**{
        "user": user, "platform": "tiktok", "search_type": "keyword", "keywords": ["skincare"],
        "target_results": 200, **fields,
    })


def make_profiles(count: int, *, start: int = 0) -> list[CreatorProfile]:
    return CreatorProfile.objects.bulk_create(
        CreatorProfile(
            platform="tiktok", external_id=f"tiktok-{n}", handle=f"creator{n:04d}",
            display_name=f"Creator {n}", followers=1_000 * (n + 1),
            emails=[{"address": f"creator{n:04d}@mail.com", "source": "bio"}], has_email=True,
        )
        for n in range(start, start + count)
    )


def add_results(job: ScrapingJob, profiles: list[CreatorProfile]) -> None:
    JobCreator.objects.bulk_create(
        JobCreator(job=job, creator=profile, rank=rank, keyword="skincare",
                   post_url=f"https://www.tiktok.com/@{profile.handle}/video/{rank}", post_views=rank * 100)
        for rank, profile in enumerate(profiles, start=1)
    )


def changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def post_action(client, action: str, jobs: list[ScrapingJob]):
    return client.post(
        reverse(JOBS), {"action": action, "_selected_action": [job.pk for job in jobs]}, follow=True
    )


def reported(response) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in response.context["messages"]]


def test_admin_changelists_open_for_operators(client, operator):
    make_job(operator)
    make_profiles(2)
    assert client.get(reverse(JOBS)).status_code == 200
    assert client.get(reverse(PROFILES)).status_code == 200


@pytest.mark.parametrize("url_name", [JOBS, PROFILES])
def test_admin_changelists_send_ordinary_users_to_the_admin_login(client, subscriber, url_name):
    client.force_login(subscriber)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_job_changelist_filters_by_status_and_platform(client, operator):
    running = make_job(operator, status=JobStatus.PROCESSING, keywords=["running-tiktok"])
    make_job(operator, status=JobStatus.COMPLETED, keywords=["done-tiktok"])
    make_job(operator, status=JobStatus.PROCESSING, platform="instagram", keywords=["running-instagram"])

    page = client.get(reverse(JOBS), {"status__exact": "processing", "platform__exact": "tiktok"})

    assert list(page.context["cl"].result_list) == [running]
    assert "running-tiktok" in page.content.decode()


def test_job_changelist_searches_keywords_users_and_ids(client, operator):
    other = UserFactory(email="glow@agency.com")
    serum = make_job(operator, keywords=["vitamin c serum", "retinol"])
    similar = make_job(other, search_type="similar", keywords=[], target_username="glowqueen")

    def found(term: str) -> list[ScrapingJob]:
        return list(client.get(reverse(JOBS), {"q": term}).context["cl"].result_list)

    assert found("retinol") == [serum]
    assert found("glowqueen") == [similar]
    assert found("glow@agency") == [similar]
    assert found(str(serum.pk)) == [serum]


def test_job_changelist_queries_do_not_grow_with_rows(client, operator):
    users = UserFactory.create_batch(3)
    for user in users:
        make_job(user)
    client.get(reverse(JOBS))
    few = changelist_queries(client, reverse(JOBS))

    for n in range(27):
        make_job(UserFactory(), status=JobStatus.COMPLETED, found_count=n, started_at=timezone.now())

    assert changelist_queries(client, reverse(JOBS)) == few


def test_profile_changelist_queries_do_not_grow_with_rows(client, operator):
    job = make_job(operator)
    add_results(job, make_profiles(3))
    client.get(reverse(PROFILES))
    few = changelist_queries(client, reverse(PROFILES))

    add_results(make_job(operator), make_profiles(27, start=3))

    assert changelist_queries(client, reverse(PROFILES)) == few


def test_profile_changelist_shows_emails_follower_counts_and_searches(client, operator):
    profile = make_profiles(1)[0]
    CreatorProfile.objects.filter(pk=profile.pk).update(followers=2_300_000)
    add_results(make_job(operator), [profile])
    add_results(make_job(operator), [profile])

    page = client.get(reverse(PROFILES)).content.decode()

    assert "creator0000@mail.com" in page
    assert "2.3 million" in page
    assert f"?results__creator__id__exact={profile.pk}\">2 searches</a>" in page


def test_profile_changelist_searches_email_addresses(client, operator):
    _, second = make_profiles(2)

    found = client.get(reverse(PROFILES), {"q": "creator0001@mail"}).context["cl"].result_list

    assert list(found) == [second]


def test_profile_found_by_link_lists_the_searches_that_found_it(client, operator):
    profile = make_profiles(1)[0]
    finder = make_job(operator)
    add_results(finder, [profile])
    make_job(operator)

    page = client.get(reverse(JOBS), {"results__creator__id__exact": profile.pk})

    assert list(page.context["cl"].result_list) == [finder]


def test_job_detail_shows_first_results_with_bounded_queries(client, operator, django_assert_max_num_queries):
    job = make_job(operator, status=JobStatus.COMPLETED, found_count=150, target_results=150,
                   checkpoint={"cursor": "abc123", "keyword_index": 1}, error_detail="Traceback: boom")
    add_results(job, make_profiles(150))
    url = reverse("admin:scraping_scrapingjob_change", args=[job.pk])

    with django_assert_max_num_queries(12):
        response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "@creator0000</a>" in page and "@creator0099</a>" in page
    assert "@creator0100</a>" not in page
    assert "150 (the first 100 by rank are listed below)" in page
    assert "creator0042@mail.com" in page
    assert "&quot;cursor&quot;: &quot;abc123&quot;" in page
    assert "Traceback: boom" in page


def test_job_detail_is_read_only(client, operator):
    job = make_job(operator)
    url = reverse("admin:scraping_scrapingjob_change", args=[job.pk])

    assert client.post(url, {"target_results": 5}).status_code == 403
    assert client.get(reverse("admin:scraping_scrapingjob_add")).status_code == 403
    job.refresh_from_db()
    assert job.target_results == 200


def test_job_delete_counts_results_and_removes_them(client, operator, django_assert_max_num_queries):
    job = make_job(operator, status=JobStatus.COMPLETED, found_count=150, target_results=150)
    add_results(job, make_profiles(150))
    url = reverse("admin:scraping_scrapingjob_delete", args=[job.pk])

    with django_assert_max_num_queries(10):
        confirmation = client.get(url)

    assert confirmation.status_code == 200
    assert dict(confirmation.context["model_count"])["job creators"] == 150
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not ScrapingJob.objects.filter(pk=job.pk).exists()
    assert not JobCreator.objects.filter(job_id=job.pk).exists()
    assert CreatorProfile.objects.count() == 150


def test_job_cancel_action_stops_running_jobs_and_reports_ended_ones(client, operator):
    running = make_job(operator, status=JobStatus.PROCESSING, found_count=12)
    finished = make_job(operator, status=JobStatus.COMPLETED, end_reason=EndReason.TARGET_REACHED,
                        found_count=200)

    response = post_action(client, "cancel_selected", [running, finished])

    assert response.status_code == 200
    running.refresh_from_db()
    finished.refresh_from_db()
    assert (running.status, running.end_reason) == (JobStatus.CANCELLED, EndReason.CANCELLED_BY_OPERATOR)
    assert (finished.status, finished.end_reason) == (JobStatus.COMPLETED, EndReason.TARGET_REACHED)
    assert finished.finished_at is None
    assert reported(response) == [
        (messages.SUCCESS, "Cancelled 1 search."),
        (messages.WARNING,
         f"1 search could not be cancelled: #{finished.pk} (This search has already ended.)"),
    ]


def test_job_resume_action_restarts_failed_jobs_and_reports_the_rest(client, operator):
    failed = make_job(operator, status=JobStatus.ERROR, end_reason=EndReason.PROVIDER_UNAVAILABLE,
                      found_count=40)
    completed = make_job(operator, status=JobStatus.COMPLETED, end_reason=EndReason.TARGET_REACHED,
                         found_count=200)

    response = post_action(client, "resume_selected", [failed, completed])

    failed.refresh_from_db()
    completed.refresh_from_db()
    assert (failed.status, failed.end_reason) == (JobStatus.PROCESSING, "")
    assert completed.status == JobStatus.COMPLETED
    assert reported(response) == [
        (messages.SUCCESS, "Resumed 1 search."),
        (messages.WARNING, f"1 search could not be resumed: #{completed.pk} "
                           "(Only a failed, timed-out or interrupted search can be resumed.)"),
    ]


def test_job_resume_action_resumes_a_search_an_operator_cancelled(client, operator):
    running = make_job(operator, status=JobStatus.PROCESSING, found_count=12)
    post_action(client, "cancel_selected", [running])

    response = post_action(client, "resume_selected", [running])

    running.refresh_from_db()
    assert (running.status, running.end_reason, running.found_count) == (JobStatus.PROCESSING, "", 12)
    assert reported(response) == [(messages.SUCCESS, "Resumed 1 search.")]
