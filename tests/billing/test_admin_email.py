"""The operator page that sends any lifecycle template to any address, now or after a delay."""

import pytest
from django.urls import reverse

from adminpanel.models import AdminAction
from billing.models import BillingEvent, EventStatus
from billing.services.admin_tools import email_test_deliver
from influencer_platform.errors import ProviderTransientError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    admin = UserFactory(is_admin=True, onboarding_step="completed")
    client.force_login(admin)
    return admin


def test_operator_sends_a_template_now(client, operator, mailoutbox, django_capture_on_commit_callbacks):
    page = client.get(reverse("admin:billing_email_test"))
    assert page.status_code == 200 and "search_finished" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("admin:billing_email_test"),
                               {"template": "payment_failed", "to": "qa@example.com", "delay_minutes": 0})
    assert response.status_code == 302
    assert len(queued) == 1
    event = BillingEvent.objects.get(event_type="email.test_requested")
    assert (event.source, event.status, event.data["to"]) == ("admin", EventStatus.PENDING, "qa@example.com")

    assert email_test_deliver(event_id=event.pk) is True
    assert email_test_deliver(event_id=event.pk) is False  # a redelivered message sends nothing
    [message] = mailoutbox
    assert message.to == ["qa@example.com"]
    assert message.subject == "Your payment for Viral Surge didn't go through"
    assert message.alternatives[0][1] == "text/html"
    audit = AdminAction.objects.get(action="email.test_send")
    assert audit.actor == operator and "qa@example.com" in audit.summary


def test_operator_schedules_a_template_for_later(client, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("admin:billing_email_test"), {"template": "welcome", "to": "qa@example.com",
                                                          "delay_minutes": 30})
    assert len(queued) == 1
    event = BillingEvent.objects.get(event_type="email.test_requested")
    assert event.data["delay_seconds"] == 1800
    assert "in 30 minutes" in AdminAction.objects.get(action="email.test_send").summary


def test_email_test_page_refuses_a_bad_address(client, operator):
    response = client.post(reverse("admin:billing_email_test"), {"template": "welcome", "to": "nope", "delay_minutes": 0})
    assert response.status_code == 200
    assert not BillingEvent.objects.exists()
    assert not AdminAction.objects.filter(action="email.test_send").exists()


def test_billing_history_is_readable_in_the_admin(client, operator, subscriber):
    response = client.get(reverse("admin:billing_billingevent_changelist") + f"?q={subscriber.email}")
    assert response.status_code == 200
    assert "trial.started" in response.content.decode()


def test_failed_test_send_is_marked_failed_with_the_reason(client, operator, resend_server, settings):
    client.post(reverse("admin:billing_email_test"), {"template": "welcome", "to": "qa@example.com", "delay_minutes": 0})
    event = BillingEvent.objects.get(event_type="email.test_requested")
    settings.RESEND_API_URL = "http://127.0.0.1:9"  # Resend unreachable
    with pytest.raises(ProviderTransientError):
        email_test_deliver(event_id=event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED and "Resend could not send" in event.error

    settings.RESEND_API_URL = resend_server.url  # the actor's retry
    assert email_test_deliver(event_id=event.pk) is True
    event.refresh_from_db()
    assert (event.status, event.error) == (EventStatus.PROCESSED, "")
    assert [r.json()["to"] for r in resend_server.requests] == [["qa@example.com"]]
