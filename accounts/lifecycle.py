"""The account lifecycle as events: registered, confirmed, onboarded, trial, paid.

Each event is written once (a redelivered job or a repeated webhook finds the row and adds none),
with the correlation id of the request, or of the job a request caused, that made it happen.
"""

from __future__ import annotations

from typing import Any

from influencer_platform.logging import current_correlation_id

from .models import LifecycleEvent, LifecycleEventKind


def lifecycle_event_record(*, user_id: int, kind: LifecycleEventKind | str, key: str = "",
                           data: dict[str, Any] | None = None) -> bool:
    """Record the event unless it already exists; True when this call wrote it."""
    _event, created = LifecycleEvent.objects.get_or_create(
        user_id=user_id, kind=kind, key=key[:120],
        defaults={"correlation_id": current_correlation_id(), "data": data or {}},
    )
    return created
