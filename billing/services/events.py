"""The ``events`` table: what happened to a customer's billing, from every source, stored once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.lifecycle import lifecycle_event_record
from accounts.models import LifecycleEventKind

from ..models import BillingEvent, EventSource, EventStatus

# Billing events that are steps of the account's lifecycle (the funnel on the ops overview).
# A trial happens once per person, so its events carry no key; each plan change is its own step.
LIFECYCLE_KINDS = {
    "trial.started": LifecycleEventKind.TRIAL_STARTED,
    "trial.converted": LifecycleEventKind.TRIAL_CONVERTED,
    "trial.expired": LifecycleEventKind.TRIAL_EXPIRED,
    "subscription.changed": LifecycleEventKind.SUBSCRIPTION_CHANGED,
}


@transaction.atomic
def event_record(
    *,
    event_type: str,
    aggregate: str,
    user_id: int | None = None,
    data: dict[str, Any] | None = None,
    source: str = EventSource.APP,
    idempotency_key: str = "",
    occurred_at: datetime | None = None,
    status: str = EventStatus.PROCESSED,
) -> BillingEvent:
    """Write one event; with an ``idempotency_key`` that already exists, return the stored one."""
    now = timezone.now()
    event, created = BillingEvent.objects.get_or_create(
        idempotency_key=idempotency_key or f"{source}:{event_type}:{uuid.uuid4().hex}",
        defaults={
            "event_type": event_type,
            "aggregate": aggregate,
            "user_id": user_id,
            "data": data or {},
            "source": source,
            "occurred_at": occurred_at or now,
            "status": status,
            "processed_at": now if status == EventStatus.PROCESSED else None,
        },
    )
    kind = LIFECYCLE_KINDS.get(event_type)
    if created and kind is not None and user_id is not None:
        key = event.idempotency_key if kind == LifecycleEventKind.SUBSCRIPTION_CHANGED else ""
        lifecycle_event_record(user_id=user_id, kind=kind, key=key, data=event.data)
    return event
