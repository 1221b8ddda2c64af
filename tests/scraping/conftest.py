from collections.abc import Callable, Iterator

import pytest

from scraping.models import ScrapingJob
from scraping.ratelimit import provider_rate_limiter
from scraping.sandbox.server import SandboxConfig, SandboxServer, start_sandbox
from scraping.services import job_step_run

FAST_ENGINE = {
    "provider.requests_per_second": 500,
    "provider.step_delay.tiktok": "0s",
    "provider.step_delay.instagram": "0s",
    "provider.step_delay.youtube": "0s",
}


@pytest.fixture
def subscriber(make_customer):
    """A Glow Up customer past the trial: searches run to their target (a trial stops at the rows it
    may see; see ``trial_user``)."""
    return make_customer()


@pytest.fixture
def trial_user(make_subscriber):
    return make_subscriber("viral_surge")


def use_sandbox(settings, server: SandboxServer, **config) -> None:
    """Point the app at ``server`` as `make run` points it at the embedded sandbox."""
    host = server.base_url.split("://", 1)[1]
    settings.SCRAPECREATORS_BASE_URL = server.base_url
    settings.SCRAPECREATORS_API_KEY = ""
    # This server stands in for the embedded one, which must not start on its fixed port.
    settings.SANDBOX_PROVIDER = False
    settings.SCRAPECREATORS_READ_TIMEOUT = 2.0
    settings.LINK_IN_BIO_HOSTS = {*settings.LINK_IN_BIO_HOSTS, host}
    settings.LINK_IN_BIO_PRIVATE_HOSTS = {host}
    settings.IMAGE_PROXY_HOSTS = {*settings.IMAGE_PROXY_HOSTS, host}
    settings.IMAGE_PROXY_PRIVATE_HOSTS = {host}
    settings.RUNTIME_CONFIG_OVERRIDES = {**FAST_ENGINE, **config}
    provider_rate_limiter().reset()


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with start_sandbox(SandboxConfig(seed=11)) as server:
        yield server


@pytest.fixture
def sandbox(settings, sandbox_server) -> SandboxServer:
    """The shared sandbox provider (no latency, no failures), with the app pointed at it."""
    use_sandbox(settings, sandbox_server)
    return sandbox_server


@pytest.fixture
def make_sandbox(settings) -> Iterator[Callable[..., SandboxServer]]:
    """A sandbox of its own with the given ``SandboxConfig`` fields, app pointed at it."""
    servers = []

    def make(**fields) -> SandboxServer:
        server = start_sandbox(SandboxConfig(**{"seed": 11, **fields}))
        servers.append(server)
        use_sandbox(settings, server)
        return server

    yield make
    for server in servers:
        server.stop()


def run_job(job: ScrapingJob, *, max_steps: int = 500) -> ScrapingJob:
    """Drive a job's steps in this thread, as the worker would, until it ends."""
    for _ in range(max_steps):
        outcome = job_step_run(job_id=job.pk, dispatch=False)
        if outcome.finished:
            break
    job.refresh_from_db()
    return job


@pytest.fixture
def run_to_end() -> Callable[..., ScrapingJob]:
    return run_job
