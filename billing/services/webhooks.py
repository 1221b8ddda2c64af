"""Provider webhooks: verified, stored once in ``events``, acknowledged, then processed by an actor.

The view only verifies the signature and calls ``webhook_event_record``: the unique idempotency
key (``stripe:<event id>``) makes a redelivered event a no-op, and the actor is enqueued on commit
of the first copy only. ``billing_event_process`` dispatches on the event type through
``WEBHOOK_HANDLERS``; handlers apply the subscription's own state (see
``subscription_state_apply``), never "whatever arrived last".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserBilling, UserSubscription, UserSystemData
from adminpanel.alerts import WEBHOOK_FAILED, alert_raise
from influencer_platform import actor_names
from influencer_platform.errors import ProviderError, ProviderPermanentError
from influencer_platform.jobs import actor_send

from ..models import BillingEvent, EventSource, EventStatus
from ..providers import get_provider
from ..providers.base import WebhookEvent
from ..selectors import money_text
from .emails import invoice_failed_email_schedule, subscription_welcome_schedule
from .subscriptions import (
    StateOutcome,
    billing_details_apply,
    billing_details_fetch,
    now_whole_second,
    subscription_state_apply,
)

logger = logging.getLogger(__name__)

# A stored event not processed after this long has lost its actor message.
REQUEUE_AFTER = timedelta(minutes=2)


def _aggregate(event: WebhookEvent) -> str:
    obj = event.object
    kind = str(obj.get("object") or "object")
    if kind == "subscription":
        return f"subscription:{obj.get('id')}"
    if kind == "invoice":
        invoice = get_provider().invoice_from_object(obj)
        return f"subscription:{invoice.subscription_id}" if invoice.subscription_id else f"invoice:{invoice.id}"
    if kind == "checkout.session" and obj.get("subscription"):
        return f"subscription:{get_provider().checkout_session_from_object(obj).subscription_id}"
    return f"{kind}:{obj.get('id')}"


@transaction.atomic
def webhook_event_record(*, event: WebhookEvent, source: str = EventSource.STRIPE) -> tuple[BillingEvent, bool]:
    """Store a verified provider event once and queue it for processing until it is done."""
    stored, created = BillingEvent.objects.get_or_create(
        idempotency_key=f"{source}:{event.id}",
        defaults={
            "aggregate": _aggregate(event)[:100],
            "event_type": event.type[:100],
            "data": event.payload,
            "source": source,
            "occurred_at": event.created,
            "status": EventStatus.PENDING,
        },
    )
    # A copy of an event that has waited too long is queued again: the first copy's message may
    # never have reached the broker (its enqueue failed after the row committed, so Stripe got a
    # 500 and retries). A burst of copies still gets one message; processing claims the row under
    # a lock, so an extra message would change nothing anyway.
    stuck = stored.status in (EventStatus.PENDING, EventStatus.FAILED) and (
        stored.created_at < timezone.now() - REQUEUE_AFTER)
    if created or stuck:
        transaction.on_commit(lambda: actor_send(actor_names.BILLING_EVENT_PROCESS, stored.pk))
    return stored, created


def _user_id_for(*, customer_id: str, reference: str = "") -> int | None:
    """Whose event this is: by provider customer first, then by our own id in the reference."""
    if customer_id:
        user_id = UserBilling.objects.filter(stripe_customer_id=customer_id).values_list("user_id", flat=True).first()
        if user_id:
            return user_id
    if reference.isdigit() and User.objects.filter(pk=int(reference)).exists():
        return int(reference)
    return None


# Each handler returns (user id or None, outcome): a ``StateOutcome`` or "no_user".
Handler = Callable[[BillingEvent, WebhookEvent], tuple[int | None, str]]


def _applied_in_the_same_second(*, user_id: int, subscription_id: str, as_of) -> bool:
    applied_at = UserSubscription.objects.filter(
        user_id=user_id, user__billing__stripe_subscription_id=subscription_id
    ).values_list("provider_state_at", flat=True).first()
    return applied_at is not None and applied_at == as_of


def _subscription_changed(stored: BillingEvent, event: WebhookEvent) -> tuple[int | None, str]:
    provider = get_provider()
    state = provider.subscription_from_object(event.object)
    user_id = _user_id_for(customer_id=state.customer_id, reference=state.metadata.get("user_id", ""))
    if user_id is None:
        return None, "no_user"
    as_of = event.created
    if _applied_in_the_same_second(user_id=user_id, subscription_id=state.id, as_of=as_of):
        # Stripe stamps events in whole seconds and a checkout or a plan change emits several about
        # one subscription within the same second, so their order of arrival says nothing about
        # which is newer: the subscription's state is read from Stripe instead.
        try:
            state, as_of = provider.subscription_get(state.id), now_whole_second()
        except ProviderPermanentError:
            pass
    details = billing_details_fetch(customer_id=state.customer_id, payment_method_id=state.payment_method_id)
    outcome = subscription_state_apply(user_id=user_id, state=state, as_of=as_of, details=details,
                                       cause=event.type, source=EventSource.STRIPE)
    return user_id, outcome


def _checkout_completed(stored: BillingEvent, event: WebhookEvent) -> tuple[int | None, str]:
    provider = get_provider()
    session = provider.checkout_session_from_object(event.object)
    user_id = _user_id_for(customer_id=session.customer_id, reference=session.client_reference_id)
    if user_id is None:
        return None, "no_user"
    if not session.subscription_id:
        return user_id, StateOutcome.APPLIED
    # The session carries only the subscription's id: its state is read from the provider.
    state = provider.subscription_get(session.subscription_id)
    details = billing_details_fetch(customer_id=session.customer_id, payment_method_id=state.payment_method_id)
    outcome = subscription_state_apply(user_id=user_id, state=state, as_of=now_whole_second(),
                                       details=details, cause=event.type, source=EventSource.STRIPE)
    return user_id, outcome


def _invoice_paid(stored: BillingEvent, event: WebhookEvent) -> tuple[int | None, str]:
    invoice = get_provider().invoice_from_object(event.object)
    user_id = _user_id_for(customer_id=invoice.customer_id)
    if user_id is None:
        return None, "no_user"
    _billing_details_store(user_id, invoice.customer_id)
    if invoice.amount_paid_cents > 0:
        # Money received: the thank-you held back for the first charge after a trial goes now.
        subscription_welcome_schedule(user_id=user_id)
    return user_id, StateOutcome.APPLIED


def _invoice_failed(stored: BillingEvent, event: WebhookEvent) -> tuple[int | None, str]:
    invoice = get_provider().invoice_from_object(event.object)
    user_id = _user_id_for(customer_id=invoice.customer_id)
    if user_id is None:
        return None, "no_user"
    _billing_details_store(user_id, invoice.customer_id)
    invoice_failed_email_schedule(user_id=user_id, invoice_id=invoice.id,
                                  amount=money_text(invoice.amount_due_cents, invoice.currency))
    return user_id, StateOutcome.APPLIED


def _billing_details_store(user_id: int, customer_id: str) -> None:
    # The card charged is the subscription's own payment method when it has one (Checkout saves
    # it there, not on the customer), and an invoice names neither: the subscription is read.
    subscription_id = UserBilling.objects.filter(user_id=user_id).values_list(
        "stripe_subscription_id", flat=True).first()
    payment_method_id = ""
    if subscription_id:
        try:
            payment_method_id = get_provider().subscription_get(subscription_id).payment_method_id
        except ProviderPermanentError:
            pass
    details = billing_details_fetch(customer_id=customer_id, payment_method_id=payment_method_id)
    if details is None or (details.card is None and details.address is None):
        return
    with transaction.atomic():
        billing = UserBilling.objects.select_for_update().get(user_id=user_id)
        billing_details_apply(billing, details)
        billing.save()


WEBHOOK_HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _checkout_completed,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_changed,
    "customer.subscription.trial_will_end": _subscription_changed,
    "invoice.payment_succeeded": _invoice_paid,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _invoice_failed,
}


@transaction.atomic
def _claim(event_id: int) -> BillingEvent | None:
    stored = BillingEvent.objects.select_for_update().filter(pk=event_id).first()
    if stored is None or stored.status in (EventStatus.PROCESSED, EventStatus.SKIPPED, EventStatus.IGNORED):
        return None
    if stored.status != EventStatus.PENDING:
        stored.retries += 1
    stored.status = EventStatus.PROCESSING
    stored.save(update_fields=["status", "retries"])
    return stored


@transaction.atomic
def _finish(event_id: int, *, status: str, user_id: int | None, error: str = "") -> None:
    stored = BillingEvent.objects.select_for_update().get(pk=event_id)
    stored.status = status
    stored.error = error[:2000]
    stored.processed_at = timezone.now() if status != EventStatus.FAILED else None
    if user_id is not None:
        stored.user_id = user_id
    stored.save(update_fields=["status", "error", "processed_at", "user"])
    if status == EventStatus.FAILED:
        alert_raise(kind=WEBHOOK_FAILED, detail=f"{stored.event_type} (event {stored.pk}): {stored.error}")
    if user_id is not None and status in (EventStatus.PROCESSED, EventStatus.SKIPPED):
        UserSystemData.objects.filter(user_id=user_id).update(
            last_webhook_event=stored.event_type[:100], last_webhook_at=stored.occurred_at
        )


def billing_event_process(*, event_id: int) -> str:
    """Process one stored provider event; a second call for a finished event does nothing."""
    stored = _claim(event_id)
    if stored is None:
        return "done"
    handler = WEBHOOK_HANDLERS.get(stored.event_type)
    if handler is None:
        _finish(event_id, status=EventStatus.IGNORED, user_id=None, error="No handler for this event type.")
        return EventStatus.IGNORED
    payload = stored.data
    event = WebhookEvent(id=str(payload.get("id")), type=stored.event_type, created=stored.occurred_at,
                         object=dict(payload["data"]["object"]), payload=payload)
    try:
        user_id, outcome = handler(stored, event)
    except ProviderError as exc:
        _finish(event_id, status=EventStatus.FAILED, user_id=None, error=exc.message)
        raise
    except Exception as exc:
        _finish(event_id, status=EventStatus.FAILED, user_id=None, error=f"{exc.__class__.__name__}: {exc}")
        raise
    if outcome == "no_user":
        _finish(event_id, status=EventStatus.IGNORED, user_id=None, error="No account has this customer.")
        return EventStatus.IGNORED
    status = EventStatus.SKIPPED if outcome == StateOutcome.STALE else EventStatus.PROCESSED
    _finish(event_id, status=status, user_id=user_id)
    return status
