import pytest
from django.core.cache import cache

from billing.services import trial_start

from .factories import OnboardedUserFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_state(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    cache.clear()


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
def subscriber(make_subscriber):
    return make_subscriber()
