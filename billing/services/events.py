"""The ``events`` table: what happened to a customer's billing, from every source, stored once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import BillingEvent, EventSource, EventStatus


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
    event, _ = BillingEvent.objects.get_or_create(
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
    return event
