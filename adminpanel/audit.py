"""The audit log: one ``AdminAction`` row per change an operator makes, in the change's transaction.

Operator services call ``audit_log`` (or wrap their change in ``audited``); plain add/change/delete
through any admin page is recorded by ``AuditedModelAdmin``, which the admin site mixes into every
registered ``ModelAdmin`` (see ``ADMIN_MODEL_ADMIN_MIXINS``). Imports no app: targets are stored as
``app_label.model`` + id + a readable name.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import models, router, transaction
from django.db.models import Model

from .models import AdminAction

# Form fields whose values never go into the log.
_SECRET_FIELD_MARKERS = ("password", "secret", "token", "key_digest")


class AuditOutsideTransactionError(RuntimeError):
    """An audit row written outside a transaction could outlive a change that was rolled back."""


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_email": ""}
    return {"actor": actor, "actor_email": getattr(actor, "email", "")[:254]}


def _target_fields(target: Model | None) -> dict[str, str]:
    if target is None:
        return {}
    return {
        "target_type": target._meta.label_lower,
        "target_id": "" if target.pk is None else str(target.pk),
        "target_repr": str(target)[:200],
    }


def audit_log(
    *,
    actor: Any,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_repr: str = "",
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> AdminAction:
    """Record one operator change. Call it inside the transaction that makes the change."""
    if not transaction.get_connection(router.db_for_write(AdminAction)).in_atomic_block:
        raise AuditOutsideTransactionError(f"audit_log({action!r}) must run inside the change's transaction.")
    fields: dict[str, Any] = {
        "target_type": target_type, "target_id": str(target_id), "target_repr": target_repr[:200],
        **_target_fields(target),
    }
    return AdminAction.objects.create(
        **_actor_fields(actor),
        action=action,
        summary=summary[:500],
        before=plain(before or {}),
        after=plain(after or {}),
        **fields,
    )


@dataclass
class AuditedChange:
    """Filled in by the code inside ``audited``: what the target looks like afterwards."""

    target: Model | None = None
    summary: str = ""
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)


@contextmanager
def audited(*, actor: Any, action: str, target: Model | None = None, before: dict | None = None,
            summary: str = "") -> Iterator[AuditedChange]:
    """Run a change and its audit row in one transaction; nothing is logged if the change raises."""
    change = AuditedChange(target=target, summary=summary, before=dict(before or {}))
    with transaction.atomic():
        yield change
        audit_log(actor=actor, action=action, target=change.target, summary=change.summary,
                  before=change.before, after=change.after)


def plain(value: Any) -> Any:
    """``value`` as JSON data an operator can read: models by name, dates as ISO text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, (models.QuerySet, list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _secret(name: str) -> bool:
    return any(marker in name for marker in _SECRET_FIELD_MARKERS)


def form_changes(form: Any, formsets: Iterable[Any] | None = None) -> tuple[dict, dict]:
    """The fields an admin form (and its inlines) changed: ``(before, after)``, secrets masked."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}

    def record(prefix: str, changed_form: Any) -> None:
        for name in changed_form.changed_data:
            label = f"{prefix}{name}"
            if _secret(name):
                before[label], after[label] = "(hidden)", "(changed)"
                continue
            before[label] = plain(changed_form.initial.get(name))
            after[label] = plain(changed_form.cleaned_data.get(name))

    record("", form)
    for formset in formsets or ():
        several = formset.total_form_count() > 1
        for inline_form in formset.forms:
            instance = getattr(inline_form, "instance", None)
            prefix = formset.prefix + (f"[{instance.pk}]" if several and instance and instance.pk else "")
            if inline_form in getattr(formset, "deleted_forms", ()):
                before[f"{prefix}"] = str(instance)
                after[f"{prefix}"] = "(deleted)"
            elif inline_form.has_changed():
                record(f"{prefix}.", inline_form)
    return before, after


class AuditedModelAdmin:
    """Mixed into every ModelAdmin by the admin site: add, change and delete write an AdminAction.

    Django calls ``construct_change_message`` with the form before ``log_addition``/``log_change``,
    inside the same transaction as the save, so the form's changes are kept on the request for the
    log call. An admin whose saves already go through an audited service sets
    ``audit_admin_changes = False`` (deletes are still logged here).
    """

    # Read with getattr: this class comes first in the admin's MRO, so an attribute set here would
    # hide the admin's own setting.
    @property
    def _audited(self) -> bool:
        return getattr(super(), "audit_admin_changes", True)

    def construct_change_message(self, request, form, formsets, add=False):
        request._audit_form_changes = form_changes(form, formsets)
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if self._audited:
            _before, after = getattr(request, "_audit_form_changes", ({}, {}))
            audit_log(actor=request.user, action=f"{obj._meta.label_lower}.add", target=obj,
                      summary=f"Added {obj._meta.verbose_name} {obj}", after=after)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        before, after = getattr(request, "_audit_form_changes", ({}, {}))
        # Saving a form without touching it changes nothing, so there is nothing to record.
        if self._audited and (before or after):
            audit_log(actor=request.user, action=f"{obj._meta.label_lower}.change", target=obj,
                      summary=f"Changed {', '.join(after)}", before=before, after=after)
        return entry

    def delete_model(self, request, obj):
        with transaction.atomic(using=router.db_for_write(obj)):
            audit_log(actor=request.user, action=f"{obj._meta.label_lower}.delete", target=obj,
                      summary=f"Deleted {obj._meta.verbose_name} {obj}", before={"object": str(obj)})
            return super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        opts = queryset.model._meta
        # The bulk delete action is not atomic on its own; the log and the delete must be.
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            objects = list(queryset)
            target = objects[0] if len(objects) == 1 else None
            name = opts.verbose_name if len(objects) == 1 else opts.verbose_name_plural
            audit_log(
                actor=request.user, action=f"{opts.label_lower}.delete", target=target,
                target_type=opts.label_lower, target_repr=f"{len(objects)} {opts.verbose_name_plural}",
                summary=f"Deleted {len(objects)} {name}",
                before={"objects": [{"id": plain(obj.pk), "name": str(obj)} for obj in objects]},
            )
            return super().delete_queryset(request, queryset)

