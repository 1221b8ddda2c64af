"""Operator tools of billing: test sends of any lifecycle template, reprocessing failed events."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from influencer_platform import actor_names
from influencer_platform.errors import ApplicationError, ProviderError
from influencer_platform.jobs import actor_send

from ..emails import EMAIL_TEMPLATES, email_deliver, sample_context
from ..models import BillingEvent, EventSource, EventStatus
from .events import event_record

MAX_TEST_DELAY_SECONDS = 7 * 24 * 3600


@transaction.atomic
def email_test_schedule(*, actor: User, to: str, template: str, delay_seconds: int = 0) -> BillingEvent:
    """Send ``template`` with sample values to ``to`` now or after ``delay_seconds``."""
    if template not in EMAIL_TEMPLATES:
        raise ApplicationError("Choose one of the email templates.", code="invalid_template")
    try:
        validate_email(to)
    except ValidationError:
        raise ApplicationError("Enter a valid email address to send the test to.", code="invalid_address") from None
    if not 0 <= delay_seconds <= MAX_TEST_DELAY_SECONDS:
        raise ApplicationError("Choose a delay between now and 7 days.", code="invalid_delay")
    event = event_record(
        event_type="email.test_requested", aggregate=f"email:{template}", user_id=actor.pk,
        source=EventSource.ADMIN, status=EventStatus.PENDING,
        data={"to": to, "template": template, "delay_seconds": delay_seconds, "user_name": actor.display_name},
        occurred_at=timezone.now(),
    )
    transaction.on_commit(lambda: actor_send(actor_names.EMAIL_TEST_SEND, event.pk, delay=delay_seconds or None))
    return event


def email_test_deliver(*, event_id: int) -> bool:
    """The delayed half of ``email_test_schedule``; a redelivered message sends nothing twice."""
    with transaction.atomic():
        event = BillingEvent.objects.select_for_update().filter(
            pk=event_id, event_type="email.test_requested").first()
        if event is None or event.status == EventStatus.PROCESSED:
            return False
        event.status = EventStatus.PROCESSING
        event.save(update_fields=["status"])
    data = event.data
    try:
        email_deliver(
            to=data["to"], key=data["template"],
            context=sample_context(key=data["template"], user_name=data["user_name"]),
            idempotency_key=f"email-test-{event.pk}",
        )
    except ProviderError as exc:
        # The operator reads why in the events list; a transient failure is retried by the actor.
        BillingEvent.objects.filter(pk=event.pk).update(status=EventStatus.FAILED, error=exc.message[:2000])
        raise
    BillingEvent.objects.filter(pk=event.pk).update(status=EventStatus.PROCESSED, processed_at=timezone.now(), error="")
    return True


@transaction.atomic
def billing_event_reprocess(*, event_id: int) -> bool:
    """Queue a failed provider event again (an operator fixed the cause)."""
    event = BillingEvent.objects.select_for_update().filter(pk=event_id, source=EventSource.STRIPE).first()
    if event is None or event.status not in (EventStatus.FAILED, EventStatus.PENDING):
        return False
    transaction.on_commit(lambda: actor_send(actor_names.BILLING_EVENT_PROCESS, event.pk))
    return True
