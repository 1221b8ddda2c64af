"""Queued and scheduled work is visible from the moment it is sent, and cancellable until a worker starts it."""

from __future__ import annotations

from datetime import timedelta

import dramatiq
import pytest
from django.urls import reverse
from django.utils import timezone

from adminpanel.models import AdminAction, BackgroundJob, BackgroundJobStatus

from .conftest import reported
from .test_background_jobs import QUEUE, echo, record_of

CHANGELIST = "admin:adminpanel_backgroundjob_changelist"


@dramatiq.actor(actor_name="test_bg_chain", queue_name=QUEUE, max_retries=0)
def chain(text: str) -> None:
    echo.send(text)


def worker_run_queue() -> None:
    """Start a worker on what is already queued, let it empty the queue, stop it."""
    broker = dramatiq.get_broker()
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        broker.join(QUEUE, timeout=20_000)
        worker.join()
    finally:
        worker.stop()


@pytest.fixture
def empty_broker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_message_is_visible_as_queued_before_any_worker_takes_it(client, operator, empty_broker):
    now = timezone.now()
    waiting = echo.send("now")
    later = echo.send_with_options(args=("in three days",), delay=int(timedelta(days=3).total_seconds() * 1000))

    queued = BackgroundJob.objects.get(message_id=waiting.message_id)
    scheduled = BackgroundJob.objects.get(message_id=later.message_id)
    assert (queued.status, queued.scheduled_for, queued.started_at) == (BackgroundJobStatus.QUEUED, None, None)
    assert queued.enqueued_at >= now and queued.args == ["now"]
    assert scheduled.status == BackgroundJobStatus.QUEUED
    assert abs(scheduled.scheduled_for - (now + timedelta(days=3))) < timedelta(minutes=1)
    assert scheduled.queue_name == QUEUE  # the queue it was sent to, not its delay queue

    page = client.get(reverse(CHANGELIST), {"status__exact": "queued"}).content.decode()
    assert page.count("Waiting for a worker") >= 2
    overview = client.get(reverse("admin:ops_overview"))
    assert overview.context["waiting_jobs"].queued == 1 and overview.context["waiting_jobs"].scheduled == 1
    assert [job.message_id for job in overview.context["waiting_jobs"].next_due] == [later.message_id]



@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cancelled_message_is_skipped_when_a_worker_picks_it_up(client, operator, empty_broker):
    cancelled, kept = echo.send("cancel me"), echo.send("keep me")
    row = BackgroundJob.objects.get(message_id=cancelled.message_id)

    response = client.post(reverse(CHANGELIST), {"action": "cancel_selected", "_selected_action": [row.pk]},
                           follow=True)

    assert reported(response) == ["Cancelled 1 job."]
    audit = AdminAction.objects.get(action="background_job.cancel")
    assert (audit.actor, audit.target_id, audit.after) == (operator, str(row.pk), {"status": "cancelled"})

    worker_run_queue()
    row.refresh_from_db()
    assert (row.status, row.started_at, row.result_summary) == (BackgroundJobStatus.CANCELLED, None, "")
    assert record_of(kept, BackgroundJobStatus.DONE).result_summary == "{'echo': 'keep me'}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_started_or_finished_job_cannot_be_cancelled(client, operator, empty_broker):
    message = echo.send("quick")
    worker_run_queue()
    row = record_of(message, BackgroundJobStatus.DONE)

    response = client.post(reverse(CHANGELIST), {"action": "cancel_selected", "_selected_action": [row.pk]},
                           follow=True)

    assert reported(response) == [f"Not cancelled: #{row.pk} (Only a job no worker has started can be cancelled.)"]
    row.refresh_from_db()
    assert row.status == BackgroundJobStatus.DONE
    assert not AdminAction.objects.filter(action="background_job.cancel").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_correlation_id_is_carried_into_the_jobs_a_job_sends(empty_broker):
    message = chain.send_with_options(args=("hop",), correlation_id="req-abc12345")

    worker_run_queue()

    first = record_of(message, BackgroundJobStatus.DONE)
    second = BackgroundJob.objects.get(actor_name="test_bg_echo")
    assert first.correlation_id == second.correlation_id == "req-abc12345"
    assert second.status == BackgroundJobStatus.DONE


@pytest.mark.parametrize("url_name", [CHANGELIST, "admin:accounts_lifecycleevent_changelist", "admin:ops_overview"])
@pytest.mark.django_db
def test_job_and_lifecycle_pages_are_for_operators_only(client, url_name):
    from tests.factories import UserFactory

    url = reverse(url_name)
    assert client.get(url).status_code == 302  # anonymous: to the console's sign-in
    client.force_login(UserFactory())
    refused = client.get(url)
    assert refused.status_code == 302 and reverse("admin:login") in refused.url
    row = BackgroundJob.objects.create(message_id="m-1", actor_name="test_bg_echo", queue_name=QUEUE,
                                       status=BackgroundJobStatus.QUEUED, attempts=0)
    cancel = client.post(reverse(CHANGELIST), {"action": "cancel_selected", "_selected_action": [row.pk]})
    assert cancel.status_code == 302 and reverse("admin:login") in cancel.url
    row.refresh_from_db()
    assert row.status == BackgroundJobStatus.QUEUED
