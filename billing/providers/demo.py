"""The demo billing provider: Stripe's behaviour, simulated, for the embedded default.

It keeps Stripe-shaped objects in its own table (``DemoBillingObject``), the way Stripe keeps them
on its side, and answers through the same interface and the same shape readers as
``StripeProvider``. Checkout is a page of this app whose button completes the session with a demo
card. Time-based changes Stripe would make on its own (a trial ending and the card being charged,
a period renewing, a cancellation taking effect) are applied when a subscription is read, so the
sweeps and the hourly reconcile see them exactly as they would with Stripe.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from influencer_platform.errors import ProviderPermanentError

from ..periods import months_later
from . import shapes
from .base import (
    BillingDetails,
    CheckoutSession,
    InvoicePreview,
    ProviderCustomer,
    SubscriptionState,
    WebhookEvent,
    WebhookSignatureError,
)

DEMO_CARD = {"brand": "visa", "last4": "4242", "exp_month": 12}


def _now_ts() -> int:
    return int(timezone.now().timestamp())


def _new_id(prefix: str) -> str:
    return f"{prefix}_demo_{secrets.token_hex(8)}"


def _add_interval(ts: int, interval: str, times: int = 1) -> int:
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return int(months_later(moment, (12 if interval == "year" else 1) * times).timestamp())


def _prorate(amount_cents: int, remaining_seconds: int, period_seconds: int) -> int:
    """``amount`` for the part of the period left, to the second, rounded to the cent (as Stripe)."""
    return (2 * amount_cents * remaining_seconds + period_seconds) // (2 * period_seconds)


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def _invoice_line(description: str, amount_cents: int, *, proration: bool) -> dict[str, Any]:
    return {
        "object": "line_item", "description": description, "amount": amount_cents, "currency": "usd",
        "parent": {"type": "subscription_item_details", "subscription_item_details": {"proration": proration}},
    }


def _invoice(lines: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(line["amount"] for line in lines)
    return {"object": "invoice", "currency": "usd", "total": total, "amount_due": max(0, total),
            "lines": {"object": "list", "data": lines}}


class DemoProvider:
    name = "demo"

    # --- storage ---------------------------------------------------------------------------

    @staticmethod
    def _get(object_id: str, kind: str) -> dict[str, Any]:
        from billing.models import DemoBillingObject

        row = DemoBillingObject.objects.filter(pk=object_id, kind=kind).first()
        if row is None:
            raise ProviderPermanentError(f"No such {kind}: {object_id}", status=404)
        return row.data

    @staticmethod
    def _put(object_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        from billing.models import DemoBillingObject

        DemoBillingObject.objects.update_or_create(pk=object_id, defaults={"kind": kind, "data": data})
        return data

    def _idempotent(self, key: str, create) -> str:
        """The id an earlier call with ``key`` created, or the id of a new object."""
        from billing.models import DemoBillingObject

        existing = DemoBillingObject.objects.filter(pk=f"idem:{key}"[:64], kind="idempotency").first()
        if existing is not None:
            return existing.data["id"]
        object_id = create()
        try:
            with transaction.atomic():
                DemoBillingObject.objects.create(pk=f"idem:{key}"[:64], kind="idempotency", data={"id": object_id})
        except IntegrityError:
            return DemoBillingObject.objects.get(pk=f"idem:{key}"[:64]).data["id"]
        return object_id

    def _first_use(self, key: str) -> bool:
        """Claim ``key`` for one change; False if a change was already made with it.

        Stripe answers a repeated request with the first answer and changes nothing again.
        """
        from billing.models import DemoBillingObject

        if not key:
            return True
        try:
            with transaction.atomic():
                DemoBillingObject.objects.create(
                    pk=f"idem:{hashlib.sha256(key.encode()).hexdigest()[:40]}", kind="idempotency", data={"key": key})
        except IntegrityError:
            return False
        return True

    @staticmethod
    def _price(price_id: str) -> tuple[str, int, str]:
        """Name, amount and interval of a demo price: the plans table is the demo's price list."""
        from billing.models import SubscriptionPlan

        plan_key, _, cycle = price_id.removeprefix("demo_").rpartition("_")
        plan = SubscriptionPlan.objects.filter(plan_key=plan_key).first()
        if plan is None or cycle not in ("monthly", "yearly"):
            raise ProviderPermanentError(f"No such price: {price_id}", status=404)
        if cycle == "yearly":
            return plan.name, plan.price_yearly_cents, "year"
        return plan.name, plan.price_monthly_cents, "month"

    # --- customers and checkout ------------------------------------------------------------

    def customer_create(self, *, email: str, name: str, user_id: int, idempotency_key: str) -> ProviderCustomer:
        def create() -> str:
            customer_id = _new_id("cus")
            self._put(customer_id, "customer", {
                "id": customer_id, "object": "customer", "email": email, "name": name,
                "metadata": {"user_id": str(user_id)}, "address": None,
                "invoice_settings": {"default_payment_method": None},
            })
            return customer_id

        customer_id = self._idempotent(idempotency_key, create)
        return ProviderCustomer(id=customer_id, email=email)

    def checkout_session_create(
        self, *, customer_id: str, price_id: str, trial_days: int, success_url: str, cancel_url: str,
        client_reference_id: str, metadata: dict[str, str], idempotency_key: str,
    ) -> CheckoutSession:
        self._get(customer_id, "customer")

        def create() -> str:
            session_id = _new_id("cs")
            self._put(session_id, "checkout_session", {
                "id": session_id, "object": "checkout.session",
                "url": reverse("billing_demo_checkout", args=[session_id]),
                "status": "open", "customer": customer_id, "subscription": None,
                "client_reference_id": client_reference_id, "metadata": metadata,
                "price_id": price_id, "trial_days": trial_days,
                "success_url": success_url, "cancel_url": cancel_url,
            })
            return session_id

        return self.checkout_session_get(self._idempotent(idempotency_key, create))

    def checkout_session_get(self, session_id: str) -> CheckoutSession:
        return shapes.checkout_session_from_object(self._get(session_id, "checkout_session"))

    def demo_checkout_details(self, session_id: str) -> dict[str, Any]:
        """What the demo checkout page shows: price, trial days and where to go back to."""
        return dict(self._get(session_id, "checkout_session"))

    def demo_checkout_complete(self, session_id: str) -> CheckoutSession:
        """Pay with the demo card: what Stripe Checkout does when the customer confirms."""
        session = self._get(session_id, "checkout_session")
        if session["status"] != "open":
            return shapes.checkout_session_from_object(session)
        now = _now_ts()
        price_id = session["price_id"]
        interval = "year" if price_id.endswith("_yearly") else "month"
        trial_days = int(session.get("trial_days") or 0)
        subscription_id = _new_id("sub")
        trial_end = now + trial_days * 86400 if trial_days else None
        period_end = trial_end or _add_interval(now, interval)
        self._put(subscription_id, "subscription", {
            "id": subscription_id, "object": "subscription", "customer": session["customer"],
            "status": "trialing" if trial_days else "active",
            "items": {"data": [{"id": _new_id("si"), "price": {"id": price_id, "recurring": {"interval": interval}},
                                "current_period_start": now, "current_period_end": period_end}]},
            "current_period_end": period_end, "trial_start": now if trial_days else None, "trial_end": trial_end,
            "cancel_at_period_end": False, "canceled_at": None, "metadata": session.get("metadata") or {},
            "created": now,
        })
        customer = self._get(session["customer"], "customer")
        customer["invoice_settings"] = {"default_payment_method": {
            "object": "payment_method",
            "card": {**DEMO_CARD, "exp_year": timezone.now().year + 3},
        }}
        customer["address"] = {"city": "Demo City", "country": "US", "postal_code": "94103"}
        self._put(customer["id"], "customer", customer)
        session.update(status="complete", subscription=subscription_id)
        self._put(session_id, "checkout_session", session)
        return shapes.checkout_session_from_object(session)

    def portal_session_create(self, *, customer_id: str, return_url: str) -> str:
        # The demo has no hosted portal: the billing page itself offers every change.
        self._get(customer_id, "customer")
        return return_url

    # --- subscriptions ---------------------------------------------------------------------

    def _advance(self, sub: dict[str, Any]) -> dict[str, Any]:
        """Apply what time alone would have changed on Stripe's side since the last read."""
        now = _now_ts()
        changed = False
        item = sub["items"]["data"][0]
        interval = item["price"]["recurring"]["interval"]
        if sub["status"] == "trialing" and sub["trial_end"] and sub["trial_end"] <= now:
            if sub["cancel_at_period_end"]:
                sub.update(status="canceled", canceled_at=sub["trial_end"])
            else:
                # The demo card is always accepted.
                sub.update(status="active", current_period_end=_add_interval(sub["trial_end"], interval))
                item["current_period_start"] = sub["trial_end"]
            changed = True
        while sub["status"] == "active" and sub["current_period_end"] <= now:
            if sub["cancel_at_period_end"]:
                sub.update(status="canceled", canceled_at=sub["current_period_end"])
            else:
                item["current_period_start"] = sub["current_period_end"]
                sub["current_period_end"] = _add_interval(sub["current_period_end"], interval)
            changed = True
        item["current_period_end"] = sub["current_period_end"]
        if changed:
            self._put(sub["id"], "subscription", sub)
        return sub

    def _subscription(self, subscription_id: str) -> dict[str, Any]:
        return self._advance(self._get(subscription_id, "subscription"))

    def subscription_get(self, subscription_id: str) -> SubscriptionState:
        return shapes.subscription_from_object(self._subscription(subscription_id))

    @staticmethod
    def _period_start(sub: dict[str, Any]) -> int:
        item = sub["items"]["data"][0]
        if item.get("current_period_start"):
            return int(item["current_period_start"])
        # Subscriptions stored before the start was kept: one interval before the end.
        return _add_interval(sub["current_period_end"], item["price"]["recurring"]["interval"], -1)

    def _change_invoice(self, sub: dict[str, Any], price_id: str, at: int) -> tuple[dict[str, Any], int, int]:
        """The invoice a switch to ``price_id`` at ``at`` creates, Stripe's way, with the date and
        amount of the invoice after it."""
        item = sub["items"]["data"][0]
        old_name, old_amount, old_interval = self._price(item["price"]["id"])
        new_name, new_amount, new_interval = self._price(price_id)
        full_period = _invoice_line(f"1 × {new_name} (at {_dollars(new_amount)} / {new_interval})", new_amount,
                                    proration=False)
        if sub["status"] == "trialing":
            # Nothing was paid for the trial: the new price is simply the first invoice, at its end.
            return _invoice([full_period]), sub["trial_end"], new_amount
        start, end = self._period_start(sub), sub["current_period_end"]
        at = min(max(at, start), end)
        remaining, period = end - at, max(1, end - start)
        day = datetime.fromtimestamp(at, tz=UTC).strftime("%d %b %Y")
        lines = [_invoice_line(f"Unused time on {old_name} after {day}", -_prorate(old_amount, remaining, period),
                               proration=True)]
        if new_interval == old_interval:
            lines.append(_invoice_line(f"Remaining time on {new_name} after {day}",
                                       _prorate(new_amount, remaining, period), proration=True))
            return _invoice(lines), end, new_amount
        # A new interval starts a new period now, billed in full.
        return _invoice([*lines, full_period]), _add_interval(at, new_interval), new_amount

    def subscription_change_preview(self, *, subscription_id: str, price_id: str, proration_date: int) -> InvoicePreview:
        sub = self._subscription(subscription_id)
        if sub["status"] == "canceled":
            raise ProviderPermanentError("A canceled subscription cannot be changed.", status=400)
        invoice, next_at, renewal = self._change_invoice(sub, price_id, proration_date)
        trialing = sub["status"] == "trialing"
        return shapes.invoice_preview_from_object(
            invoice, charged_now=not trialing, renewal_amount_cents=renewal, next_invoice_at=shapes.timestamp(next_at),
            proration_date=None if trialing else proration_date,
        )

    def subscription_change_price(
        self, *, subscription_id: str, price_id: str, idempotency_key: str, proration_date: int | None = None,
    ) -> SubscriptionState:
        sub = self._subscription(subscription_id)
        if sub["status"] == "canceled":
            raise ProviderPermanentError("A canceled subscription cannot be changed.", status=400)
        self._price(price_id)
        if not self._first_use(idempotency_key):
            return shapes.subscription_from_object(sub)
        # The demo card pays the invoice `_change_invoice` describes; there is no ledger to write.
        interval = "year" if price_id.endswith("_yearly") else "month"
        item = sub["items"]["data"][0]
        if item["price"]["recurring"]["interval"] != interval and sub["status"] == "active":
            # Stripe starts a new period (and invoice) when the interval changes.
            now = _now_ts()
            sub["current_period_end"] = _add_interval(now, interval)
            item["current_period_start"] = now
        item["price"] = {"id": price_id, "recurring": {"interval": interval}}
        item["current_period_end"] = sub["current_period_end"]
        return shapes.subscription_from_object(self._put(subscription_id, "subscription", sub))

    def subscription_set_cancel_at_period_end(self, *, subscription_id: str, cancel: bool) -> SubscriptionState:
        sub = self._subscription(subscription_id)
        if sub["status"] == "canceled":
            raise ProviderPermanentError("The subscription has already ended.", status=400)
        sub["cancel_at_period_end"] = cancel
        sub["canceled_at"] = _now_ts() if cancel else None
        return shapes.subscription_from_object(self._put(subscription_id, "subscription", sub))

    def subscription_end_trial(self, *, subscription_id: str, idempotency_key: str = "") -> SubscriptionState:
        sub = self._subscription(subscription_id)
        if sub["status"] == "trialing" and self._first_use(idempotency_key):
            now = _now_ts()
            interval = sub["items"]["data"][0]["price"]["recurring"]["interval"]
            sub.update(status="active", trial_end=now, current_period_end=_add_interval(now, interval))
            sub["items"]["data"][0].update(current_period_start=now, current_period_end=sub["current_period_end"])
            self._put(subscription_id, "subscription", sub)
        return shapes.subscription_from_object(sub)

    def subscription_end_trial_preview(self, *, subscription_id: str) -> InvoicePreview:
        sub = self._subscription(subscription_id)
        if sub["status"] != "trialing":
            raise ProviderPermanentError("The subscription is not in a trial.", status=400)
        name, amount, interval = self._price(sub["items"]["data"][0]["price"]["id"])
        invoice = _invoice([_invoice_line(f"1 × {name} (at {_dollars(amount)} / {interval})", amount, proration=False)])
        return shapes.invoice_preview_from_object(
            invoice, charged_now=True, renewal_amount_cents=amount,
            next_invoice_at=shapes.timestamp(_add_interval(_now_ts(), interval)),
        )

    def billing_details(self, customer_id: str, *, payment_method_id: str = "") -> BillingDetails:
        payment_method = self._get(payment_method_id, "payment_method") if payment_method_id else None
        return shapes.billing_details_from_customer(self._get(customer_id, "customer"), payment_method=payment_method)

    def webhook_event_parse(self, *, payload: bytes, signature: str) -> WebhookEvent:
        raise WebhookSignatureError("The demo billing provider sends no webhooks.")

    subscription_from_object = staticmethod(shapes.subscription_from_object)
    invoice_from_object = staticmethod(shapes.invoice_from_object)
    checkout_session_from_object = staticmethod(shapes.checkout_session_from_object)
