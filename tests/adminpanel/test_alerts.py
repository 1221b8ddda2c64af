"""Alerts: raised once, counted while the cause persists, emailed once per interval, resolved with an audit row."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from adminpanel import alerts
from adminpanel.models import AdminAction, Alert, BackgroundJob, BackgroundJobStatus, WorkerHeartbeat
from adminpanel.operator.services import do_ops_health_check
from scraping.models import ScrapingJob
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_KINDS = sorted(alerts.ALERT_KINDS)


@pytest.fixture
def operators(settings):
    settings.ADMIN_EMAILS = ["oncall@ops.example"]
    UserFactory(is_admin=True, email="olivia@ops.example")
    UserFactory(email="customer@brand.example")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_alert_raise_opens_once_counts_and_emails_operators_once(kind, operators, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = alerts.alert_raise(kind=kind, detail="first sighting")
    with django_capture_on_commit_callbacks(execute=True):
        again = alerts.alert_raise(kind=kind, detail="second sighting")
        alerts.alert_raise(kind=kind, detail="third sighting")

    assert Alert.objects.filter(kind=kind).count() == 1
    again.refresh_from_db()
    assert (again.pk, again.count, again.detail) == (first.pk, 3, "third sighting")
    assert again.last_seen_at >= again.first_seen_at
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["olivia@ops.example", "oncall@ops.example"]
    assert alerts.ALERT_KINDS[kind].title in mail.outbox[0].subject
    assert "first sighting" in mail.outbox[0].body


def test_alert_email_waits_for_the_interval_after_a_resolved_alert(operators, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.RUNTIME_CONFIG_OVERRIDES = {"alerts.email_interval": "1h"}
    operator = UserFactory(is_admin=True)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = alerts.alert_raise(kind=alerts.WEBHOOK_FAILED, now=now)
    alerts.alert_resolve(actor=operator, alert_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        second = alerts.alert_raise(kind=alerts.WEBHOOK_FAILED, now=now + timedelta(minutes=20))
    assert second.pk != first.pk and second.notified_at is None
    assert len(mail.outbox) == 1
    alerts.alert_resolve(actor=operator, alert_id=second.pk)
    with django_capture_on_commit_callbacks(execute=True):
        third = alerts.alert_raise(kind=alerts.WEBHOOK_FAILED, now=now + timedelta(minutes=61))
    assert third.notified_at is not None
    assert len(mail.outbox) == 2
    # Another kind has its own interval.
    with django_capture_on_commit_callbacks(execute=True):
        alerts.alert_raise(kind=alerts.WORKERS_SILENT, now=now + timedelta(minutes=21))
    assert len(mail.outbox) == 3


def test_operator_resolves_an_alert_from_the_console_home_with_an_audit_row(client):
    operator = UserFactory(is_admin=True, email="olivia@ops.example")
    client.force_login(operator)
    alert = alerts.alert_raise(kind=alerts.PROVIDER_OUT_OF_CREDIT, detail="402 on /v1/tiktok/search/keyword")

    home = client.get(reverse("admin:index")).content.decode()
    assert "The data provider account is out of credit" in home
    overview = client.get(reverse("admin:ops_overview")).content.decode()
    assert "The data provider account is out of credit" in overview

    response = client.post(reverse("admin:adminpanel_alert_resolve", args=[alert.pk]), {"next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    alert.refresh_from_db()
    assert alert.resolved_by == operator and alert.resolved_at is not None
    entry = AdminAction.objects.get(action="alert.resolve")
    assert (entry.actor, entry.target_id) == (operator, str(alert.pk))
    assert "No open alerts." in client.get(reverse("admin:index")).content.decode()
    # A second resolve changes nothing and says so.
    client.post(reverse("admin:adminpanel_alert_resolve", args=[alert.pk]))
    assert AdminAction.objects.filter(action="alert.resolve").count() == 1


def test_alert_resolve_is_post_only_and_for_operators_only(client):
    alert = alerts.alert_raise(kind=alerts.WORKERS_SILENT)
    url = reverse("admin:adminpanel_alert_resolve", args=[alert.pk])
    customer = UserFactory()
    client.force_login(customer)
    # The console sends anyone else to its sign-in, which refuses a signed-in customer.
    assert client.post(url, follow=True).status_code == 403
    assert client.get(reverse("admin:adminpanel_alert_changelist"), follow=True).status_code == 403
    client.force_login(UserFactory(is_admin=True))
    assert client.get(url).status_code == 405
    assert client.post(reverse("admin:adminpanel_alert_resolve", args=[alert.pk + 999])).status_code == 404
    assert client.get(reverse("admin:adminpanel_alert_change", args=[alert.pk])).status_code == 200
    alert.refresh_from_db()
    assert alert.is_open


def test_alert_changelist_resolve_action_writes_one_audit_row_per_alert(client):
    operator = UserFactory(is_admin=True)
    client.force_login(operator)
    opened = [alerts.alert_raise(kind=kind) for kind in (alerts.WEBHOOK_FAILED, alerts.SCHEDULER_SILENT)]
    response = client.post(reverse("admin:adminpanel_alert_changelist"),
                           {"action": "resolve_selected", "_selected_action": [a.pk for a in opened]})
    assert response.status_code == 302
    assert not Alert.objects.filter(resolved_at__isnull=True).exists()
    assert AdminAction.objects.filter(action="alert.resolve", actor=operator).count() == 2


def test_health_check_raises_silent_workers_and_scheduler_and_low_credits(settings):
    settings.RUNTIME_CONFIG_OVERRIDES = {"alerts.workers_silent_after": "5m", "alerts.scheduler_silent_after": "10m",
                                         "alerts.credits_threshold": 1000}
    now = timezone.now()
    assert set(do_ops_health_check()) == {alerts.WORKERS_SILENT}  # no worker has ever reported

    WorkerHeartbeat.objects.create(worker_id="w:1", hostname="w", pid=1, started_at=now - timedelta(hours=1),
                                   last_seen_at=now)
    BackgroundJob.objects.create(message_id="tick", actor_name=alerts.HEALTH_CHECK_ACTOR, queue_name="maintenance",
                                 status=BackgroundJobStatus.DONE, enqueued_at=now - timedelta(minutes=2))
    user = UserFactory()
    ScrapingJob.objects.create(user=user, platform="tiktok", search_type="keyword", keywords=["a"],
                               target_results=10, credits_remaining=4000)
    assert do_ops_health_check() == []

    BackgroundJob.objects.filter(message_id="tick").update(enqueued_at=now - timedelta(minutes=30))
    ScrapingJob.objects.update(credits_remaining=900)
    assert set(do_ops_health_check()) == {alerts.SCHEDULER_SILENT, alerts.PROVIDER_CREDITS_LOW}
    call_command("ops_health_check")
    assert Alert.objects.get(kind=alerts.SCHEDULER_SILENT).count == 2
    assert "900 credits left" in Alert.objects.get(kind=alerts.PROVIDER_CREDITS_LOW).detail
    assert Alert.objects.get(kind=alerts.WORKERS_SILENT).count == 1  # workers came back: counted no more
