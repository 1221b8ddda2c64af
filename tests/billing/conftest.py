import json
import re
import time
from collections.abc import Iterator
from itertools import count

import pytest
import stripe
from django.urls import reverse

from billing.models import BillingEvent, EventStatus, SubscriptionPlan
from billing.services.webhooks import billing_event_process

from .fakes import SECRET_KEY, WEBHOOK_SECRET, LocalStripe, RecordingServer, StripeStub

# The seeded plans as localstripe plans ("legacy" plans stand in for prices: Stripe accepts a
# recurring price id wherever a plan id goes, and localstripe serves no prices).
PRICES = {
    ("glow_up", "monthly"): ("price_glow_up_monthly", 9900, "month"),
    ("glow_up", "yearly"): ("price_glow_up_yearly", 79000, "year"),
    ("viral_surge", "monthly"): ("price_viral_surge_monthly", 24900, "month"),
    ("viral_surge", "yearly"): ("price_viral_surge_yearly", 199000, "year"),
    ("fame_flex", "monthly"): ("price_fame_flex_monthly", 49900, "month"),
    ("fame_flex", "yearly"): ("price_fame_flex_yearly", 399000, "year"),
}


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    server = LocalStripe()
    for (plan_key, _cycle), (price_id, amount, interval) in PRICES.items():
        server.client.v1.plans.create(params={
            "id": price_id, "amount": amount, "currency": "usd", "interval": interval,
            "product": {"name": plan_key},
        })
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stripe_webhooks(localstripe) -> Iterator[RecordingServer]:
    """Where localstripe delivers its signed webhooks; tests replay them to our endpoint."""
    server = RecordingServer(reply={"received": True})
    localstripe.webhook_register("tests", f"{server.url}/hook", WEBHOOK_SECRET)
    yield server
    server.stop()


def _stripe_configure(settings, api_base: str) -> None:
    """The app on Stripe at ``api_base``, with the plans priced as in ``PRICES``."""
    settings.BILLING_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = api_base
    for (plan_key, cycle), (price_id, _amount, _interval) in PRICES.items():
        SubscriptionPlan.objects.filter(plan_key=plan_key).update(**{f"stripe_price_id_{cycle}": price_id})


@pytest.fixture
def stripe_billing(settings, localstripe, db):
    """The app on Stripe, with Stripe played by localstripe and the plans priced there."""
    _stripe_configure(settings, localstripe.url)
    return localstripe


@pytest.fixture
def stripe_stub(settings, db) -> Iterator[StripeStub]:
    """The app on Stripe, with Stripe's API answering in its current shapes from objects a test stores."""
    stub = StripeStub()
    _stripe_configure(settings, stub.url)
    yield stub
    stub.stop()


@pytest.fixture
def resend_server(settings) -> Iterator[RecordingServer]:
    """Resend's API played by a local server; the app's email backend is the Resend one."""
    server = RecordingServer(reply={"id": "email"})
    settings.EMAIL_BACKEND = "influencer_platform.email_backends.ResendEmailBackend"
    settings.RESEND_API_KEY = "re_test_key"
    settings.RESEND_API_URL = server.url
    yield server
    server.stop()


_event_ids = count(1)


def stripe_event(event_type: str, obj: dict, *, created: int | None = None, event_id: str = "") -> str:
    """A Stripe event payload as Stripe would send it (for the types localstripe does not send)."""
    return json.dumps({
        "id": event_id or f"evt_test_{int(time.time() * 1000)}_{next(_event_ids)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "type": event_type,
        "livemode": False,
        "data": {"object": obj},
    })


def subscription_object(*, sub_id: str, customer: str, status: str, price_id: str, interval: str = "month",
                        trial_start: int | None = None, trial_end: int | None = None,
                        period_end: int | None = None, cancel_at_period_end: bool = False,
                        metadata: dict | None = None) -> dict:
    """A subscription in the current API's shape (the period lives on the item)."""
    return {
        "id": sub_id, "object": "subscription", "customer": customer, "status": status,
        "items": {"object": "list", "data": [{
            "id": f"si_{sub_id}", "object": "subscription_item",
            "price": {"id": price_id, "object": "price", "recurring": {"interval": interval}},
            "current_period_end": period_end or int(time.time()) + 30 * 86400,
        }]},
        "trial_start": trial_start, "trial_end": trial_end, "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": None, "metadata": metadata or {},
    }


def signature_for(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)


@pytest.fixture
def deliver(client):
    """POST a payload to the webhook endpoint as Stripe does, signed unless a header is given."""

    def post(payload: str, *, signature: str | None = None):
        return client.post(
            reverse("billing_stripe_webhook"), data=payload, content_type="application/json",
            headers={"Stripe-Signature": signature if signature is not None else signature_for(payload)},
        )

    return post


def process_pending() -> list[str]:
    """Run the webhook actor's service for every stored event not yet processed, oldest first."""
    pending = BillingEvent.objects.filter(status=EventStatus.PENDING, source="stripe").order_by("created_at", "id")
    return [billing_event_process(event_id=event_id) for event_id in pending.values_list("pk", flat=True)]


_CONFIRMATION_FIELD = re.compile(r'name="confirmation" value="([^"]+)"')


def confirmation_of(page) -> str:
    """The signed confirmation a money action's page posts back."""
    return _CONFIRMATION_FIELD.search(page.content.decode()).group(1)


def confirm(client, url_name: str, params: dict | None = None):
    """Open a money action's confirmation page and confirm it, as a customer does: (page, result)."""
    url = reverse(url_name)
    page = client.get(url, params or {})
    assert page.status_code == 200, page.content.decode()
    return page, client.post(url, {"confirmation": confirmation_of(page)}, follow=True)
