"""A search survives its worker being killed: real Redis broker, real `rundramatiq` processes.

The job's first step is queued by ``job_start`` on commit, worker 1 runs it until the job is well
under way, then its whole process group gets SIGKILL in the middle of the step's profile flow (no
shutdown hooks, an unacked message, creators stored by earlier commits of the step, profiles paid
for but not stored, calls hung at the provider). Worker 2 starts, and the sweep, called here as the
cron scheduler would call it, re-sends the stalled step, which resumes from the step's last
resume checkpoint. The job must end with exactly its target: every creator stored once, ranked
once and charged once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dramatiq
import pytest
from django.conf import settings as django_settings
from django.db import connection

from accounts.models import UserUsage
from scraping.models import JobCreator, JobPhase, JobStatus, ScrapingJob
from scraping.sandbox.server import SandboxConfig, start_sandbox
from scraping.services import job_start, jobs_sweep
from tests.waiting import wait_until

from .conftest import use_sandbox

# Large enough that the kill lands inside a step, well before its end: the size proves nothing more.
TARGET = 300
# Six topics whose sandbox pools (seed 11) hold about 1,950 distinct TikTok creators.
KEYWORDS = "skincare, makeup, beauty, glow, fitness, food"
# Shared by this process (the sweep) and the workers (the steps). Link pages are left out: they
# add work per step and nothing to what this test is about.
RUNTIME_CONFIG = {
    "provider.requests_per_second": 80,
    "provider.step_delay.tiktok": "0s",
    "timeouts.stalled_step_after": "3s",
    "scraping.fetch_link_pages": False,
}
KILL_BETWEEN = (60, 240)


def _test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's ``test_`` copy)."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path=f"/{connection.settings_dict['NAME']}"))


def _worker_env(provider_url: str, config: dict | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "influencer_platform.settings.test",
        "SCRAPECREATORS_BASE_URL": provider_url,
        "SCRAPECREATORS_API_KEY": "",
        "RUNTIME_CONFIG_OVERRIDES": json.dumps(RUNTIME_CONFIG if config is None else config),
        "PYTHONUNBUFFERED": "1",
    }


class Worker:
    """A `manage.py rundramatiq` process group on ``queues`` (none: all of them), logging to a file."""

    def __init__(self, env: dict[str, str], log_path: Path, queues: tuple[str, ...] = ("searches",)) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        # A session of its own: rundramatiq forks worker processes, and a kill must reach all of them.
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "2",
             *(["--queues", *queues] if queues else [])],
            cwd=django_settings.BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=30)
        self._log.close()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@contextmanager
def worker_pool(provider_url: str, log_dir: Path, *, config: dict | None = None,
                queues: tuple[str, ...] = ("searches",)) -> Iterator[Callable[[], Worker]]:
    """Start workers with ``start()``; every one still running is killed on the way out."""
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(_worker_env(provider_url, config), log_dir / f"worker-{len(workers) + 1}.log", queues)
        workers.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.kill()


def _queue_flush() -> None:
    """Drop every message and worker record in the job queue's namespace (earlier tests leave some)."""
    broker = dramatiq.get_broker()
    keys = list(broker.client.scan_iter(match=f"{broker.namespace}:*"))
    if keys:
        broker.client.delete(*keys)


def _wait_for(condition: Callable[[], bool], *, timeout: float, every: float = 0.05,
              meanwhile: Callable[[], object] | None = None) -> bool:
    return wait_until(condition, timeout=timeout, every=every, meanwhile=meanwhile)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_step_worker_killed_mid_job_finishes_exact_target(settings, make_customer, tmp_path):
    user = make_customer("viral_surge")
    # A faulty provider too: calls fail, some after hanging, while the worker dies.
    provider = start_sandbox(SandboxConfig(seed=11, latency_ms=40, fail_rate=0.1, hang_seconds=10))
    use_sandbox(settings, provider, **RUNTIME_CONFIG)
    _queue_flush()
    try:
        with worker_pool(provider.base_url, tmp_path) as start_worker:
            job = job_start(user=user, platform="tiktok", search_type="keyword", keywords=KEYWORDS,
                            target_results=TARGET, dispatch=True)

            def mid_step() -> bool:
                # Inside the step's flow: some creators stored by its commits, profiles in flight.
                job.refresh_from_db()
                return job.found_count >= KILL_BETWEEN[0] and job.phase == JobPhase.ENRICHING

            first = start_worker()
            assert _wait_for(mid_step, timeout=60), (
                f"worker 1 made no progress (found {job.found_count}):\n{first.log_tail()}")
            first.kill()
            job.refresh_from_db()
            killed_at, killed_in_step = job.found_count, job.step
            assert KILL_BETWEEN[0] <= killed_at <= KILL_BETWEEN[1], f"killed too late, at {killed_at}"
            assert not job.is_finished, job.status_message
            # The step that was killed had stored creators without ending: its redelivery resumes it.
            assert killed_in_step == 0

            second = start_worker()

            def finished() -> bool:
                job.refresh_from_db()
                return job.is_finished

            # The sweep stands in for the cron scheduler, which would tick once a minute.
            assert _wait_for(finished, timeout=120, every=1.0, meanwhile=jobs_sweep), (
                f"job stuck at {job.found_count} after the kill at {killed_at}:\n{second.log_tail()}")
    finally:
        provider.stop()
        _queue_flush()

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, job.status_message
    assert job.found_count == TARGET
    rows = list(JobCreator.objects.filter(job=job).values_list("creator_id", "rank"))
    assert len(rows) == TARGET
    assert len({creator for creator, _rank in rows}) == TARGET
    assert sorted(rank for _creator, rank in rows) == list(range(1, TARGET + 1))
    assert UserUsage.objects.get(user=user).creators_used_this_month == TARGET
    assert ScrapingJob.objects.filter(user=user).count() == 1
