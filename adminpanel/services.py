"""Writes of the operator console that need no other app: settings, background job retries, clean-up.

Each operator-facing service records its ``AdminAction`` in its own transaction (see ``audit``).
Services that change users, plans or searches live in ``adminpanel.operator``, above those apps.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dramatiq
from django.db import transaction
from django.utils import timezone

from influencer_platform.errors import ApplicationError, NotFoundError

from .audit import audit_log
from .config import REGISTRY, config_changed, config_get, config_validate
from .models import AdminAction, BackgroundJob, BackgroundJobStatus, SystemConfiguration, WorkerHeartbeat

# A worker that has not reported for this long is gone for good; its row only clutters the page.
HEARTBEAT_FORGET_AFTER_DAYS = 2


class ConfigValueError(ApplicationError):
    code = "config_invalid"


# Settings


@transaction.atomic
def config_registry_sync() -> int:
    """Give every registry key a row (the default value) and keep each row's type and description
    in step with the code; returns how many rows were created. Runs after every migrate."""
    existing = {row.full_key: row for row in SystemConfiguration.objects.select_for_update()}
    created, updated = [], 0
    for entry in REGISTRY.values():
        row = existing.get(entry.key)
        default_text = config_validate(entry, entry.default)[1] if entry.default is not None else ""
        if row is None:
            created.append(SystemConfiguration(
                category=entry.category, key=entry.name, value=default_text, value_type=entry.value_type,
                description=entry.description, is_hot_reloadable=entry.hot_reload,
            ))
            continue
        fields = {"value_type": entry.value_type, "description": entry.description,
                  "is_hot_reloadable": entry.hot_reload}
        changed = [name for name, value in fields.items() if getattr(row, name) != value]
        try:
            config_validate(entry, row.value)
        except ValueError:
            # The key changed type in the code: the old value means nothing under the new one.
            row.value = default_text
            changed.append("value")
        if changed:
            for name, value in fields.items():
                setattr(row, name, value)
            row.save(update_fields=[*changed, "updated_at"])
            updated += 1
    SystemConfiguration.objects.bulk_create(created, ignore_conflicts=True)
    if created or updated:
        config_changed()
    return len(created)


@transaction.atomic
def config_set(*, actor: Any, setting_id: int, value: str) -> SystemConfiguration:
    """Change one setting after checking the value against its type; every process picks it up
    within seconds. A bad value raises ``ConfigValueError`` with a sentence for the form."""
    setting = SystemConfiguration.objects.select_for_update().filter(pk=setting_id).first()
    if setting is None:
        raise NotFoundError("That setting does not exist.")
    entry = setting.entry
    if entry is None:
        raise ConfigValueError("This setting is no longer used by the code; delete it instead.")
    try:
        _typed, text = config_validate(entry, value)
    except ValueError as exc:
        raise ConfigValueError(str(exc), extra={"field": "value"}) from None
    if text == setting.value:
        return setting
    before = setting.value
    setting.value = text
    setting.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    setting.save(update_fields=["value", "updated_by", "updated_at"])
    restart = "" if entry.hot_reload else " (applies when the processes restart)"
    audit_log(actor=actor, action="config.change", target=setting,
              summary=f"{entry.key}: {before} → {text}{restart}",
              before={"value": before}, after={"value": text})
    config_changed()
    return setting


# Background jobs


@transaction.atomic
def background_job_retry(*, actor: Any, job_id: int) -> BackgroundJob:
    """Send a failed message again, as a new message with the same actor and arguments.

    The copy's id is stored on the failed row under its lock, so a double click sends one copy.
    """
    job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise NotFoundError("That background job does not exist.")
    if job.status != BackgroundJobStatus.FAILED:
        raise ApplicationError("Only a failed job can be retried.", code="job_not_failed", status_code=409)
    if job.retried_as:
        raise ApplicationError("This job has already been retried.", code="job_already_retried",
                               status_code=409)
    broker = dramatiq.get_broker()
    try:
        actor_ = broker.get_actor(job.actor_name)
    except dramatiq.errors.ActorNotFound:
        raise ApplicationError(f"No task called {job.actor_name} exists any more.", code="actor_unknown") from None
    message = actor_.message_with_options(args=tuple(job.args), kwargs=job.kwargs,
                                          retry_of=job.message_id)
    job.retried_as = message.message_id
    job.save(update_fields=["retried_as", "updated_at"])
    audit_log(actor=actor, action="background_job.retry", target=job,
              summary=f"Retried {job.actor_name} as message {message.message_id}",
              before={"status": job.status}, after={"retried_as": message.message_id})
    transaction.on_commit(lambda: broker.enqueue(message))
    return job


@transaction.atomic
def background_job_cancel(*, actor: Any, job_id: int) -> BackgroundJob:
    """Cancel a message no worker has started: when one picks it up, it is skipped.

    The message stays in its queue (a broker cannot take one out by id); the row's status under
    its lock is what the worker reads before it starts.
    """
    job = BackgroundJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise NotFoundError("That background job does not exist.")
    if job.status != BackgroundJobStatus.QUEUED:
        raise ApplicationError("Only a job no worker has started can be cancelled.", code="job_started",
                               status_code=409)
    before = job.status
    job.status = BackgroundJobStatus.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "updated_at"])
    audit_log(actor=actor, action="background_job.cancel", target=job,
              summary=f"Cancelled {job.actor_name} before it started",
              before={"status": before}, after={"status": job.status})
    return job


def background_history_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Delete job records and audit entries past their retention, and workers long gone."""
    now = now or timezone.now()
    jobs, _ = BackgroundJob.objects.filter(
        updated_at__lt=now - config_get("retention.background_jobs")
    ).delete()
    actions, _ = AdminAction.objects.filter(created_at__lt=now - config_get("retention.admin_actions")).delete()
    workers, _ = WorkerHeartbeat.objects.filter(
        last_seen_at__lt=now - timedelta(days=HEARTBEAT_FORGET_AFTER_DAYS)
    ).delete()
    return {"background_jobs": jobs, "admin_actions": actions, "workers": workers}
