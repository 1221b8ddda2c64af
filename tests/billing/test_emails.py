"""Lifecycle emails through the Resend SDK, with Resend's API played by a local HTTP server."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.emails import EMAIL_TEMPLATES, email_render, sample_context
from billing.services.emails import EmailInFlightError, email_schedule, lifecycle_email_send
from influencer_platform.errors import ProviderPermanentError, ProviderTransientError

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
        "trial_day_2": "scheduled", "trial_day_5": "scheduled", "trial_expired": "scheduled"}
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
