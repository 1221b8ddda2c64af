"""The production topology, every part started by this test: gunicorn serving the app, two
`rundramatiq` workers, the `crontab` scheduler, PostgreSQL and Redis (the suite's own) and the
sandbox provider failing a tenth of its calls, a third of those after hanging.

Two customers start three searches through the REST API. One worker is killed with SIGKILL while
they run; the other worker finishes all of them (the scheduler's sweep re-sends the killed steps).
Every search ends at exactly its target, and each customer is charged once per creator.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from accounts.models import UserUsage
from accounts.services import api_token_create
from scraping.models import JobCreator, JobStatus, ScrapingJob
from scraping.sandbox.server import SandboxConfig, start_sandbox
from tests.scraping.conftest import use_sandbox
from tests.scraping.test_worker_recovery import RUNTIME_CONFIG, _queue_flush, _wait_for, _worker_env, worker_pool

SEARCHES = [  # (customer, keywords, target)
    (0, "skincare, makeup", 150),
    (0, "makeup, beauty", 120),  # shares creators with the first: they are charged once
    (1, "fitness, food", 150),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """A long-running process of the topology, in a session of its own, logging to a file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(args, cwd=django_settings.BASE_DIR, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_production_topology_survives_a_killed_worker_and_charges_once(settings, make_customer, tmp_path):
    customers = [make_customer("fame_flex"), make_customer("fame_flex")]
    tokens = [api_token_create(user=customer, name="topology")[1] for customer in customers]
    provider = start_sandbox(SandboxConfig(seed=11, latency_ms=40, fail_rate=0.1, hang_seconds=10))
    use_sandbox(settings, provider, **RUNTIME_CONFIG)
    _queue_flush()
    env = _worker_env(provider.base_url)
    port = _free_port()
    services: list[Service] = []
    try:
        services.append(Service([sys.executable, "-m", "gunicorn", "influencer_platform.wsgi:application",
                                 "--bind", f"127.0.0.1:{port}", "--workers", "2"], env, tmp_path / "web.log"))
        services.append(Service([sys.executable, "manage.py", "crontab"], env, tmp_path / "crontab.log"))
        base = f"http://127.0.0.1:{port}"

        def web_up() -> bool:
            try:
                return requests.get(f"{base}/healthz", timeout=5).status_code == 200
            except requests.RequestException:  # still booting
                return False

        assert _wait_for(web_up, timeout=60, every=0.2), services[0].log_tail()

        with worker_pool(provider.base_url, tmp_path, queues=()) as start_worker:
            doomed, survivor = start_worker(), start_worker()
            job_ids = []
            for customer, keywords, target in SEARCHES:
                auth = {"Authorization": f"Bearer {tokens[customer]}"}
                campaign = requests.post(f"{base}/api/v1/campaigns/", json={"name": keywords, "search_type": "keyword"},
                                         headers=auth, timeout=10)
                assert campaign.status_code == 201, campaign.text
                started = requests.post(
                    f"{base}/api/v1/campaigns/{campaign.json()['id']}/searches/", headers=auth, timeout=10,
                    json={"platform": "tiktok", "keywords": keywords, "target_results": target})
                assert started.status_code == 201, started.text
                job_ids.append(started.json()["id"])

            def under_way() -> bool:
                found = list(ScrapingJob.objects.filter(pk__in=job_ids).values_list("found_count", flat=True))
                return sum(found) >= 60 and not all(ScrapingJob.objects.get(pk=pk).is_finished for pk in job_ids)

            assert _wait_for(under_way, timeout=90), doomed.log_tail()
            doomed.kill()

            def all_finished() -> bool:
                for index, pk in enumerate(job_ids):
                    auth = {"Authorization": f"Bearer {tokens[SEARCHES[index][0]]}"}
                    body = requests.get(f"{base}/api/v1/searches/{pk}/", headers=auth, timeout=10).json()
                    if body["status"] in ("pending", "processing"):
                        return False
                return True

            # The scheduler ticks once a minute: its sweep re-sends what the killed worker held.
            assert _wait_for(all_finished, timeout=240, every=2.0), (
                f"{survivor.log_tail()}\n--- crontab ---\n{services[1].log_tail()}")
            assert survivor.process.poll() is None, survivor.log_tail()
    finally:
        for service in services:
            service.stop()
        provider.stop()
        _queue_flush()

    for pk, (_customer, _keywords, target) in zip(job_ids, SEARCHES, strict=True):
        job = ScrapingJob.objects.get(pk=pk)
        assert (job.status, job.found_count) == (JobStatus.COMPLETED, target), job.status_message
        ranks = sorted(JobCreator.objects.filter(job=job).values_list("rank", flat=True))
        assert ranks == list(range(1, target + 1))
    for customer in customers:
        creators = JobCreator.objects.filter(job__user=customer).values("creator").distinct().count()
        assert UserUsage.objects.get(user=customer).creators_used_this_month == creators
