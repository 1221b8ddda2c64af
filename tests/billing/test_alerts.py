"""Billing raises the operators' alerts: failing webhooks, and test-mode Stripe objects under live keys."""

import pytest
from django.utils import timezone

from accounts.models import UserBilling
from adminpanel.alerts import STRIPE_TEST_OBJECT, WEBHOOK_FAILED
from adminpanel.models import Alert
from billing.models import BillingEvent, EventSource
from billing.services.periodic import subscriptions_reconcile
from billing.services.webhooks import billing_event_process

pytestmark = pytest.mark.django_db


def test_webhook_that_fails_to_process_raises_one_alert_counted_per_failure():
    # An invoice whose amount is not a number: the handler fails on it, as on any payload it cannot read.
    unreadable = {"object": {"object": "invoice", "amount_paid": "a lot"}}
    events = [BillingEvent.objects.create(aggregate="subscription:sub_x", event_type="invoice.paid",
                                          data={"id": f"evt_{n}", "data": unreadable}, idempotency_key=f"stripe:evt_{n}",
                                          source=EventSource.STRIPE, occurred_at=timezone.now())
              for n in range(2)]
    for event in events:
        with pytest.raises(Exception):  # noqa: B017 (whatever the handler trips on, the event fails)
            billing_event_process(event_id=event.pk)
    alert = Alert.objects.get(kind=WEBHOOK_FAILED)
    assert alert.count == 2 and alert.is_open
    assert f"event {events[1].pk}" in alert.detail


def test_reconcile_detaches_test_mode_objects_under_live_keys_and_alerts(stripe_stub, settings, make_subscriber):
    settings.STRIPE_SECRET_KEY = "sk_live_invented0000"
    user = make_subscriber()
    UserBilling.objects.update_or_create(user=user, defaults={"stripe_customer_id": "cus_testmode1",
                                                              "stripe_subscription_id": "sub_testmode1"})
    stripe_stub.test_mode_ids |= {"sub_testmode1", "cus_testmode1"}

    first = subscriptions_reconcile()
    assert (first.checked, first.failed) == (1, 0)
    billing = UserBilling.objects.get(user=user)
    assert (billing.stripe_customer_id, billing.stripe_subscription_id) == ("", "")
    alert = Alert.objects.get(kind=STRIPE_TEST_OBJECT)
    assert user.email in alert.detail and "sub_testmode1" in alert.detail
    assert BillingEvent.objects.filter(user=user, event_type="billing.test_objects_detached").count() == 1
    # The next hourly sweep has nothing left to fail on.
    again = subscriptions_reconcile()
    assert (again.checked, again.failed) == (0, 0)


def test_reconcile_under_test_keys_leaves_a_missing_subscription_alone(stripe_stub, make_subscriber):
    user = make_subscriber()
    UserBilling.objects.update_or_create(user=user, defaults={"stripe_subscription_id": "sub_gone"})
    assert subscriptions_reconcile().failed == 1
    assert UserBilling.objects.get(user=user).stripe_subscription_id == "sub_gone"
    assert not Alert.objects.exists()
