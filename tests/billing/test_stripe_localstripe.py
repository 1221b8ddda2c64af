"""Billing against localstripe: customers, subscriptions, plan changes, cancel, and its own signed
webhooks replayed to our endpoint exactly as they were delivered."""

import pytest

from accounts.models import UserBilling
from billing.models import BillingEvent
from billing.services.subscriptions import (
    customer_ensure,
    subscription_cancel,
    subscription_change_plan,
    subscription_refresh,
    subscription_resume,
)

from .conftest import process_pending

pytestmark = pytest.mark.django_db


def _card_subscription(localstripe, user, price_id="price_glow_up_monthly"):
    """What Stripe Checkout leaves behind (localstripe has no Checkout): a card and a subscription."""
    customer_id = customer_ensure(user=user)
    localstripe.client.v1.customers.update(customer_id, params={
        "address": {"city": "Austin", "country": "US", "postal_code": "78701"},
    })
    localstripe.client.v1.customers.payment_sources.create(customer_id, params={"source": {
        "object": "card", "number": "4242424242424242", "exp_month": "11", "exp_year": "2031", "cvc": "123",
    }})
    return localstripe.client.v1.subscriptions.create(params={
        "customer": customer_id, "items": [{"plan": price_id}], "metadata": {"user_id": str(user.pk)},
    })


def test_customer_ensure_creates_one_stripe_customer_per_user(stripe_billing, subscriber):
    first = customer_ensure(user=subscriber)
    second = customer_ensure(user=subscriber)
    assert first == second
    assert UserBilling.objects.get(user=subscriber).stripe_customer_id == first
    listed = stripe_billing.client.v1.customers.list(params={"email": subscriber.email})
    assert [c.id for c in listed.data] == [first]
    assert BillingEvent.objects.filter(user=subscriber, event_type="customer.created").count() == 1


def test_subscription_change_cancel_and_resume_against_localstripe(stripe_billing, subscriber):
    stripe_subscription = _card_subscription(stripe_billing, subscriber)
    UserBilling.objects.filter(user=subscriber).update(stripe_subscription_id=stripe_subscription.id)

    assert subscription_refresh(user_id=subscriber.pk) == "applied"
    subscriber.refresh_from_db()
    sub, billing = subscriber.subscription, subscriber.billing
    assert (sub.subscription_status, sub.current_plan, sub.billing_cycle) == ("active", "glow_up", "monthly")
    assert (billing.card_brand, billing.card_last4, billing.card_exp_month, billing.card_exp_year) == ("visa", "4242", 11, 2031)
    assert (billing.billing_city, billing.billing_country, billing.billing_postal_code) == ("Austin", "US", "78701")
    assert sub.current_period_end is not None

    changed = subscription_change_plan(user=subscriber, plan_key="viral_surge", cycle="monthly")
    assert changed.current_plan == "viral_surge"
    remote = stripe_billing.client.v1.subscriptions.retrieve(stripe_subscription.id)
    assert remote["items"]["data"][0]["plan"]["id"] == "price_viral_surge_monthly"

    assert subscription_cancel(user=subscriber).cancel_at_period_end is True
    assert stripe_billing.client.v1.subscriptions.retrieve(stripe_subscription.id).cancel_at_period_end is True
    assert subscription_resume(user=subscriber).cancel_at_period_end is False
    assert stripe_billing.client.v1.subscriptions.retrieve(stripe_subscription.id).cancel_at_period_end is False

    history = list(BillingEvent.objects.filter(user=subscriber, event_type="subscription.changed")
                   .order_by("id").values_list("data__cause", flat=True))
    assert history == ["reconciled", "plan.changed", "cancel.requested", "cancel.withdrawn"]


def test_localstripe_signed_webhooks_update_the_account(stripe_billing, stripe_webhooks, subscriber, deliver):
    stripe_subscription = _card_subscription(stripe_billing, subscriber, "price_viral_surge_monthly")
    customer_id = subscriber.billing.stripe_customer_id or UserBilling.objects.get(user=subscriber).stripe_customer_id

    def deliveries(event_type):
        return stripe_webhooks.wait_for(
            lambda r: r.json()["type"] == event_type and customer_id in r.body.decode()
        )

    created = deliveries("customer.subscription.created")
    assert created, "localstripe did not deliver customer.subscription.created"
    for delivery in created + deliveries("invoice.payment_succeeded"):
        # Replayed byte for byte with localstripe's own signature.
        assert deliver(delivery.body.decode(), signature=delivery.headers["Stripe-Signature"]).status_code == 200
    process_pending()

    subscriber.refresh_from_db()
    assert subscriber.subscription.subscription_status == "active"
    assert subscriber.subscription.current_plan == "viral_surge"
    assert subscriber.billing.stripe_subscription_id == stripe_subscription.id
    assert subscriber.system_data.last_webhook_event in {"customer.subscription.created", "invoice.payment_succeeded"}
    assert subscriber.system_data.last_webhook_at is not None

    stripe_billing.client.v1.subscriptions.cancel(stripe_subscription.id)
    deleted = deliveries("customer.subscription.deleted")
    assert deleted, "localstripe did not deliver customer.subscription.deleted"
    assert deliver(deleted[0].body.decode(), signature=deleted[0].headers["Stripe-Signature"]).status_code == 200
    process_pending()

    subscriber.refresh_from_db()
    assert subscriber.subscription.subscription_status == "canceled"
    assert not subscriber.subscription.has_access
    assert subscriber.system_data.last_webhook_event == "customer.subscription.deleted"
