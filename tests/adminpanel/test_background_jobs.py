"""Every Dramatiq message is recorded as a BackgroundJob; failed ones can be sent again."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import timedelta

import dramatiq
import pytest
from django.urls import reverse
from django.utils import timezone

from adminpanel.models import AdminAction, BackgroundJob, BackgroundJobStatus, WorkerHeartbeat
from adminpanel.services import background_history_prune
from tests.factories import AdminActionFactory, BackgroundJobFactory, UserFactory
from tests.waiting import wait_until

from .conftest import reported

QUEUE = "adminpanel-tests"


@dramatiq.actor(actor_name="test_bg_echo", queue_name=QUEUE, max_retries=0)
def echo(text: str, *, times: int = 1) -> dict:
    return {"echo": text * times}


@dramatiq.actor(actor_name="test_bg_refused", queue_name=QUEUE, max_retries=1, min_backoff=10, max_backoff=20)
def refused(tag: str) -> None:
    raise RuntimeError(f"the provider refused {tag}")


def wait_for(condition: Callable[[], object], timeout: float = 20) -> object:
    return wait_until(condition, timeout=timeout, every=0.05, failure=f"condition not met in {timeout}s")


def record_of(message, status: str) -> BackgroundJob:
    return wait_for(lambda: BackgroundJob.objects.filter(message_id=message.message_id, status=status).first())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_background_job_records_actor_arguments_timing_and_result(job_worker):
    message = echo.send("ab", times=2)

    record = record_of(message, BackgroundJobStatus.DONE)

    assert (record.actor_name, record.queue_name, record.args, record.kwargs) == (
        "test_bg_echo", QUEUE, ["ab"], {"times": 2})
    assert record.attempts == 1
    assert record.enqueued_at <= record.started_at <= record.finished_at
    assert record.result_summary == "{'echo': 'abab'}"
    assert record.error == ""
    assert record.worker.startswith(socket.gethostname())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_background_job_failure_is_retried_then_failed_and_an_operator_sends_it_again(client, job_worker):
    client.force_login(UserFactory(is_admin=True))
    message = refused.send("page 3")

    failed = record_of(message, BackgroundJobStatus.FAILED)

    assert failed.attempts == 2  # the first run and Dramatiq's one retry
    assert "RuntimeError: the provider refused page 3" in failed.error
    assert "Traceback" in failed.error

    changelist = reverse("admin:adminpanel_backgroundjob_changelist")
    response = client.post(changelist, {"action": "retry_selected", "_selected_action": [failed.pk]}, follow=True)

    assert reported(response) == ["Sent 1 job again."]
    failed.refresh_from_db()
    copy = wait_for(lambda: BackgroundJob.objects.filter(retry_of=message.message_id).first())
    assert failed.retried_as == copy.message_id
    assert (copy.actor_name, copy.args) == ("test_bg_refused", ["page 3"])
    entry = AdminAction.objects.get()
    assert (entry.action, entry.target_id, entry.after) == (
        "background_job.retry", str(failed.pk), {"retried_as": copy.message_id})

    again = client.post(changelist, {"action": "retry_selected", "_selected_action": [failed.pk]}, follow=True)

    assert reported(again) == [f"Not retried: #{failed.pk} (This job has already been retried.)"]
    assert AdminAction.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_background_job_worker_reports_alive_and_then_stopped():
    broker = dramatiq.get_broker()
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100, queues={QUEUE})
    worker.start()
    try:
        heartbeat = wait_for(lambda: WorkerHeartbeat.objects.filter(stopped_at__isnull=True).first())
        assert heartbeat.queues == [QUEUE]
        assert heartbeat.threads == 1
        echo.send("x")
        wait_for(lambda: BackgroundJob.objects.filter(status=BackgroundJobStatus.DONE).exists())
    finally:
        worker.stop()

    heartbeat.refresh_from_db()
    assert heartbeat.stopped_at is not None
    assert heartbeat.processed == 1


@pytest.mark.django_db
def test_background_history_prune_keeps_records_within_their_retention(settings):
    settings.RUNTIME_CONFIG_OVERRIDES = {"retention.background_jobs": "30d", "retention.admin_actions": "365d"}
    now = timezone.now()
    for name, age in (("old", 31), ("recent", 29)):
        BackgroundJobFactory(message_id=name, actor_name="jobs_sweep", queue_name="maintenance",
                                     status=BackgroundJobStatus.DONE)
        BackgroundJob.objects.filter(message_id=name).update(updated_at=now - timedelta(days=age))
        AdminActionFactory(action="user.promote", created_at=now - timedelta(days=age * 12))

    removed = background_history_prune(now=now)

    assert removed == {"background_jobs": 1, "admin_actions": 1, "workers": 0}
    assert list(BackgroundJob.objects.values_list("message_id", flat=True)) == ["recent"]
    assert AdminAction.objects.count() == 1
