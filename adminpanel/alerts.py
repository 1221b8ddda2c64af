"""Alerts: the platform telling its operators that something needs them.

Any layer raises an alert with ``alert_raise(kind=..., detail=...)``. The first raise of a kind opens
an ``Alert`` and emails the operators (the ``ADMIN_EMAILS`` addresses and every ``is_admin``
account), at most once per kind per ``alerts.email_interval``; every later raise while it is open
only counts it and moves ``last_seen_at``. An operator resolves it (audited); a cause that persists
after that opens a new alert.

This module imports no app (the user model is looked up by name), so the engine, billing and the
console all call it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from influencer_platform import actor_names
from influencer_platform.errors import ApplicationError, NotFoundError

from .audit import audit_log
from .config import config_get, format_duration
from .models import Alert, AlertSeverity, BackgroundJob, WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertKind:
    key: str
    severity: str
    title: str
    action: str  # what an operator does about it, for the email and the console


PROVIDER_KEY_REFUSED = "provider_key_refused"
PROVIDER_OUT_OF_CREDIT = "provider_out_of_credit"
PROVIDER_CREDITS_LOW = "provider_credits_low"
SEARCH_PROVIDER_FAILED = "search_provider_failed"
WEBHOOK_FAILED = "webhook_failed"
WORKERS_SILENT = "workers_silent"
SCHEDULER_SILENT = "scheduler_silent"
STRIPE_TEST_OBJECT = "stripe_test_object"

ALERT_KINDS: dict[str, AlertKind] = {
    kind.key: kind
    for kind in (
        AlertKind(PROVIDER_KEY_REFUSED, AlertSeverity.CRITICAL, "The data provider refused our API key",
                  "Check SCRAPECREATORS_API_KEY against the provider's dashboard; every search fails until then."),
        AlertKind(PROVIDER_OUT_OF_CREDIT, AlertSeverity.CRITICAL, "The data provider account is out of credit",
                  "Buy credits on the provider's dashboard; every search fails until then."),
        AlertKind(PROVIDER_CREDITS_LOW, AlertSeverity.WARNING, "Provider credits are running low",
                  "Buy credits before they run out (see the operations overview for the days left)."),
        AlertKind(SEARCH_PROVIDER_FAILED, AlertSeverity.WARNING, "Searches are ending on provider failures",
                  "Look at the failed searches on the operations overview and the provider's status page."),
        AlertKind(WEBHOOK_FAILED, AlertSeverity.WARNING, "Billing webhooks fail to process",
                  "Open the failed billing events, fix the cause and process them again."),
        AlertKind(WORKERS_SILENT, AlertSeverity.CRITICAL, "No job worker is reporting",
                  "Start the workers (run_workers); searches and emails wait until one runs."),
        AlertKind(SCHEDULER_SILENT, AlertSeverity.CRITICAL, "The scheduler sends no periodic tasks",
                  "Start the scheduler (crontab); sweeps, trial expiry and reconciling have stopped."),
        AlertKind(STRIPE_TEST_OBJECT, AlertSeverity.WARNING, "Test-mode Stripe objects under live keys",
                  "The accounts named were detached from Stripe's test objects; check how they got them."),
    )
}

# The task the scheduler sends every minute; its last send says whether the scheduler is alive.
HEALTH_CHECK_ACTOR = actor_names.OPS_HEALTH_CHECK


class AlertError(ApplicationError):
    code = "alert_invalid"


def _open_alert(kind: str) -> Alert | None:
    return Alert.objects.select_for_update().filter(kind=kind, resolved_at__isnull=True).first()


def alert_raise(*, kind: str, detail: str = "", now: datetime | None = None) -> Alert:
    """Open the alert of ``kind`` or count one more sighting of it; emails the operators when it opens.

    Safe to call from inside any transaction (a savepoint keeps a lost race from poisoning it) and
    from many processes at once: the partial unique constraint keeps one open alert per kind.
    """
    entry = ALERT_KINDS[kind]
    now = now or timezone.now()
    detail = detail[:2000]
    with transaction.atomic():
        alert = _open_alert(kind)
        if alert is not None:
            Alert.objects.filter(pk=alert.pk).update(count=F("count") + 1, last_seen_at=now,
                                                     detail=detail or alert.detail)
            alert.refresh_from_db()
            return alert
        try:
            with transaction.atomic():
                alert = Alert.objects.create(kind=kind, severity=entry.severity, title=entry.title, detail=detail,
                                             first_seen_at=now, last_seen_at=now)
        except IntegrityError:
            # Another process opened it between our read and our insert: count on theirs.
            return alert_raise(kind=kind, detail=detail, now=now)
        if _email_due(kind, now=now):
            Alert.objects.filter(pk=alert.pk).update(notified_at=now)
            alert.notified_at = now
            transaction.on_commit(lambda: _operators_notify(alert.pk))
        return alert


def _email_due(kind: str, *, now: datetime) -> bool:
    last = Alert.objects.filter(kind=kind, notified_at__isnull=False).aggregate(last=Max("notified_at"))["last"]
    return last is None or now - last >= config_get("alerts.email_interval")


def operator_emails() -> list[str]:
    """Everyone who runs the platform: the ``ADMIN_EMAILS`` addresses and every operator account."""
    accounts = get_user_model().objects.filter(is_admin=True, is_active=True).values_list("email", flat=True)
    return sorted({*settings.ADMIN_EMAILS, *(email.lower() for email in accounts if email)})


def _operators_notify(alert_id: int) -> None:
    alert = Alert.objects.filter(pk=alert_id).first()
    recipients = operator_emails()
    if alert is None or not recipients:
        return
    entry = ALERT_KINDS[alert.kind]
    body = "\n\n".join(part for part in (
        f"{alert.title} (since {alert.first_seen_at:%Y-%m-%d %H:%M} UTC).",
        alert.detail,
        entry.action,
        f"Open alerts: {settings.SITE_URL}/admin/adminpanel/alert/?resolved_at__isnull=True",
    ) if part)
    try:
        send_mail(subject=f"[Creator Radar] {alert.get_severity_display()}: {alert.title}", message=body,
                  from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=recipients)
    except Exception:  # any email backend's failure; the alert stays on the console
        logger.exception("alert email failed", extra={"alert_id": alert_id})


@transaction.atomic
def alert_resolve(*, actor: Any, alert_id: int, note: str = "") -> Alert:
    """Mark an open alert as dealt with; the audit log records who did and when."""
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise NotFoundError("That alert does not exist.")
    if alert.resolved_at is not None:
        raise AlertError("This alert is already resolved.", code="alert_resolved", status_code=409)
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
    alert.save(update_fields=["resolved_at", "resolved_by"])
    audit_log(actor=actor, action="alert.resolve", target=alert,
              summary=f"Resolved alert: {alert.title} (seen {alert.count} times)" + (f"; {note}" if note else ""),
              before={"resolved_at": None}, after={"resolved_at": alert.resolved_at, "count": alert.count})
    return alert


def alerts_open() -> list[Alert]:
    return list(Alert.objects.filter(resolved_at__isnull=True).order_by("severity", "-last_seen_at"))


# Causes the code sees as they happen


def alert_provider_refused(*, status: int | None, message: str = "") -> None:
    """The data provider answered 401 (key refused) or 402/403 (out of credit); anything else is no alert."""
    if status == 401:
        alert_raise(kind=PROVIDER_KEY_REFUSED, detail=message)
    elif status in (402, 403):
        alert_raise(kind=PROVIDER_OUT_OF_CREDIT, detail=message)


# Causes found by looking: the health check every worker and the scheduler run


def _workers_last_seen() -> datetime | None:
    return WorkerHeartbeat.objects.filter(stopped_at__isnull=True).aggregate(last=Max("last_seen_at"))["last"]


def _scheduler_last_send() -> datetime | None:
    return BackgroundJob.objects.filter(actor_name=HEALTH_CHECK_ACTOR).aggregate(last=Max("enqueued_at"))["last"]


def alerts_health_check(*, now: datetime | None = None, check_scheduler: bool = True,
                        check_workers: bool = True) -> list[str]:
    """Raise the alerts for silent workers and a silent scheduler; returns the kinds raised.

    Workers are judged by their heartbeats. The scheduler is judged by its every-minute health check
    message: a worker that is alive but has not seen one for long means the scheduler is down.
    """
    now = now or timezone.now()
    raised: list[str] = []
    last_report = _workers_last_seen()
    workers_alive = last_report is not None and now - last_report < config_get("alerts.workers_silent_after")
    if check_workers and not workers_alive:
        since = ("No worker has ever reported." if last_report is None
                 else f"The last report was at {last_report:%Y-%m-%d %H:%M} UTC.")
        alert_raise(kind=WORKERS_SILENT, detail=since, now=now)
        raised.append(WORKERS_SILENT)
    # Health check messages are recorded by the workers that run them: without a live worker
    # their absence says nothing about the scheduler.
    if check_scheduler and workers_alive:
        last_send = _scheduler_last_send()
        newest_start = WorkerHeartbeat.objects.filter(stopped_at__isnull=True).aggregate(
            newest=Max("started_at"))["newest"]
        silent_after: timedelta = config_get("alerts.scheduler_silent_after")
        # Workers that started only just now have not had time to see a periodic task.
        reference = max(filter(None, (last_send, newest_start)), default=None)
        if reference is not None and now - reference >= silent_after:
            since = ("It never sent one." if last_send is None
                     else f"The last one was sent at {last_send:%Y-%m-%d %H:%M} UTC.")
            alert_raise(kind=SCHEDULER_SILENT, now=now,
                        detail=f"No periodic health check for {format_duration(silent_after)}. {since}")
            raised.append(SCHEDULER_SILENT)
    return raised


def alert_credits_check(*, credits_remaining: int | None, now: datetime | None = None) -> bool:
    """Raise the low-credit alert when the provider's last balance is under the configured threshold."""
    threshold = config_get("alerts.credits_threshold")
    if credits_remaining is None or credits_remaining >= threshold:
        return False
    alert_raise(kind=PROVIDER_CREDITS_LOW, now=now,
                detail=f"The provider reported {credits_remaining:,} credits left (threshold {threshold:,}).")
    return True
