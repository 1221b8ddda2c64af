from collections.abc import Iterator

import dramatiq
import pytest
from django.core.cache import cache

from accounts.models import SubscriptionStatus
from adminpanel.config import config_cache_reset
from billing.services import trial_start

from .factories import OnboardedUserFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_state(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    cache.clear()
    # Runtime settings a test edited were rolled back with its transaction; forget them here too.
    config_cache_reset()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def make_subscriber(db):
    """A user who completed onboarding and is trialing ``plan_key`` (default Glow Up)."""

    def make(plan_key: str = "glow_up", **fields):
        user = OnboardedUserFactory(**fields)
        trial_start(user=user, plan_key=plan_key)
        user.refresh_from_db()
        return user

    return make


@pytest.fixture
def make_customer(make_subscriber):
    """A user past the trial, paying for ``plan_key`` (default Glow Up): no trial row limit applies."""

    def make(plan_key: str = "glow_up", **fields):
        user = make_subscriber(plan_key, **fields)
        user.subscription.subscription_status = SubscriptionStatus.ACTIVE
        user.subscription.save()
        return user

    return make


@pytest.fixture
def subscriber(make_subscriber):
    return make_subscriber()


@pytest.fixture
def job_worker() -> Iterator[dramatiq.Worker]:
    """A Dramatiq worker on the Redis broker, in threads of this process, with empty queues."""
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()
    broker.flush_all()
