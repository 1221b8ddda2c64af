"""Stripe as it really answers: events in Stripe's published shapes for the pinned API version,
signed and posted to the webhook endpoint, with Stripe's API serving the same objects.

What localstripe cannot show: Checkout saving the card on the subscription, flexible billing mode
scheduling a cancellation as ``cancel_at``, items with periods of their own, addresses of nulls.
"""

import re
import time

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import strip_tags

from accounts.models import UserBilling
from billing.models import EventStatus
from billing.providers import get_provider
from billing.providers.shapes import timestamp
from billing.services.subscriptions import checkout_start
from tests.factories import OnboardedUserFactory

from . import stripe_objects as so
from .conftest import process_pending

pytestmark = pytest.mark.django_db

DAY = 86400


@pytest.fixture
def customer(stripe_stub):
    """A user at the checkout step whose Stripe customer has no card and an address of nulls."""
    user = OnboardedUserFactory()
    customer_id = f"cus_test{user.pk:06d}"
    UserBilling.objects.filter(user=user).update(stripe_customer_id=customer_id)
    stripe_stub.put(so.customer(customer_id=customer_id, email=user.email))
    return user, customer_id


def _subscription(user, customer_id, *, sub_id="sub_test_flex1", price="price_viral_surge_monthly", **fields):
    now = int(time.time())
    items = fields.pop("items", None) or [
        so.subscription_item(sub_id=sub_id, price_id=price, period_start=now - 20 * DAY, period_end=now + 10 * DAY)]
    return so.subscription(sub_id=sub_id, customer=customer_id, items=items,
                           metadata={"user_id": str(user.pk), "plan_key": "viral_surge", "cycle": "monthly"}, **fields)


def _day(moment: int) -> str:
    return date_filter(timestamp(moment), "F j, Y")


def _billing_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("billing"))
    assert response.status_code == 200
    return response.content.decode()


def _subscription_text(page: str) -> str:
    """What the "Your subscription" card says, as read, up to the facts below it."""
    section = page.split("Your subscription", 1)[1].split("Monthly creator allowance", 1)[0]
    return re.sub(r"\s+", " ", strip_tags(section))


@pytest.mark.parametrize("event_type", ["checkout.session.completed", "customer.subscription.created"])
def test_checkout_subscription_card_is_shown_on_the_billing_page(stripe_stub, customer, deliver, client, event_type):
    user, customer_id = customer
    now = int(time.time())
    card = so.payment_method(pm_id="pm_test_checkout1", customer=customer_id, exp_month=8, exp_year=2030)
    # Checkout in subscription mode saves the card on the subscription; the customer keeps none.
    subscription = _subscription(
        user, customer_id, status="trialing", default_payment_method=card["id"], trial_start=now,
        trial_end=now + 7 * DAY,
        items=[so.subscription_item(sub_id="sub_test_flex1", price_id="price_viral_surge_monthly",
                                    period_start=now, period_end=now + 7 * DAY)])
    stripe_stub.put(card, subscription)
    session = so.checkout_session(customer=customer_id, subscription=subscription["id"],
                                  client_reference_id=str(user.pk), metadata=subscription["metadata"])
    obj = session if event_type == "checkout.session.completed" else subscription

    assert deliver(so.event(event_type, obj)).status_code == 200
    assert process_pending() == [EventStatus.PROCESSED]

    page = _billing_page(client, user)
    assert "Visa ending 4242, expires 08/2030" in page
    assert "Your card is charged when the trial ends" in _subscription_text(page)
    assert UserBilling.objects.get(user=user).stripe_payment_method_id == "pm_test_checkout1"


def test_paid_invoice_keeps_showing_the_card_the_subscription_is_charged_to(stripe_stub, customer, deliver, client):
    user, customer_id = customer
    subscription_card = so.payment_method(pm_id="pm_test_sub_card", customer=customer_id, last4="4242")
    other_card = so.payment_method(pm_id="pm_test_other_card", customer=customer_id, brand="mastercard",
                                   last4="4444", exp_month=1, exp_year=2031)
    subscription = _subscription(user, customer_id, default_payment_method=subscription_card["id"])
    # The customer's own default is another card: Stripe still charges the subscription's.
    stripe_stub.put(subscription_card, other_card, subscription,
                    so.customer(customer_id=customer_id, email=user.email, default_payment_method=other_card["id"]))
    deliver(so.event("customer.subscription.created", subscription))
    deliver(so.event("invoice.paid", so.invoice(customer=customer_id, subscription=subscription["id"],
                                                amount_paid=24900)))
    assert process_pending() == [EventStatus.PROCESSED, EventStatus.PROCESSED]

    page = _billing_page(client, user)
    assert "Visa ending 4242" in page
    assert "Mastercard ending 4444" not in page
    assert UserBilling.objects.get(user=user).stripe_payment_method_id == "pm_test_sub_card"


@pytest.mark.parametrize("ends", ["period_end", "custom_date"])
def test_portal_cancellation_with_cancel_at_reads_ends_on_and_resume_clears_it(
    stripe_stub, customer, deliver, client, ends
):
    user, customer_id = customer
    now = int(time.time())
    period_end = now + 10 * DAY
    subscription = _subscription(user, customer_id)
    stripe_stub.put(subscription)
    deliver(so.event("customer.subscription.created", subscription, created=now - 60))
    process_pending()
    assert f"Renews on {_day(period_end)}" in _subscription_text(_billing_page(client, user))

    # The customer portal in flexible billing mode schedules the end as a date and leaves
    # cancel_at_period_end false; an operator can also set a date of their own in the Dashboard.
    cancel_at = period_end if ends == "period_end" else now + 4 * DAY
    cancelled = {**subscription, "cancel_at": cancel_at, "canceled_at": now,
                 "cancellation_details": {"comment": None, "feedback": None, "reason": "cancellation_requested"}}
    stripe_stub.put(cancelled)
    deliver(so.event("customer.subscription.updated", cancelled, created=now - 30, previous_attributes={
        "cancel_at": None, "canceled_at": None, "cancellation_details": {"reason": None}}))
    assert process_pending() == [EventStatus.PROCESSED]

    text = _subscription_text(_billing_page(client, user))
    assert f"Ends on {_day(cancel_at)}" in text
    assert "Renews on" not in text
    assert "Resume my plan" in text

    response = client.post(reverse("billing_subscription_resume"))
    assert response.status_code == 302

    remote = stripe_stub.get(subscription["id"])
    assert (remote["cancel_at"], remote["cancel_at_period_end"]) == (None, False)
    # One parameter per request: Stripe refuses cancel_at and cancel_at_period_end together.
    assert stripe_stub.posted(f"/v1/subscriptions/{subscription['id']}") == [
        [("cancel_at_period_end", "false")], [("cancel_at", "")]]
    text = _subscription_text(_billing_page(client, user))
    assert f"Renews on {_day(period_end)}" in text
    assert "Ends on" not in text


def test_customer_address_of_nulls_keeps_the_stored_billing_address(stripe_stub, customer, deliver):
    user, customer_id = customer
    UserBilling.objects.filter(user=user).update(billing_city="Austin", billing_country="US",
                                                 billing_postal_code="78701")
    subscription = _subscription(user, customer_id)
    stripe_stub.put(subscription)
    deliver(so.event("customer.subscription.created", subscription))
    assert process_pending() == [EventStatus.PROCESSED]

    billing = UserBilling.objects.get(user=user)
    assert (billing.billing_city, billing.billing_country, billing.billing_postal_code) == ("Austin", "US", "78701")

    # An address Stripe does hold replaces the stored one.
    address = {**so.NULL_ADDRESS, "city": "Berlin", "country": "DE", "postal_code": "10115"}
    stripe_stub.put(so.customer(customer_id=customer_id, email=user.email, address=address))
    deliver(so.event("customer.subscription.updated", subscription))
    assert process_pending() == [EventStatus.PROCESSED]
    billing.refresh_from_db()
    assert (billing.billing_city, billing.billing_country, billing.billing_postal_code) == ("Berlin", "DE", "10115")


def test_subscription_period_spans_all_its_items(stripe_stub, customer, deliver, client):
    user, customer_id = customer
    now = int(time.time())
    # Flexible billing mode lets items keep periods of their own, e.g. one added later on.
    items = [
        so.subscription_item(sub_id="sub_test_flex1", price_id="price_viral_surge_monthly",
                             period_start=now - 5 * DAY, period_end=now + 12 * DAY),
        so.subscription_item(sub_id="sub_test_flex1", price_id="price_viral_surge_monthly",
                             period_start=now - 20 * DAY, period_end=now + 26 * DAY, unit_amount=5000),
    ]
    subscription = _subscription(user, customer_id, items=items)
    stripe_stub.put(subscription)
    deliver(so.event("customer.subscription.created", subscription))
    assert process_pending() == [EventStatus.PROCESSED]

    user.refresh_from_db()
    assert user.subscription.current_period_end == timestamp(now + 26 * DAY)
    assert f"Renews on {_day(now + 26 * DAY)}" in _subscription_text(_billing_page(client, user))
    state = get_provider().subscription_from_object(subscription)
    assert (state.current_period_start, state.current_period_end) == (
        timestamp(now - 20 * DAY), timestamp(now + 26 * DAY))


def test_checkout_is_opened_in_flexible_billing_mode(stripe_stub, customer):
    user, customer_id = customer
    url = checkout_start(user=user, plan_key="viral_surge", cycle="monthly",
                         success_url="https://app.example.test/ok", cancel_url="https://app.example.test/back")

    assert url.startswith("https://checkout.stripe.com/")
    [form] = stripe_stub.posted("/v1/checkout/sessions")
    assert ("subscription_data[billing_mode][type]", "flexible") in form
    assert ("customer", customer_id) in form
