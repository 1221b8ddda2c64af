"""What the app knows about a payment provider: one interface, frozen dataclasses, no raw JSON.

``StripeProvider`` talks to Stripe; ``DemoProvider`` stands in for it in the embedded default so
that choosing a plan and checking out run through exactly the same services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from influencer_platform.errors import ProviderPermanentError

# Subscription statuses as the provider names them (Stripe's vocabulary).
LIVE_STATUSES = frozenset({"trialing", "active", "past_due", "unpaid"})


class WebhookSignatureError(Exception):
    """The payload is not signed with our secret, or the signature is too old."""


class TestModeObjectError(ProviderPermanentError):
    """Live keys were used on an object Stripe keeps in test mode (a test id stored on a live account)."""


class PaymentDeclinedError(ProviderPermanentError):
    """The charge a change needed was declined, so the provider left the subscription as it was."""


@dataclass(frozen=True)
class Card:
    brand: str
    last4: str
    exp_month: int | None
    exp_year: int | None


@dataclass(frozen=True)
class Address:
    city: str = ""
    country: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class BillingDetails:
    card: Card | None = None
    address: Address | None = None
    # The provider's id of the payment method ``card`` was read from.
    payment_method_id: str = ""


@dataclass(frozen=True)
class ProviderCustomer:
    id: str
    email: str


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    status: str  # open | complete | expired
    customer_id: str
    subscription_id: str
    client_reference_id: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SubscriptionState:
    """A subscription as the provider holds it at ``as_of``."""

    id: str
    customer_id: str
    status: str
    price_id: str
    interval: str  # month | year
    current_period_end: datetime | None
    trial_start: datetime | None
    trial_end: datetime | None
    cancel_at_period_end: bool
    canceled_at: datetime | None
    metadata: dict[str, str] = field(default_factory=dict)
    current_period_start: datetime | None = None
    # A scheduled end: a custom date, or (in flexible billing mode) the period end itself, with
    # ``cancel_at_period_end`` false.
    cancel_at: datetime | None = None
    # The subscription's own payment method, which Stripe charges before the customer's default.
    payment_method_id: str = ""

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def ends_at(self) -> datetime | None:
        """When the subscription ends instead of renewing, if it is set to."""
        if self.cancel_at is not None:
            return self.cancel_at
        return self.current_period_end if self.cancel_at_period_end else None


@dataclass(frozen=True)
class InvoiceState:
    id: str
    customer_id: str
    subscription_id: str
    status: str
    amount_due_cents: int
    amount_paid_cents: int
    currency: str
    billing_reason: str
    hosted_invoice_url: str


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    amount_cents: int  # negative for a credit
    proration: bool


@dataclass(frozen=True)
class InvoicePreview:
    """What a change would bill, as the provider computes it before the change is made.

    ``amount_due_cents`` is charged today; a negative total leaves ``credit_cents`` on the
    customer's balance, taken off the invoices that follow. ``proration_date`` is the moment the
    proration was computed for: the change made with it bills exactly this amount.
    """

    amount_due_cents: int
    currency: str
    next_invoice_amount_cents: int
    next_invoice_at: datetime | None
    lines: tuple[InvoiceLine, ...] = ()
    credit_cents: int = 0
    proration_date: int | None = None


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    created: datetime
    object: dict[str, Any]
    payload: dict[str, Any]


class BillingProvider(Protocol):
    name: str

    def customer_create(self, *, email: str, name: str, user_id: int, idempotency_key: str) -> ProviderCustomer: ...

    def checkout_session_create(
        self, *, customer_id: str, price_id: str, trial_days: int, success_url: str, cancel_url: str,
        client_reference_id: str, metadata: dict[str, str], idempotency_key: str,
    ) -> CheckoutSession: ...

    def checkout_session_get(self, session_id: str) -> CheckoutSession: ...

    def portal_session_create(self, *, customer_id: str, return_url: str) -> str: ...

    def subscription_get(self, subscription_id: str) -> SubscriptionState: ...

    def subscription_change_price(
        self, *, subscription_id: str, price_id: str, idempotency_key: str, proration_date: int | None = None,
    ) -> SubscriptionState: ...

    def subscription_change_preview(
        self, *, subscription_id: str, price_id: str, proration_date: int,
    ) -> InvoicePreview: ...

    def subscription_set_cancel_at_period_end(self, *, subscription_id: str, cancel: bool) -> SubscriptionState: ...

    def subscription_end_trial(self, *, subscription_id: str, idempotency_key: str = "") -> SubscriptionState: ...

    def subscription_end_trial_preview(self, *, subscription_id: str) -> InvoicePreview: ...

    def billing_details(self, customer_id: str, *, payment_method_id: str = "") -> BillingDetails: ...

    def webhook_event_parse(self, *, payload: bytes, signature: str) -> WebhookEvent: ...

    def subscription_from_object(self, obj: dict[str, Any]) -> SubscriptionState: ...

    def invoice_from_object(self, obj: dict[str, Any]) -> InvoiceState: ...

    def checkout_session_from_object(self, obj: dict[str, Any]) -> CheckoutSession: ...
