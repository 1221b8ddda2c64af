"""Admin list pages cost the same number of queries for 3 rows as for 30: no N+1."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from adminpanel.models import AdminAction, BackgroundJob, BackgroundJobStatus, WorkerHeartbeat
from scraping.models import JobStatus
from tests.factories import ScrapingJobFactory, UserFactory

pytestmark = pytest.mark.django_db


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def assert_flat(client, url: str, add_rows: Callable[[int], None]) -> None:
    add_rows(3)
    client.get(url)  # warm caches (content types, sessions) so both counts see the same work
    few = page_queries(client, url)
    add_rows(27)
    assert page_queries(client, url) == few


def add_users(count: int) -> None:
    for _ in range(count):
        user = UserFactory()
        ScrapingJobFactory(user=user, platform="tiktok", search_type="keyword", keywords=["a"],
                                   target_results=10)


def add_searches(count: int) -> None:
    for index in range(count):
        ScrapingJobFactory(
            user=UserFactory(), platform="youtube", search_type="similar", target_username=f"creator{index}",
            target_results=100, status=JobStatus.COMPLETED, found_count=100, started_at=timezone.now(),
            finished_at=timezone.now(),
        )


def add_background_jobs(count: int) -> None:
    start = BackgroundJob.objects.count()
    BackgroundJob.objects.bulk_create(
        BackgroundJob(message_id=f"m-{start + index}", actor_name="job_step", queue_name="searches",
                      args=[start + index, 3], status=BackgroundJobStatus.FAILED, started_at=timezone.now(),
                      finished_at=timezone.now(), error="Traceback\nRuntimeError: boom")
        for index in range(count)
    )


def add_audit_entries(count: int) -> None:
    actor = User.objects.filter(is_admin=True).first()
    AdminAction.objects.bulk_create(
        AdminAction(actor=actor, actor_email=actor.email, action="user.promote", target_type="accounts.user",
                    target_id=str(index), target_repr=f"user{index}@brand.example")
        for index in range(count)
    )


def test_admin_user_list_queries_do_not_grow_with_users(client, operator):
    assert_flat(client, reverse("admin:accounts_user_changelist"), add_users)


def test_admin_search_list_queries_do_not_grow_with_searches(client, operator):
    assert_flat(client, reverse("admin:scraping_scrapingjob_changelist"), add_searches)


def test_admin_background_job_list_queries_do_not_grow_with_jobs(client, operator):
    assert_flat(client, reverse("admin:adminpanel_backgroundjob_changelist"), add_background_jobs)


def test_admin_audit_log_queries_do_not_grow_with_entries(client, operator):
    assert_flat(client, reverse("admin:adminpanel_adminaction_changelist"), add_audit_entries)


def test_admin_settings_list_is_a_handful_of_queries(client, operator, django_assert_max_num_queries):
    client.get(reverse("admin:adminpanel_systemconfiguration_changelist"))
    with django_assert_max_num_queries(8):
        client.get(reverse("admin:adminpanel_systemconfiguration_changelist"))


def add_platform_activity(count: int) -> None:
    add_searches(count)
    add_background_jobs(count)
    start = WorkerHeartbeat.objects.count()
    now = timezone.now()
    WorkerHeartbeat.objects.bulk_create(
        WorkerHeartbeat(worker_id=f"worker-{start + index}", hostname=f"host-{start + index}", pid=start + index,
                        queues=["searches"], threads=2, started_at=now, last_seen_at=now)
        for index in range(count)
    )


def test_admin_ops_overview_queries_do_not_grow_with_searches_jobs_or_workers(client, operator):
    assert_flat(client, reverse("admin:ops_overview"), add_platform_activity)


def add_lifecycle_events(count: int) -> None:
    from accounts.models import LifecycleEvent, LifecycleEventKind

    for _ in range(count):
        LifecycleEvent.objects.create(user=UserFactory(), kind=LifecycleEventKind.REGISTERED,
                                      correlation_id="req-1234")


def add_scheduled_jobs(count: int) -> None:
    start = BackgroundJob.objects.count()
    BackgroundJob.objects.bulk_create(
        BackgroundJob(message_id=f"q-{start + index}", actor_name="lifecycle_email", queue_name="emails",
                      args=[index, "trial_day_5"], status=BackgroundJobStatus.QUEUED, attempts=0,
                      enqueued_at=timezone.now(), scheduled_for=timezone.now() + timedelta(days=5))
        for index in range(count)
    )


def test_admin_lifecycle_event_list_queries_do_not_grow_with_events(client, operator):
    assert_flat(client, reverse("admin:accounts_lifecycleevent_changelist"), add_lifecycle_events)


def test_admin_scheduled_job_list_and_ops_overview_queries_do_not_grow(client, operator):
    assert_flat(client, reverse("admin:adminpanel_backgroundjob_changelist") + "?status__exact=queued",
                add_scheduled_jobs)
    assert_flat(client, reverse("admin:ops_overview"), add_lifecycle_events)
