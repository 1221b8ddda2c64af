"""An admin edit reaches a worker process that is already running, without restarting it.

A real `rundramatiq` process serves the maintenance queue. The search sweep it runs reads
``timeouts.standard_job_timeout``: with the default (30 minutes) a search idle for 10 minutes is
left alone; after an operator sets 5 minutes in the admin, the same worker process times it out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import dramatiq
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from adminpanel.models import AdminAction, BackgroundJob, BackgroundJobStatus, SystemConfiguration
from scraping.models import JobStatus, ScrapingJob
from tests.factories import ScrapingJobFactory, UserFactory
from tests.waiting import wait_until


def _test_database_url() -> str:
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))


def _queue_flush() -> None:
    broker = dramatiq.get_broker()
    keys = list(broker.client.scan_iter(match=f"{broker.namespace}:*"))
    if keys:
        broker.client.delete(*keys)


def _wait_for(condition: Callable[[], object], *, timeout: float, every: float = 0.1) -> object:
    return wait_until(condition, timeout=timeout, every=every)


@pytest.fixture
def maintenance_worker(tmp_path) -> Iterator[subprocess.Popen]:
    """A `rundramatiq` process on the maintenance queue, with no runtime overrides."""
    _queue_flush()
    log = (tmp_path / "worker.log").open("wb")
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "influencer_platform.settings.test",
        "RUNTIME_CONFIG_OVERRIDES": "{}",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1",
         "--queues", "maintenance"],
        cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    process.log_path = tmp_path / "worker.log"
    try:
        yield process
    finally:
        os.killpg(process.pid, 9)
        process.wait(timeout=30)
        log.close()
        _queue_flush()


def _sweep_once(timeout: float = 60) -> BackgroundJob:
    """Send the sweep and wait until the worker has finished it."""
    # The sweep skips a run that follows another within its interval; these runs are on purpose.
    cache.delete("jobs_sweep:recent")
    message = dramatiq.get_broker().get_actor("jobs_sweep").send()
    record = _wait_for(
        lambda: BackgroundJob.objects.filter(message_id=message.message_id, status=BackgroundJobStatus.DONE).first(),
        timeout=timeout,
    )
    assert record, f"the worker did not run the sweep in {timeout}s"
    return record


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_config_admin_edit_reaches_a_running_worker_without_restart(client, maintenance_worker):
    operator = UserFactory(is_admin=True)
    client.force_login(operator)
    now = timezone.now()
    idle = ScrapingJobFactory(
        user=UserFactory(), platform="tiktok", search_type="keyword", keywords=["skincare"], target_results=100,
        status=JobStatus.PROCESSING, started_at=now - timedelta(minutes=12),
    )
    ScrapingJob.objects.filter(pk=idle.pk).update(last_progress_at=now - timedelta(minutes=10))

    before = _sweep_once()
    idle.refresh_from_db()
    assert idle.status == JobStatus.PROCESSING, "a 10-minute pause is within the default 30-minute timeout"

    setting = SystemConfiguration.objects.get(category="timeouts", key="standard_job_timeout")
    response = client.post(reverse("admin:adminpanel_systemconfiguration_change", args=[setting.pk]),
                           {"value": "5m"})
    assert response.status_code == 302
    edited_at = time.monotonic()

    def timed_out() -> bool:
        _sweep_once()
        idle.refresh_from_db()
        return idle.status == JobStatus.TIMEOUT

    assert _wait_for(timed_out, timeout=15, every=0.2), (
        "the worker kept the old timeout:\n" + maintenance_worker.log_path.read_text(errors="replace")[-3000:])
    assert time.monotonic() - edited_at < 15
    after = BackgroundJob.objects.filter(actor_name="jobs_sweep").latest("finished_at")
    # The same worker process, never restarted, read both values.
    assert maintenance_worker.poll() is None
    assert after.worker == before.worker
    assert "5 minutes" in idle.status_message
    assert AdminAction.objects.filter(action="config.change").count() == 1
