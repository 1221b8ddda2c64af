"""Lifecycle emails through the Resend SDK, with Resend's API played by a local HTTP server."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import UserSystemData
from adminpanel.models import SystemConfiguration
from adminpanel.services import config_set
from billing.emails import EMAIL_TEMPLATES, email_render, sample_context
from billing.services.emails import EmailInFlightError, email_schedule, lifecycle_email_context, lifecycle_email_send
from billing.services.subscriptions import customer_ensure
from influencer_platform.errors import ProviderPermanentError, ProviderTransientError
from tests.factories import OnboardedUserFactory, UserFactory

from .conftest import confirm, process_pending, stripe_event, subscription_object

pytestmark = pytest.mark.django_db


def test_welcome_email_goes_through_resend_with_both_parts(resend_server, settings, user):
    settings.DEFAULT_FROM_EMAIL = "Creator Radar <hello@creatorradar.test>"
    assert lifecycle_email_send(user_id=user.pk, key="welcome") is True

    [sent] = resend_server.requests
    body = sent.json()
    assert sent.path == "/emails"
    assert sent.headers["Authorization"] == "Bearer re_test_key"
    assert body["to"] == [user.email]
    assert body["from"] == "Creator Radar <hello@creatorradar.test>"
    assert body["subject"] == f"Welcome to Creator Radar, {user.display_name}"
    assert "<h1" in body["html"] and f"Welcome, {user.display_name}!" in body["html"]
    assert f"Welcome, {user.display_name}!" in body["text"] and "<" not in body["text"]
    assert sent.headers["Idempotency-Key"] == f"lifecycle-{user.pk}-welcome"
    assert "Idempotency-Key" not in body.get("headers", {})

    # The same message delivered again (Dramatiq is at-least-once): nothing more is sent.
    assert lifecycle_email_send(user_id=user.pk, key="welcome") is False
    assert len(resend_server.requests) == 1
    user.system_data.refresh_from_db()
    assert user.system_data.email_schedule_status["welcome"]["status"] == "sent"


def test_test_accounts_get_no_lifecycle_emails(resend_server, user):
    user.is_test_data = True
    user.save(update_fields=["is_test_data"])

    assert lifecycle_email_send(user_id=user.pk, key="welcome") is False
    assert lifecycle_email_send(user_id=user.pk, key="search_finished", context={"search_label": "skincare"}) is False

    assert resend_server.requests == []
    user.system_data.refresh_from_db()
    assert {entry["status"] for entry in user.system_data.email_schedule_status.values()} == {"cancelled"}


def test_rescheduled_email_is_sent_once(resend_server, subscriber, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as messages:
        email_schedule(user_id=subscriber.pk, key="trial_day_5", send_at=timezone.now() + timedelta(hours=3))
        # Moved to now (say the trial was shortened): a second delayed message.
        email_schedule(user_id=subscriber.pk, key="trial_day_5", send_at=timezone.now())
    assert len(messages) == 2

    # Both messages arrive; the first is the moved one, the second the original, now stale.
    assert lifecycle_email_send(user_id=subscriber.pk, key="trial_day_5") is True
    assert lifecycle_email_send(user_id=subscriber.pk, key="trial_day_5") is False
    assert len(resend_server.requests) == 1
    assert "days left in your Glow Up trial" in resend_server.requests[0].json()["subject"]
    # Scheduling it yet again after it went out changes nothing.
    assert email_schedule(user_id=subscriber.pk, key="trial_day_5", send_at=timezone.now()) is False


def test_email_not_due_yet_is_not_sent(resend_server, subscriber):
    email_schedule(user_id=subscriber.pk, key="trial_day_2", send_at=timezone.now() + timedelta(days=2))
    assert lifecycle_email_send(user_id=subscriber.pk, key="trial_day_2") is False
    assert resend_server.requests == []


def test_resend_refusal_gives_the_email_back_for_a_retry(resend_server, user, settings):
    settings.RESEND_API_URL = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(ProviderTransientError):
        lifecycle_email_send(user_id=user.pk, key="welcome")
    user.system_data.refresh_from_db()
    assert user.system_data.email_schedule_status["welcome"]["status"] == "scheduled"
    settings.RESEND_API_URL = resend_server.url
    assert lifecycle_email_send(user_id=user.pk, key="welcome") is True


def test_trial_emails_are_scheduled_when_a_trial_starts(subscriber):
    schedule = subscriber.system_data.email_schedule_status
    assert {key: entry["status"] for key, entry in schedule.items()} == {
        "trial_started": "scheduled", "trial_day_2": "scheduled", "trial_day_5": "scheduled",
        "trial_expired": "scheduled"}
    started = subscriber.subscription.trial_started_at
    assert schedule["trial_day_2"]["due"] == (started + timedelta(days=2)).isoformat()
    assert schedule["trial_expired"]["due"] == subscriber.subscription.trial_ends_at.isoformat()


@pytest.mark.parametrize("key", list(EMAIL_TEMPLATES))
def test_every_template_renders_html_and_text_in_the_layout(key):
    rendered = email_render(key=key, context=sample_context(key=key))
    assert rendered.subject and "{{" not in rendered.subject
    assert rendered.html.lstrip().startswith("<!doctype html>") and "Creator Radar" in rendered.html
    assert "<" not in rendered.text.replace("<http", "") and "Creator Radar" in rendered.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_welcome_email_is_sent_on_sign_up(client, mailoutbox, job_worker):
    response = client.post("/accounts/signup/", {
        "email": "newbrand@glowbotanics.com", "password1": "Sturdy-passphrase-42", "password2": "Sturdy-passphrase-42"})
    assert response.status_code == 302
    job_worker.broker.join("emails", timeout=20_000)
    job_worker.join()
    welcome = [m for m in mailoutbox if m.subject == "Welcome to Creator Radar, newbrand"]
    assert [m.to for m in welcome] == [["newbrand@glowbotanics.com"]]


def test_email_claimed_by_a_worker_that_died_is_sent_by_the_retry(resend_server, user):
    system_data = user.system_data
    system_data.email_schedule_status = {"welcome": {
        "template": "welcome", "status": "sending", "due": timezone.now().isoformat(),
        "at": timezone.now().isoformat()}}
    system_data.save()
    # Redelivered while the claim is fresh: not acknowledged as done, so the actor retries.
    with pytest.raises(EmailInFlightError):
        lifecycle_email_send(user_id=user.pk, key="welcome")
    assert resend_server.requests == []

    system_data.email_schedule_status["welcome"]["at"] = (timezone.now() - timedelta(minutes=6)).isoformat()
    system_data.save()
    assert lifecycle_email_send(user_id=user.pk, key="welcome") is True
    assert [r.json()["to"] for r in resend_server.requests] == [[user.email]]


def test_email_refused_for_good_by_resend_is_recorded_and_not_retried(resend_server, user):
    resend_server.status = 422
    resend_server.reply = {"name": "validation_error", "message": "Invalid `to` field."}
    with pytest.raises(ProviderPermanentError):
        lifecycle_email_send(user_id=user.pk, key="welcome")
    user.system_data.refresh_from_db()
    assert user.system_data.email_schedule_status["welcome"]["status"] == "failed"
    assert len(resend_server.requests) == 1


# --- what lands in the inbox as a trial starts, ends and is charged ------------------------------


def _messages_arrive(user, *, later: timedelta = timedelta(0)) -> None:
    """Every delayed email message of ``user`` arrives, ``later`` after the moment it was sent for.

    Time passing is played by moving each waiting email's due time back by ``later``.
    """
    system_data = UserSystemData.objects.get(user=user)
    for entry in system_data.email_schedule_status.values():
        if entry["status"] == "scheduled":
            entry["due"] = (parse_datetime(entry["due"]) - later).isoformat()
    system_data.save(update_fields=["email_schedule_status"])
    for key in list(system_data.email_schedule_status):
        lifecycle_email_send(user_id=user.pk, key=key)


def _trial_length_set(value: str, django_capture_on_commit_callbacks) -> None:
    """An operator changes the trial length in the console."""
    row = SystemConfiguration.objects.get(category="billing", key="trial_length")
    with django_capture_on_commit_callbacks(execute=True):
        config_set(actor=UserFactory(is_staff=True, is_superuser=True), setting_id=row.pk, value=value)


def test_trial_start_email_without_a_card_says_nothing_is_charged(subscriber, mailoutbox):
    _messages_arrive(subscriber)

    [message] = mailoutbox
    ends = subscriber.subscription.trial_ends_at
    assert message.subject == f"Your Glow Up trial has started: free until {ends:%B} {ends.day}"
    assert "Your 7-day trial has started" in message.body
    assert f"free until {ends:%B} {ends.day}, {ends.year}" in message.body
    assert "No card is on file, so nothing will be charged." in message.body
    html = message.alternatives[0][0]
    assert html.lstrip().startswith("<!doctype html>") and "No card is on file" in html
    # The reminders are for later; nothing else went out.
    _messages_arrive(subscriber)
    assert len(mailoutbox) == 1


def test_trial_start_email_after_demo_checkout_states_the_charge_at_the_end(client, mailoutbox):
    user = OnboardedUserFactory(onboarding_step="completed")
    client.force_login(user)
    checkout = client.post(reverse("billing_checkout"), {"plan_key": "viral_surge", "cycle": "yearly"})
    client.get(client.post(checkout.url).url)
    _messages_arrive(user)

    [message] = mailoutbox
    user.refresh_from_db()
    ends = user.subscription.trial_ends_at
    assert message.subject == f"Your Viral Surge trial has started: free until {ends:%B} {ends.day}"
    assert ("When the trial ends, your card ending in 4242 is charged $1,990.00 and Viral Surge continues, "
            "renewing every year.") in message.body
    assert "Cancel before then and nothing is charged." in message.body


def test_trial_start_email_after_stripe_checkout_webhook(stripe_billing, deliver, mailoutbox):
    user = OnboardedUserFactory(onboarding_step="completed")
    customer_id = customer_ensure(user=user)
    now = int(time.time())
    deliver(stripe_event("customer.subscription.created", subscription_object(
        sub_id="sub_started", customer=customer_id, status="trialing", price_id="price_glow_up_monthly",
        trial_start=now, trial_end=now + 7 * 86400, period_end=now + 7 * 86400)))
    process_pending()
    _messages_arrive(user)

    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Your Glow Up trial has started"]
    assert "is charged $99.00 and Glow Up continues, renewing every month" in mailoutbox[0].body


def test_trial_start_email_is_dropped_when_the_paid_plan_began_before_it_went_out(client, mailoutbox):
    user = OnboardedUserFactory(onboarding_step="completed")
    client.force_login(user)
    checkout = client.post(reverse("billing_checkout"), {"plan_key": "glow_up", "cycle": "monthly"})
    client.get(client.post(checkout.url).url)
    confirm(client, "billing_subscription_start_now")
    _messages_arrive(user)
    # Paid straight away: a "your trial has started" would be news from the past.
    assert [m.subject for m in mailoutbox] == ["You're on Glow Up — thank you!"]


def test_trial_length_setting_changes_every_text_that_states_it(client, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    _trial_length_set("3d", django_capture_on_commit_callbacks)

    landing = client.get(reverse("landing")).content.decode()
    assert "Start your 3-day free trial" in landing and "Simple plans, 3 days free" in landing
    assert "7-day" not in landing and "7 days" not in landing
    welcome = email_render(key="welcome", context=lifecycle_email_context(UserFactory()))
    assert "start your 3-day free trial" in welcome.text and "start your 3-day free trial" in welcome.html

    user = OnboardedUserFactory(onboarding_step="completed")
    client.force_login(user)
    assert "Start 3-day trial" in client.get(reverse("billing_plans")).content.decode()
    checkout = client.post(reverse("billing_checkout"), {"plan_key": "glow_up", "cycle": "monthly"})
    assert "3 days free" in client.get(checkout.url).content.decode()
    client.get(client.post(checkout.url).url)
    _messages_arrive(user)
    [started] = mailoutbox
    assert "Your 3-day trial has started" in started.body and "7-day" not in started.body
    user.refresh_from_db()
    assert user.subscription.trial_ends_at - user.subscription.trial_started_at == timedelta(days=3)
    # The day-5 reminder would come after a 3-day trial's end: it is not scheduled at all.
    assert "trial_day_5" not in user.system_data.email_schedule_status


def _stripe_trial(deliver, *, price_id="price_viral_surge_monthly"):
    """A customer whose Stripe trial began a week ago and has just ended; its emails went out."""
    user = OnboardedUserFactory(onboarding_step="completed")
    customer_id = customer_ensure(user=user)
    now = int(time.time())
    trial = {"sub_id": "sub_trial", "customer": customer_id, "price_id": price_id,
             "trial_start": now - 7 * 86400, "trial_end": now - 60}
    deliver(stripe_event("customer.subscription.created", subscription_object(
        status="trialing", period_end=now - 60, **trial), created=now - 7 * 86400))
    process_pending()
    _messages_arrive(user)
    return user, customer_id, trial, now


def _invoice(customer_id, *, invoice_id="in_first", amount=24900, paid=False):
    return {"id": invoice_id, "object": "invoice", "customer": customer_id, "status": "paid" if paid else "open",
            "amount_due": amount, "amount_paid": amount if paid else 0, "currency": "usd",
            "billing_reason": "subscription_cycle",
            "parent": {"subscription_details": {"subscription": "sub_trial"}}}


# Stripe's own order at a trial's end (the subscription reads "active" while the invoice is a draft
# for about an hour, then the charge fails), and the orders webhooks may arrive in instead.
FIRST_CHARGE_ORDERS = {
    "stripe_order": ["active", "invoice_failed", "past_due"],
    "invoice_first": ["invoice_failed", "active", "past_due"],
    "straight_to_past_due": ["past_due", "invoice_failed"],
    "first_invoice_webhook_lost": ["past_due"],
}


@pytest.mark.parametrize("order", list(FIRST_CHARGE_ORDERS))
def test_failed_first_charge_after_a_trial_sends_exactly_one_email(stripe_billing, deliver, mailoutbox, order):
    user, customer_id, trial, now = _stripe_trial(deliver)
    mailoutbox.clear()
    events = {
        "active": ("customer.subscription.updated", subscription_object(status="active", **trial)),
        "past_due": ("customer.subscription.updated", subscription_object(status="past_due", **trial)),
        "invoice_failed": ("invoice.payment_failed", _invoice(customer_id)),
    }
    for second, name in enumerate(FIRST_CHARGE_ORDERS[order]):
        event_type, obj = events[name]
        deliver(stripe_event(event_type, obj, created=now + second))
        process_pending()
        _messages_arrive(user)
    # Stripe retries the charge days later; every delayed message arrives, however late.
    deliver(stripe_event("invoice.payment_failed", _invoice(customer_id), created=now + 3 * 86400))
    process_pending()
    _messages_arrive(user, later=timedelta(days=3))

    [message] = mailoutbox
    assert message.subject == "Your trial has ended and the first payment for Viral Surge didn't go through"
    assert "the first payment of $249.00 for Viral Surge failed" in message.body
    assert "Update my card" in message.alternatives[0][0]
    assert f"{settings.SITE_URL}/billing/" in message.body


def test_paid_first_charge_after_a_trial_sends_the_thank_you_once_paid(stripe_billing, deliver, mailoutbox):
    user, customer_id, trial, now = _stripe_trial(deliver)
    mailoutbox.clear()
    deliver(stripe_event("customer.subscription.updated", subscription_object(status="active", **trial),
                         created=now))
    process_pending()
    _messages_arrive(user)
    assert mailoutbox == []  # the charge is still a draft at Stripe: no thank-you yet

    deliver(stripe_event("invoice.paid", _invoice(customer_id, paid=True), created=now + 3600))
    process_pending()
    _messages_arrive(user)
    _messages_arrive(user, later=timedelta(hours=3))
    assert [m.subject for m in mailoutbox] == ["You're on Viral Surge — thank you!"]


def test_failed_renewal_after_a_paid_first_charge_is_an_ordinary_payment_failed(stripe_billing, deliver, mailoutbox):
    user, customer_id, trial, now = _stripe_trial(deliver)
    deliver(stripe_event("customer.subscription.updated", subscription_object(status="active", **trial),
                         created=now))
    deliver(stripe_event("invoice.paid", _invoice(customer_id, paid=True), created=now + 3600))
    process_pending()
    _messages_arrive(user)
    mailoutbox.clear()

    deliver(stripe_event("invoice.payment_failed", _invoice(customer_id, invoice_id="in_renewal"),
                         created=now + 30 * 86400))
    deliver(stripe_event("customer.subscription.updated", subscription_object(status="past_due", **trial),
                         created=now + 30 * 86400 + 1))
    process_pending()
    _messages_arrive(user, later=timedelta(hours=3))
    assert [m.subject for m in mailoutbox] == ["Your payment for Viral Surge didn't go through"]
    assert "we could not charge $249.00 for your Viral Surge plan" in mailoutbox[0].body


def test_failed_first_charge_is_announced_even_if_the_invoice_webhook_never_comes(
    stripe_billing, deliver, mailoutbox
):
    user, _customer_id, trial, now = _stripe_trial(deliver)
    mailoutbox.clear()
    deliver(stripe_event("customer.subscription.updated", subscription_object(status="past_due", **trial),
                         created=now))
    process_pending()
    _messages_arrive(user)
    assert mailoutbox == []  # waiting a few minutes for the invoice, whose amount the email states

    _messages_arrive(user, later=timedelta(minutes=15))
    [message] = mailoutbox
    assert message.subject == "Your trial has ended and the first payment for Viral Surge didn't go through"
    assert "the first payment of $249.00 for Viral Surge failed" in message.body
