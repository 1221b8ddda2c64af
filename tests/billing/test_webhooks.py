"""The webhook endpoint with payloads signed by ``stripe.WebhookSignature`` for the event types
localstripe does not send (checkout, subscription updates and trials, failed payments)."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserBilling
from billing.models import BillingEvent, EventStatus
from billing.services.emails import lifecycle_email_send
from billing.services.subscriptions import customer_ensure

from .conftest import process_pending, signature_for, stripe_event, subscription_object

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(stripe_billing, make_subscriber):
    """A user with a Stripe customer in localstripe and no subscription yet."""
    user = make_subscriber(plan_key="glow_up")
    return user, customer_ensure(user=user)


def _trialing(customer_id, sub_id="sub_test_1", price="price_glow_up_monthly"):
    now = int(time.time())
    return subscription_object(sub_id=sub_id, customer=customer_id, status="trialing", price_id=price,
                               trial_start=now, trial_end=now + 7 * 86400, period_end=now + 7 * 86400)


def test_webhook_bad_signature_is_refused_and_nothing_is_stored(stripe_billing, deliver):
    payload = stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_x", customer="cus_x", status="active", price_id="price_glow_up_monthly"))
    assert deliver(payload, signature=signature_for(payload, secret="whsec_someone_else")).status_code == 400
    assert deliver(payload, signature="t=1,v1=deadbeef").status_code == 400
    assert deliver(payload, signature="").status_code == 400
    stale = signature_for(payload, timestamp=int(time.time()) - 600)
    assert deliver(payload, signature=stale).status_code == 400
    assert not BillingEvent.objects.exists()


def test_webhook_delivered_five_times_is_stored_and_processed_once(
    customer, deliver, django_capture_on_commit_callbacks
):
    user, customer_id = customer
    payload = stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_five", customer=customer_id, status="active", price_id="price_viral_surge_monthly"))
    with django_capture_on_commit_callbacks() as enqueued:
        responses = [deliver(payload) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert [r.content for r in responses] == [b"ok"] + [b"duplicate"] * 4
    assert len(enqueued) == 1  # one message for the actor, for five deliveries

    stored = BillingEvent.objects.get(source="stripe")
    assert (stored.event_type, stored.aggregate, stored.status) == (
        "customer.subscription.updated", "subscription:sub_five", EventStatus.PENDING)
    assert process_pending() == [EventStatus.PROCESSED]
    # A redelivered actor message finds the event done and changes nothing.
    from billing.services.webhooks import billing_event_process
    assert billing_event_process(event_id=stored.pk) == "done"

    user.refresh_from_db()
    assert (user.subscription.subscription_status, user.subscription.current_plan) == ("active", "viral_surge")
    assert BillingEvent.objects.filter(user=user, event_type="subscription.changed").count() == 1
    stored.refresh_from_db()
    assert (stored.user, stored.retries) == (user, 0)


@pytest.mark.parametrize("order", ["in_order", "reversed"])
def test_webhook_pair_out_of_order_ends_in_the_latest_state(customer, deliver, order):
    user, customer_id = customer
    now = int(time.time())
    created = stripe_event("customer.subscription.created", _trialing(customer_id), created=now - 120)
    upgraded = stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_test_1", customer=customer_id, status="active", price_id="price_fame_flex_yearly",
        interval="year", trial_start=now - 120, trial_end=now - 60), created=now - 60)
    pair = [created, upgraded] if order == "in_order" else [upgraded, created]
    for payload in pair:
        assert deliver(payload).status_code == 200
        process_pending()

    user.refresh_from_db()
    sub = user.subscription
    assert (sub.subscription_status, sub.current_plan, sub.billing_cycle) == ("active", "fame_flex", "yearly")
    statuses = dict(BillingEvent.objects.filter(source="stripe").values_list("event_type", "status"))
    if order == "reversed":
        assert statuses["customer.subscription.created"] == EventStatus.SKIPPED
    else:
        assert set(statuses.values()) == {EventStatus.PROCESSED}


def test_checkout_completed_applies_the_subscription_read_from_stripe(customer, deliver, stripe_billing):
    user, customer_id = customer
    UserBilling.objects.filter(user=user).update(stripe_customer_id=customer_id)
    stripe_billing.client.v1.customers.payment_sources.create(customer_id, params={"source": {
        "object": "card", "number": "4242424242424242", "exp_month": "3", "exp_year": "2030", "cvc": "123"}})
    remote = stripe_billing.client.v1.subscriptions.create(params={
        "customer": customer_id, "items": [{"plan": "price_viral_surge_yearly"}]})
    session = {"id": "cs_test_1", "object": "checkout.session", "status": "complete", "mode": "subscription",
               "customer": customer_id, "subscription": remote.id, "client_reference_id": str(user.pk),
               "metadata": {"user_id": str(user.pk), "plan_key": "viral_surge", "cycle": "yearly"}}
    assert deliver(stripe_event("checkout.session.completed", session)).status_code == 200
    assert process_pending() == [EventStatus.PROCESSED]

    user.refresh_from_db()
    assert (user.subscription.current_plan, user.subscription.billing_cycle) == ("viral_surge", "yearly")
    assert user.billing.stripe_subscription_id == remote.id
    assert (user.billing.card_brand, user.billing.card_last4) == ("visa", "4242")
    assert user.system_data.last_webhook_event == "checkout.session.completed"


def test_trial_conversion_is_recorded_and_cancels_the_trial_emails(customer, deliver, mailoutbox):
    user, customer_id = customer
    now = int(time.time())
    deliver(stripe_event("customer.subscription.created", _trialing(customer_id, sub_id="sub_conv"), created=now - 30))
    deliver(stripe_event("customer.subscription.trial_will_end", _trialing(customer_id, sub_id="sub_conv"),
                         created=now - 20))
    deliver(stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_conv", customer=customer_id, status="active", price_id="price_glow_up_monthly",
        trial_start=now - 30, trial_end=now - 10), created=now - 10))
    process_pending()

    user.refresh_from_db()
    sub = user.subscription
    assert (sub.subscription_status, sub.trial_status) == ("active", "converted")
    assert sub.trial_converted_at is not None
    assert BillingEvent.objects.filter(user=user, event_type="trial.converted").count() == 1
    schedule = user.system_data.email_schedule_status
    assert schedule["trial_expired"]["status"] == "cancelled"
    assert schedule["subscription_welcome"]["status"] == "scheduled"
    # The "trial ended" email's delayed message still arrives at the old trial end: nothing is sent.
    assert lifecycle_email_send(user_id=user.pk, key="trial_expired") is False
    # The first charge is not made yet: the thank-you waits for Stripe to say it was paid.
    assert lifecycle_email_send(user_id=user.pk, key="subscription_welcome") is False
    deliver(stripe_event("invoice.paid", {
        "id": "in_conv", "object": "invoice", "customer": customer_id, "status": "paid", "amount_due": 9900,
        "amount_paid": 9900, "currency": "usd", "billing_reason": "subscription_cycle",
        "parent": {"subscription_details": {"subscription": "sub_conv"}}}))
    process_pending()
    assert lifecycle_email_send(user_id=user.pk, key="subscription_welcome") is True
    assert [m.subject for m in mailoutbox] == ["You're on Glow Up — thank you!"]


def test_payment_failed_emails_once_per_invoice(customer, deliver, mailoutbox):
    user, customer_id = customer
    deliver(stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_due", customer=customer_id, status="past_due", price_id="price_glow_up_monthly")))
    invoice = {"id": "in_test_1", "object": "invoice", "customer": customer_id, "status": "open",
               "amount_due": 9900, "amount_paid": 0, "currency": "usd", "billing_reason": "subscription_cycle",
               "parent": {"subscription_details": {"subscription": "sub_due"}}}
    # Stripe retries the charge: two distinct events about the same invoice.
    deliver(stripe_event("invoice.payment_failed", invoice))
    deliver(stripe_event("invoice.payment_failed", invoice))
    process_pending()
    for _ in range(3):  # the delayed message, redelivered
        lifecycle_email_send(user_id=user.pk, key="payment_failed:in_test_1")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert "$99.00" in mailoutbox[0].body
    user.refresh_from_db()
    assert user.subscription.subscription_status == "past_due"
    assert not user.subscription.has_access


def test_event_for_an_unknown_customer_is_stored_and_ignored(stripe_billing, deliver):
    deliver(stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_nobody", customer="cus_nobody", status="active", price_id="price_glow_up_monthly")))
    assert process_pending() == [EventStatus.IGNORED]
    assert BillingEvent.objects.get(source="stripe").error == "No account has this customer."


def test_signed_payload_that_is_not_an_event_is_refused(stripe_billing, deliver):
    for payload in ("not json at all", '{"id": "evt_1", "type": "invoice.paid"}'):
        assert deliver(payload).status_code == 400
    assert not BillingEvent.objects.exists()


def test_signed_event_stamped_beyond_the_calendar_is_refused_not_a_server_error(stripe_billing, deliver):
    subscription = subscription_object(sub_id="sub_far", customer="cus_far", status="active",
                                       price_id="price_glow_up_monthly")
    for created in (10**20, -(10**20), "soon"):
        payload = stripe_event("customer.subscription.updated", subscription, created=created)
        assert deliver(payload).status_code == 400
    assert not BillingEvent.objects.exists()


def test_event_left_waiting_is_queued_again_when_stripe_redelivers_it(
    customer, deliver, django_capture_on_commit_callbacks
):
    user, customer_id = customer
    payload = stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_lost", customer=customer_id, status="active", price_id="price_glow_up_monthly"))
    with django_capture_on_commit_callbacks() as first:
        deliver(payload)
    assert len(first) == 1
    # Its message never reached a worker (the broker was down as the request ended).
    BillingEvent.objects.filter(source="stripe").update(created_at=timezone.now() - timedelta(minutes=10))

    with django_capture_on_commit_callbacks() as again:
        assert deliver(payload).content == b"duplicate"
    assert len(again) == 1
    assert process_pending() == [EventStatus.PROCESSED]
    user.refresh_from_db()
    assert user.subscription.subscription_status == "active"
    with django_capture_on_commit_callbacks() as after_done:
        deliver(payload)
    assert after_done == []


def test_late_news_about_a_replaced_subscription_does_not_take_over(customer, deliver):
    user, customer_id = customer
    now = int(time.time())
    deliver(stripe_event("customer.subscription.created", subscription_object(
        sub_id="sub_old", customer=customer_id, status="active", price_id="price_glow_up_monthly"), created=now - 300))
    process_pending()
    deliver(stripe_event("customer.subscription.deleted", {**subscription_object(
        sub_id="sub_old", customer=customer_id, status="canceled", price_id="price_glow_up_monthly")},
        created=now - 60))
    process_pending()
    # A new subscription (bought again): its creation is stamped before the old one's deletion
    # was processed, and it still takes over, because it is live and the old one is not.
    deliver(stripe_event("customer.subscription.created", subscription_object(
        sub_id="sub_new", customer=customer_id, status="active", price_id="price_fame_flex_monthly"),
        created=now - 120))
    process_pending()
    # A late copy of an update to the old subscription, from before it ended, changes nothing.
    deliver(stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_old", customer=customer_id, status="active", price_id="price_viral_surge_monthly"),
        created=now - 200))
    assert process_pending() == [EventStatus.SKIPPED]

    user.refresh_from_db()
    assert user.billing.stripe_subscription_id == "sub_new"
    assert (user.subscription.subscription_status, user.subscription.current_plan) == ("active", "fame_flex")


def test_events_stamped_in_the_same_second_end_in_stripes_own_state(customer, deliver, stripe_billing):
    user, customer_id = customer
    stripe_billing.client.v1.customers.payment_sources.create(customer_id, params={"source": {
        "object": "card", "number": "4242424242424242", "exp_month": "3", "exp_year": "2030", "cvc": "123"}})
    remote = stripe_billing.client.v1.subscriptions.create(params={
        "customer": customer_id, "items": [{"plan": "price_viral_surge_monthly"}]})
    second = int(time.time())
    newer = stripe_event("customer.subscription.updated", subscription_object(
        sub_id=remote.id, customer=customer_id, status="active", price_id="price_viral_surge_monthly"), created=second)
    older = stripe_event("customer.subscription.created", _trialing(customer_id, sub_id=remote.id), created=second)
    for payload in (newer, older):  # arrival order says nothing within one second
        deliver(payload)
        process_pending()

    user.refresh_from_db()
    assert (user.subscription.subscription_status, user.subscription.current_plan) == ("active", "viral_surge")


def test_overdue_payment_is_explained_on_the_billing_page(customer, deliver, client):
    user, customer_id = customer
    deliver(stripe_event("customer.subscription.updated", subscription_object(
        sub_id="sub_late", customer=customer_id, status="past_due", price_id="price_glow_up_monthly")))
    deliver(stripe_event("invoice.payment_failed", {
        "id": "in_late", "object": "invoice", "customer": customer_id, "status": "open", "amount_due": 9900,
        "amount_paid": 0, "currency": "usd", "subscription": "sub_late"}))
    process_pending()
    client.force_login(user)
    page = client.get(reverse("billing")).content.decode()
    assert "Your last payment didn't go through" in page
    assert "Update my card" in page
    assert "Payment of $99.00 failed" in page
