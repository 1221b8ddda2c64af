"""Stripe, behind the one seam the app uses: the only module that imports the stripe SDK.

The API version is pinned here and sent with every request, so an SDK upgrade or a change of the
account's default version cannot change the shape of what we read. Every call is translated into
our dataclasses or into ``ProviderTransientError`` (connection, timeout, 429, 5xx: retry) and
``ProviderPermanentError`` (any other refusal: do not retry).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import stripe

from influencer_platform.errors import ProviderPermanentError, ProviderTransientError
from influencer_platform.http import build_session, parse_retry_after

from ..periods import months_later
from . import shapes
from .base import (
    BillingDetails,
    CheckoutSession,
    InvoicePreview,
    PaymentDeclinedError,
    ProviderCustomer,
    SubscriptionState,
    TestModeObjectError,
    WebhookEvent,
    WebhookSignatureError,
)

API_VERSION = "2026-10-28.endive"
# Stripe's own default: a signature older than five minutes is refused, against replays.
WEBHOOK_TOLERANCE_SECONDS = 300
# Stripe's words when a live key asks for a test object: "No such subscription: 'sub_…'; a similar
# object exists in test mode, but a live mode key was used to make this request."
_TEST_MODE_HINT = "exists in test mode"

T = TypeVar("T")


def _as_dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _change_proration(*, trialing: bool, proration_date: int | None) -> dict[str, Any]:
    """How a plan switch is billed, the same for its preview and for the switch itself.

    A running plan is billed at once for the rest of the period (``always_invoice``): the customer
    pays the difference today, or keeps a credit for a downgrade, instead of finding it on an
    invoice a month later. During a trial nothing has been paid, so there is nothing to prorate.
    """
    if trialing:
        return {"proration_behavior": "none"}
    params: dict[str, Any] = {"proration_behavior": "always_invoice"}
    if proration_date:
        params["proration_date"] = proration_date
    return params


def _declined_means_unchanged(operation: Callable[[], T]) -> T:
    # With ``payment_behavior=error_if_incomplete`` Stripe answers 402 and leaves the
    # subscription as it was when the charge a change needs fails.
    try:
        return operation()
    except ProviderPermanentError as exc:
        if exc.status == 402:
            raise PaymentDeclinedError(exc.message, status=402) from exc
        raise


class StripeProvider:
    name = "stripe"

    def __init__(self, *, api_key: str, webhook_secret: str, base_url: str | None = None, session=None) -> None:
        self._webhook_secret = webhook_secret
        self._live = api_key.startswith(("sk_live_", "rk_live_"))
        base_addresses = {"api": base_url.rstrip("/")} if base_url else None
        self._client = stripe.StripeClient(
            api_key,
            stripe_version=API_VERSION,
            base_addresses=base_addresses,
            # The SDK retries connection errors and 409/429/5xx with the same idempotency key,
            # which Stripe guarantees to answer once; two retries keep a page responsive.
            max_network_retries=2,
            http_client=stripe.RequestsClient(session=session or build_session(), timeout=(5.0, 30.0)),
        )

    # --- calls -----------------------------------------------------------------------------

    def _call(self, operation: Callable[[], T]) -> T:
        try:
            return operation()
        except stripe.RateLimitError as exc:
            headers = exc.headers or {}
            raise ProviderTransientError(
                "Stripe is rate limiting requests.", status=429,
                retry_after=parse_retry_after(headers.get("Retry-After") or headers.get("retry-after")),
            ) from exc
        except stripe.APIConnectionError as exc:
            raise ProviderTransientError("Stripe could not be reached.") from exc
        except stripe.StripeError as exc:
            status = exc.http_status
            # Never log the request itself: it may carry customer data. The code and message are safe.
            message = f"Stripe refused the request: {exc.code or 'error'}: {exc.user_message or exc._message or ''}"
            if status is None or status >= 500 or status in (409, 429):
                raise ProviderTransientError(message, status=status) from exc
            if self._live and exc.code == "resource_missing" and _TEST_MODE_HINT in (exc._message or ""):
                raise TestModeObjectError(message, status=status) from exc
            raise ProviderPermanentError(message, status=status) from exc

    def customer_create(self, *, email: str, name: str, user_id: int, idempotency_key: str) -> ProviderCustomer:
        params: dict[str, Any] = {"email": email, "metadata": {"user_id": str(user_id)}}
        if name:
            params["name"] = name
        customer = self._call(lambda: self._client.v1.customers.create(
            params=params, options={"idempotency_key": idempotency_key}
        ))
        return ProviderCustomer(id=customer.id, email=customer.email or email)

    def checkout_session_create(
        self, *, customer_id: str, price_id: str, trial_days: int, success_url: str, cancel_url: str,
        client_reference_id: str, metadata: dict[str, str], idempotency_key: str,
    ) -> CheckoutSession:
        # Flexible billing mode, named rather than left to the API version's default. In it the
        # portal schedules a cancellation as ``cancel_at`` (the period end) with
        # ``cancel_at_period_end`` false, and items may keep periods of their own: shapes reads both.
        subscription_data: dict[str, Any] = {"metadata": metadata, "billing_mode": {"type": "flexible"}}
        if trial_days:
            subscription_data["trial_period_days"] = trial_days
            # Without a card at the end of the trial the subscription ends instead of going unpaid.
            subscription_data["trial_settings"] = {"end_behavior": {"missing_payment_method": "cancel"}}
        params = {
            "mode": "subscription",
            "customer": customer_id,
            "client_reference_id": client_reference_id,
            "line_items": [{"price": price_id, "quantity": 1}],
            "payment_method_collection": "always",
            "subscription_data": subscription_data,
            "metadata": metadata,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "billing_address_collection": "auto",
            "customer_update": {"address": "auto"},
        }
        session = self._call(lambda: self._client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": idempotency_key}
        ))
        return shapes.checkout_session_from_object(_as_dict(session))

    def checkout_session_get(self, session_id: str) -> CheckoutSession:
        session = self._call(lambda: self._client.v1.checkout.sessions.retrieve(session_id))
        return shapes.checkout_session_from_object(_as_dict(session))

    def portal_session_create(self, *, customer_id: str, return_url: str) -> str:
        session = self._call(lambda: self._client.v1.billing_portal.sessions.create(
            params={"customer": customer_id, "return_url": return_url}
        ))
        return session.url

    def subscription_get(self, subscription_id: str) -> SubscriptionState:
        subscription = self._call(lambda: self._client.v1.subscriptions.retrieve(subscription_id))
        return shapes.subscription_from_object(_as_dict(subscription))

    def subscription_change_price(
        self, *, subscription_id: str, price_id: str, idempotency_key: str, proration_date: int | None = None,
    ) -> SubscriptionState:
        current = self._call(lambda: self._client.v1.subscriptions.retrieve(subscription_id))
        item_id = current["items"]["data"][0]["id"]
        # `plan` rather than `price`: Stripe takes a recurring price id wherever a plan id goes
        # (Prices are backwards compatible with Plans), and localstripe, which the tests run
        # against, only knows plans. The proration date is the one the customer's preview was
        # computed for, so the invoice is the amount they confirmed.
        params = {
            "items": [{"id": item_id, "plan": price_id}],
            "payment_behavior": "error_if_incomplete",
            **_change_proration(trialing=current["status"] == "trialing", proration_date=proration_date),
        }
        updated = _declined_means_unchanged(lambda: self._call(lambda: self._client.v1.subscriptions.update(
            subscription_id, params=params, options={"idempotency_key": idempotency_key},
        )))
        return shapes.subscription_from_object(_as_dict(updated))

    def subscription_change_preview(self, *, subscription_id: str, price_id: str, proration_date: int) -> InvoicePreview:
        current = _as_dict(self._call(lambda: self._client.v1.subscriptions.retrieve(subscription_id)))
        state = shapes.subscription_from_object(current)
        new_plan = _as_dict(self._call(lambda: self._client.v1.plans.retrieve(price_id)))
        new_interval = str(new_plan.get("interval") or "month")
        trialing = state.status == "trialing"
        details = {
            "items": [{"id": current["items"]["data"][0]["id"], "plan": price_id}],
            **_change_proration(trialing=trialing, proration_date=proration_date),
        }
        invoice = self._call(lambda: self._client.v1.invoices.create_preview(params={
            "customer": state.customer_id, "subscription": subscription_id, "subscription_details": details,
        }))
        if trialing:
            next_invoice_at = state.trial_end
        elif new_interval != state.interval:
            # A new interval starts a new period now (the billing cycle anchor resets).
            next_invoice_at = months_later(datetime.fromtimestamp(proration_date, tz=UTC),
                                           12 if new_interval == "year" else 1)
        else:
            next_invoice_at = state.current_period_end
        return shapes.invoice_preview_from_object(
            _as_dict(invoice), charged_now=not trialing, renewal_amount_cents=int(new_plan.get("amount") or 0),
            next_invoice_at=next_invoice_at, proration_date=None if trialing else proration_date,
        )

    def subscription_set_cancel_at_period_end(self, *, subscription_id: str, cancel: bool) -> SubscriptionState:
        updated = self._call(lambda: self._client.v1.subscriptions.update(
            subscription_id, params={"cancel_at_period_end": cancel}
        ))
        state = shapes.subscription_from_object(_as_dict(updated))
        if not cancel and state.cancel_at is not None:
            # A cancellation scheduled as a date (the portal in flexible billing mode, or a custom
            # date) is not undone by cancel_at_period_end=false; cancel_at="" clears it, in a
            # request of its own, since Stripe refuses the two parameters together.
            updated = self._call(lambda: self._client.v1.subscriptions.update(
                subscription_id, params={"cancel_at": ""}
            ))
            state = shapes.subscription_from_object(_as_dict(updated))
        return state

    def subscription_end_trial(self, *, subscription_id: str, idempotency_key: str = "") -> SubscriptionState:
        options = {"idempotency_key": idempotency_key} if idempotency_key else {}
        updated = _declined_means_unchanged(lambda: self._call(lambda: self._client.v1.subscriptions.update(
            subscription_id, params={"trial_end": "now", "payment_behavior": "error_if_incomplete"}, options=options,
        )))
        return shapes.subscription_from_object(_as_dict(updated))

    def subscription_end_trial_preview(self, *, subscription_id: str) -> InvoicePreview:
        current = _as_dict(self._call(lambda: self._client.v1.subscriptions.retrieve(subscription_id)))
        state = shapes.subscription_from_object(current)
        item = ((current.get("items") or {}).get("data") or [{}])[0]
        invoice = self._call(lambda: self._client.v1.invoices.create_preview(params={
            "customer": state.customer_id, "subscription": subscription_id,
            "subscription_details": {"trial_end": "now"},
        }))
        now = datetime.now(tz=UTC)
        return shapes.invoice_preview_from_object(
            _as_dict(invoice), charged_now=True, renewal_amount_cents=shapes.item_amount_cents(item),
            next_invoice_at=months_later(now, 12 if state.interval == "year" else 1),
        )

    def billing_details(self, customer_id: str, *, payment_method_id: str = "") -> BillingDetails:
        payment_method = None
        if payment_method_id:
            payment_method = _as_dict(self._call(lambda: self._client.v1.payment_methods.retrieve(payment_method_id)))
        customer = self._call(lambda: self._client.v1.customers.retrieve(
            customer_id, params={"expand": ["invoice_settings.default_payment_method", "default_source"]}
        ))
        return shapes.billing_details_from_customer(_as_dict(customer), payment_method=payment_method)

    # --- webhooks --------------------------------------------------------------------------

    def webhook_event_parse(self, *, payload: bytes, signature: str) -> WebhookEvent:
        if not self._webhook_secret:
            raise WebhookSignatureError("No webhook secret is configured.")
        text = payload.decode("utf-8", errors="replace")
        try:
            stripe.WebhookSignature.verify_header(
                text, signature, self._webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
            body = json.loads(text)
            created = shapes.timestamp(body["created"])
            if created is None:
                raise ValueError("created is not a time")
            return WebhookEvent(
                id=str(body["id"]),
                type=str(body["type"]),
                created=created,
                object=dict(body["data"]["object"]),
                payload=body,
            )
        except stripe.SignatureVerificationError as exc:
            raise WebhookSignatureError(str(exc)) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookSignatureError("The payload is not a Stripe event.") from exc

    subscription_from_object = staticmethod(shapes.subscription_from_object)
    invoice_from_object = staticmethod(shapes.invoice_from_object)
    checkout_session_from_object = staticmethod(shapes.checkout_session_from_object)
