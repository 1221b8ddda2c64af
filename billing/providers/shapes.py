"""Reading Stripe-shaped objects into our dataclasses.

Stripe's API, its webhook payloads and the demo provider's storage share this shape. Fields moved
between API versions (``current_period_start/end`` went from the subscription to each of its items
in 2025-03-31, ``invoice.subscription`` under ``parent.subscription_details``), so both places are
read; localstripe still answers in the older shape.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .base import (
    Address,
    BillingDetails,
    Card,
    CheckoutSession,
    InvoiceLine,
    InvoicePreview,
    InvoiceState,
    SubscriptionState,
)


def timestamp(value: Any) -> datetime | None:
    """A Unix time of Stripe's as a UTC datetime; None when absent or not a time a calendar holds."""
    if value in (None, "", 0):
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (OverflowError, OSError, ValueError, TypeError):
        return None


def _id(value: Any) -> str:
    """An expandable field: either the id itself or the expanded object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _items(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return list((obj.get("items") or {}).get("data") or [])


def _period(obj: dict[str, Any], items: list[dict[str, Any]]) -> tuple[datetime | None, datetime | None]:
    """The subscription's current period: from its earliest item start to its latest item end.

    Items can have periods of their own (an item added mid-period, flexible billing mode); the
    subscription renews, or ends, when the last of them does.
    """
    starts = [moment for item in items if (moment := timestamp(item.get("current_period_start")))]
    ends = [moment for item in items if (moment := timestamp(item.get("current_period_end")))]
    start = min(starts) if starts else timestamp(obj.get("current_period_start"))
    end = max(ends) if ends else timestamp(obj.get("current_period_end"))
    return start, end


def subscription_from_object(obj: dict[str, Any]) -> SubscriptionState:
    items = _items(obj)
    item = items[0] if items else {}
    price = item.get("price") or {}
    plan = item.get("plan") or obj.get("plan") or {}
    recurring = price.get("recurring") or {}
    period_start, period_end = _period(obj, items)
    return SubscriptionState(
        id=str(obj["id"]),
        customer_id=_id(obj.get("customer")),
        status=str(obj.get("status") or ""),
        price_id=_id(price) or _id(plan),
        interval=str(recurring.get("interval") or plan.get("interval") or "month"),
        current_period_start=period_start,
        current_period_end=period_end,
        trial_start=timestamp(obj.get("trial_start")),
        trial_end=timestamp(obj.get("trial_end")),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        cancel_at=timestamp(obj.get("cancel_at")),
        canceled_at=timestamp(obj.get("canceled_at")),
        payment_method_id=_id(obj.get("default_payment_method")),
        metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
    )


def invoice_from_object(obj: dict[str, Any]) -> InvoiceState:
    parent = (obj.get("parent") or {}).get("subscription_details") or {}
    return InvoiceState(
        id=str(obj["id"]),
        customer_id=_id(obj.get("customer")),
        subscription_id=_id(obj.get("subscription")) or _id(parent.get("subscription")),
        status=str(obj.get("status") or ""),
        amount_due_cents=int(obj.get("amount_due") or 0),
        amount_paid_cents=int(obj.get("amount_paid") or 0),
        currency=str(obj.get("currency") or "usd"),
        billing_reason=str(obj.get("billing_reason") or ""),
        hosted_invoice_url=str(obj.get("hosted_invoice_url") or ""),
    )


def checkout_session_from_object(obj: dict[str, Any]) -> CheckoutSession:
    return CheckoutSession(
        id=str(obj["id"]),
        url=str(obj.get("url") or ""),
        status=str(obj.get("status") or ""),
        customer_id=_id(obj.get("customer")),
        subscription_id=_id(obj.get("subscription")),
        client_reference_id=str(obj.get("client_reference_id") or ""),
        metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
    )


def _card(obj: dict[str, Any] | None) -> Card | None:
    """A card from a payment method, or from a card source (the older Sources API)."""
    if not isinstance(obj, dict):
        return None
    card = obj.get("card") if obj.get("object") == "payment_method" else obj
    if not isinstance(card, dict) or not card.get("last4"):
        return None
    return Card(
        brand=str(card.get("brand") or "").lower(),
        last4=str(card["last4"]),
        exp_month=int(card["exp_month"]) if card.get("exp_month") else None,
        exp_year=int(card["exp_year"]) if card.get("exp_year") else None,
    )


def _payment_method_charged(customer: dict[str, Any], payment_method: dict[str, Any] | None) -> dict[str, Any] | None:
    """What Stripe charges: the subscription's own payment method, else the customer's default
    payment method, else its default source (expanded, or found in ``sources``)."""
    default_source = customer.get("default_source")
    if default_source and not isinstance(default_source, dict):
        sources = (customer.get("sources") or {}).get("data") or []
        default_source = next((source for source in sources if source.get("id") == default_source), None)
    customer_default = (customer.get("invoice_settings") or {}).get("default_payment_method")
    candidates = (payment_method, customer_default, default_source)
    return next((candidate for candidate in candidates if isinstance(candidate, dict)), None)


def _address(raw: dict[str, Any] | None) -> Address | None:
    """The parts of an address we keep, or None when Stripe has none (it sends every field null)."""
    raw = raw or {}
    address = Address(
        city=str(raw.get("city") or "")[:100],
        country=str(raw.get("country") or "")[:2].upper(),
        postal_code=str(raw.get("postal_code") or "")[:20],
    )
    return address if address != Address() else None


def billing_details_from_customer(
    customer: dict[str, Any], *, payment_method: dict[str, Any] | None = None
) -> BillingDetails:
    """Card and address, the card being the one Stripe charges.

    Checkout saves the card on the subscription (``default_payment_method``) and leaves the
    customer's default empty. ``payment_method`` is that one, retrieved; ``customer`` is expanded
    with its default payment method and default source.
    """
    charged = _payment_method_charged(customer, payment_method)
    return BillingDetails(
        card=_card(charged),
        address=_address(customer.get("address")),
        payment_method_id=str((charged or {}).get("id") or ""),
    )


def item_amount_cents(item: dict[str, Any]) -> int:
    """The full price of one period of a subscription item (a price or, on localstripe, a plan)."""
    price = item.get("price") if isinstance(item.get("price"), dict) else {}
    plan = item.get("plan") if isinstance(item.get("plan"), dict) else {}
    return int(price.get("unit_amount") or plan.get("amount") or 0)


def _line_is_proration(line: dict[str, Any]) -> bool:
    # 2025-03-31 moved the flag under ``parent``; localstripe keeps it on the line.
    parent = (line.get("parent") or {}).get("subscription_item_details") or {}
    return bool(parent.get("proration") if "proration" in parent else line.get("proration"))


def invoice_preview_from_object(
    obj: dict[str, Any], *, charged_now: bool, renewal_amount_cents: int, next_invoice_at: datetime | None,
    proration_date: int | None = None,
) -> InvoicePreview:
    """An invoice preview (``POST /v1/invoices/create_preview``) as what a change costs.

    ``charged_now``: the preview is the invoice the change creates and charges at once (a plan
    switch with ``always_invoice``, ending a trial). Otherwise it is the next regular invoice
    (a switch during a trial bills nothing until the trial ends).
    """
    lines = tuple(
        InvoiceLine(
            description=str(line.get("description") or ""),
            amount_cents=int(line.get("amount") or 0),
            proration=_line_is_proration(line),
        )
        for line in ((obj.get("lines") or {}).get("data") or [])
    )
    total = int(obj.get("total") if obj.get("total") is not None else sum(line.amount_cents for line in lines))
    amount_due = max(0, int(obj.get("amount_due") or 0))
    currency = str(obj.get("currency") or "usd")
    if not charged_now:
        return InvoicePreview(amount_due_cents=0, currency=currency, next_invoice_amount_cents=amount_due,
                              next_invoice_at=next_invoice_at, lines=lines, proration_date=proration_date)
    # A negative total is not refunded: Stripe keeps it as a credit on the customer's balance
    # (negative balances are credit), together with any credit the invoice did not use up, and
    # takes it off the next invoices.
    credit = max(0, -(total + min(0, int(obj.get("starting_balance") or 0))))
    return InvoicePreview(
        amount_due_cents=amount_due, currency=currency,
        next_invoice_amount_cents=max(0, renewal_amount_cents - credit), next_invoice_at=next_invoice_at,
        lines=lines, credit_cents=credit, proration_date=proration_date,
    )
