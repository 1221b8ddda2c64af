import pytest

from accounts.models import SubscriptionStatus


@pytest.fixture
def paying(make_subscriber):
    """A subscriber past the trial, so no trial row limit applies."""
    user = make_subscriber("viral_surge")
    user.subscription.subscription_status = SubscriptionStatus.ACTIVE
    user.subscription.save()
    return user
