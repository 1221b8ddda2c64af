"""Money actions on Stripe: the confirmation pages show Stripe's own invoice preview, and the change
is made with the preview's proration date and an idempotency key, once.

Stripe is played by localstripe where it bills like Stripe, and otherwise by a local server
answering in the shapes Stripe publishes for the pinned API version (localstripe has no
``always_invoice`` proration and ends trials its own way).
"""

import html
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import UserBilling, UserSubscription
from billing.providers.stripe_provider import StripeProvider
from billing.services.subscriptions import customer_ensure, subscription_refresh

from .conftest import PRICES, confirm, confirmation_of, subscription_object
from .fakes import SECRET_KEY, WEBHOOK_SECRET, StripeStandIn

pytestmark = pytest.mark.django_db

DAY = 86400


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _day(ts: int) -> str:
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return f"{moment:%B} {moment.day}, {moment.year}"


def _plan(price_id: str, amount: int, interval: str = "month") -> dict:
    return {"id": price_id, "object": "plan", "active": True, "amount": amount, "amount_decimal": str(amount),
            "currency": "usd", "interval": interval, "interval_count": 1, "product": f"prod_{price_id}"}


def _line(description: str, amount: int, *, price_id: str, proration: bool, start: int, end: int) -> dict:
    """An invoice line item as the 2025-03-31+ API returns it (proration under ``parent``)."""
    return {
        "id": f"il_tmp_{abs(amount)}", "object": "line_item", "amount": amount, "currency": "usd",
        "description": description, "discount_amounts": [], "discountable": not proration, "discounts": [],
        "livemode": False, "metadata": {},
        "parent": {"type": "subscription_item_details", "invoice_item_details": None,
                   "subscription_item_details": {"invoice_item": None, "proration": proration,
                                                 "proration_details": {"credited_items": None},
                                                 "subscription": "sub_published", "subscription_item": "si_published"}},
        "period": {"start": start, "end": end}, "pretax_credit_amounts": [],
        "pricing": {"type": "price_details", "price_details": {"price": price_id, "product": f"prod_{price_id}"},
                    "unit_amount_decimal": str(amount)},
        "quantity": 1, "taxes": [],
    }


def _preview(lines: list[dict], *, billing_reason: str = "subscription_update") -> dict:
    total = sum(line["amount"] for line in lines)
    return {
        "id": "upcoming_in_published", "object": "invoice", "amount_due": max(0, total), "amount_paid": 0,
        "amount_remaining": max(0, total), "attempt_count": 0, "attempted": False, "billing_reason": billing_reason,
        "collection_method": "charge_automatically", "created": int(time.time()), "currency": "usd",
        "customer": "cus_published", "lines": {"object": "list", "data": lines, "has_more": False,
                                               "total_count": len(lines), "url": "/v1/invoices/upcoming/lines"},
        "parent": {"type": "subscription_details", "quote_details": None,
                   "subscription_details": {"metadata": {}, "subscription": "sub_published"}},
        "starting_balance": 0, "ending_balance": None, "status": "draft", "subtotal": total, "total": total,
    }


@pytest.fixture
def published_stripe(settings) -> Iterator[StripeStandIn]:
    server = StripeStandIn()
    settings.BILLING_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_published"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = server.url
    from billing.models import SubscriptionPlan

    for (plan_key, cycle), (price_id, _amount, _interval) in PRICES.items():
        SubscriptionPlan.objects.filter(plan_key=plan_key).update(**{f"stripe_price_id_{cycle}": price_id})
    yield server
    server.stop()


@pytest.fixture
def stripe_customer(client, make_subscriber):
    """A Glow Up customer with a Stripe subscription and a card on file."""

    def make(*, status: str, period_end: int, trial_end: int | None = None):
        user = make_subscriber("glow_up", onboarding_step="completed")
        UserBilling.objects.filter(user=user).update(
            stripe_customer_id="cus_published", stripe_subscription_id="sub_published",
            card_brand="visa", card_last4="4242")
        UserSubscription.objects.filter(user=user).update(
            subscription_status=status, current_plan="glow_up", billing_cycle="monthly",
            current_period_end=datetime.fromtimestamp(period_end, tz=UTC))
        client.force_login(user)
        return user

    return make


def test_plan_change_confirmation_shows_stripes_preview_and_the_switch_uses_its_proration_date(
    client, published_stripe, stripe_customer,
):
    now = int(time.time())
    end = now + 20 * DAY
    user = stripe_customer(status="active", period_end=end)
    current = subscription_object(sub_id="sub_published", customer="cus_published", status="active",
                                  price_id="price_glow_up_monthly", period_end=end)
    current["items"]["data"][0]["id"] = "si_published"
    switched = subscription_object(sub_id="sub_published", customer="cus_published", status="active",
                                   price_id="price_viral_surge_monthly", period_end=end)
    published_stripe.routes.update({
        ("GET", "/v1/subscriptions/sub_published"): (200, current),
        ("GET", "/v1/plans/price_viral_surge_monthly"): (200, _plan("price_viral_surge_monthly", 24900)),
        ("POST", "/v1/invoices/create_preview"): (200, _preview([
            _line("Unused time on Glow Up after 04 Dec 2026", -6600, price_id="price_glow_up_monthly",
                  proration=True, start=now, end=end),
            _line("Remaining time on Viral Surge after 04 Dec 2026", 16600, price_id="price_viral_surge_monthly",
                  proration=True, start=now, end=end),
        ])),
        ("POST", "/v1/subscriptions/sub_published"): (200, switched),
    })

    page = client.get(reverse("billing_subscription_change"), {"plan_key": "viral_surge", "cycle": "monthly"})
    content = _text(page)
    assert page.status_code == 200
    assert "$100</strong> is charged today to your Visa ending 4242" in content
    assert "Unused time on Glow Up after 04 Dec 2026" in content and "-$66" in content and "$166" in content
    assert f"Your next invoice: $249 on {_day(end)}." in content
    [asked] = published_stripe.sent("POST", "/v1/invoices/create_preview")
    assert asked["subscription"] == "sub_published" and asked["customer"] == "cus_published"
    assert asked["subscription_details[items][0][id]"] == "si_published"
    assert asked["subscription_details[items][0][plan]"] == "price_viral_surge_monthly"
    assert asked["subscription_details[proration_behavior]"] == "always_invoice"
    proration_date = asked["subscription_details[proration_date]"]
    assert abs(int(proration_date) - now) < 60
    assert published_stripe.sent("POST", "/v1/subscriptions/sub_published") == []

    token = confirmation_of(page)
    done = client.post(reverse("billing_subscription_change"), {"confirmation": token}, follow=True)
    assert "You are now on Viral Surge (monthly). $100.00 was charged to your card." in _text(done)
    [update] = published_stripe.sent("POST", "/v1/subscriptions/sub_published")
    assert update["proration_date"] == proration_date
    assert update["proration_behavior"] == "always_invoice"
    assert update["payment_behavior"] == "error_if_incomplete"
    assert update["items[0][plan]"] == "price_viral_surge_monthly"
    [headers] = published_stripe.headers_of("POST", "/v1/subscriptions/sub_published")
    assert headers.get("Idempotency-Key", "").startswith(f"change-{user.pk}-")
    user.refresh_from_db()
    assert user.subscription.current_plan == "viral_surge"

    # The same confirmation again shows the result and asks Stripe for nothing.
    again = client.post(reverse("billing_subscription_change"), {"confirmation": token}, follow=True)
    assert "You are now on Viral Surge (monthly)." in _text(again)
    assert len(published_stripe.sent("POST", "/v1/subscriptions/sub_published")) == 1


def _switch_routes(stand_in: StripeStandIn, end: int) -> None:
    now = int(time.time())
    stand_in.routes.update({
        ("GET", "/v1/subscriptions/sub_published"): (200, subscription_object(
            sub_id="sub_published", customer="cus_published", status="active", price_id="price_glow_up_monthly",
            period_end=end)),
        ("GET", "/v1/plans/price_viral_surge_monthly"): (200, _plan("price_viral_surge_monthly", 24900)),
        ("POST", "/v1/invoices/create_preview"): (200, _preview([
            _line("Remaining time on Viral Surge", 10000, price_id="price_viral_surge_monthly", proration=True,
                  start=now, end=end)])),
        ("POST", "/v1/subscriptions/sub_published"): (200, subscription_object(
            sub_id="sub_published", customer="cus_published", status="active",
            price_id="price_viral_surge_monthly", period_end=end)),
    })


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_plan_change_submitted_twice_at_once_is_one_switch_and_one_charge(
    client, published_stripe, stripe_customer,
):
    user = stripe_customer(status="active", period_end=int(time.time()) + 20 * DAY)
    _switch_routes(published_stripe, int(time.time()) + 20 * DAY)
    # The switch takes a while at Stripe, so the second submit arrives while the first is in flight.
    published_stripe.latency[("POST", "/v1/subscriptions/sub_published")] = 0.5
    url = reverse("billing_subscription_change")
    token = confirmation_of(client.get(url, {"plan_key": "viral_surge", "cycle": "monthly"}))
    answers = []

    def submit() -> None:
        browser = Client()
        browser.force_login(user)
        answers.append(browser.post(url, {"confirmation": token}))
        connection.close()

    submits = [threading.Thread(target=submit) for _ in range(2)]
    for thread in submits:
        thread.start()
    for thread in submits:
        thread.join()
    assert [answer.status_code for answer in answers] == [302, 302]
    assert len(published_stripe.sent("POST", "/v1/subscriptions/sub_published")) == 1
    user.refresh_from_db()
    assert user.subscription.current_plan == "viral_surge"


def test_plan_change_that_failed_can_be_confirmed_again(client, published_stripe, stripe_customer):
    end = int(time.time()) + 20 * DAY
    user = stripe_customer(status="active", period_end=end)
    _switch_routes(published_stripe, end)
    switched = published_stripe.routes[("POST", "/v1/subscriptions/sub_published")]
    published_stripe.routes[("POST", "/v1/subscriptions/sub_published")] = (400, {"error": {
        "type": "invalid_request_error", "message": "This subscription cannot be updated right now."}})
    url = reverse("billing_subscription_change")
    token = confirmation_of(client.get(url, {"plan_key": "viral_surge", "cycle": "monthly"}))
    refused = client.post(url, {"confirmation": token})
    assert refused.status_code == 400
    assert "The payment provider refused this change." in _text(refused)

    published_stripe.routes[("POST", "/v1/subscriptions/sub_published")] = switched
    done = client.post(url, {"confirmation": token}, follow=True)
    assert "You are now on Viral Surge (monthly). $100.00 was charged to your card." in _text(done)
    user.refresh_from_db()
    assert user.subscription.current_plan == "viral_surge"


def test_plan_change_declined_by_the_card_changes_nothing_and_says_so(client, published_stripe, stripe_customer):
    end = int(time.time()) + 20 * DAY
    user = stripe_customer(status="active", period_end=end)
    current = subscription_object(sub_id="sub_published", customer="cus_published", status="active",
                                  price_id="price_glow_up_monthly", period_end=end)
    published_stripe.routes.update({
        ("GET", "/v1/subscriptions/sub_published"): (200, current),
        ("GET", "/v1/plans/price_fame_flex_monthly"): (200, _plan("price_fame_flex_monthly", 49900)),
        ("POST", "/v1/invoices/create_preview"): (200, _preview([
            _line("Remaining time on Fame Flex", 26600, price_id="price_fame_flex_monthly", proration=True,
                  start=end - DAY, end=end)])),
        ("POST", "/v1/subscriptions/sub_published"): (402, {"error": {
            "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds."}}),
    })
    _, done = confirm(client, "billing_subscription_change", {"plan_key": "fame_flex", "cycle": "monthly"})
    assert done.status_code == 402
    assert "Your card was declined, so nothing was changed or charged." in _text(done)
    user.refresh_from_db()
    assert user.subscription.current_plan == "glow_up"


def test_stripe_preview_of_a_downgrade_reads_the_credit_and_the_next_invoice(published_stripe):
    now = int(time.time())
    end = now + 15 * DAY
    published_stripe.routes.update({
        ("GET", "/v1/subscriptions/sub_published"): (200, subscription_object(
            sub_id="sub_published", customer="cus_published", status="active",
            price_id="price_viral_surge_monthly", period_end=end)),
        ("GET", "/v1/plans/price_glow_up_monthly"): (200, _plan("price_glow_up_monthly", 9900)),
        ("POST", "/v1/invoices/create_preview"): (200, _preview([
            _line("Unused time on Viral Surge", -12450, price_id="price_viral_surge_monthly", proration=True,
                  start=now, end=end),
            _line("Remaining time on Glow Up", 4950, price_id="price_glow_up_monthly", proration=True,
                  start=now, end=end),
        ])),
    })
    provider = StripeProvider(api_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, base_url=published_stripe.url)
    preview = provider.subscription_change_preview(subscription_id="sub_published",
                                                   price_id="price_glow_up_monthly", proration_date=now)
    assert (preview.amount_due_cents, preview.credit_cents, preview.next_invoice_amount_cents) == (0, 7500, 2400)
    assert preview.next_invoice_at == datetime.fromtimestamp(end, tz=UTC)
    assert preview.proration_date == now
    assert [(line.amount_cents, line.proration) for line in preview.lines] == [(-12450, True), (4950, True)]

    # Credit already on the balance is kept too, and comes off the next invoice with the new credit.
    with_balance = _preview(published_stripe.routes[("POST", "/v1/invoices/create_preview")][1]["lines"]["data"])
    with_balance["starting_balance"] = -1000
    published_stripe.routes[("POST", "/v1/invoices/create_preview")] = (200, with_balance)
    preview = provider.subscription_change_preview(subscription_id="sub_published",
                                                   price_id="price_glow_up_monthly", proration_date=now)
    assert (preview.amount_due_cents, preview.credit_cents, preview.next_invoice_amount_cents) == (0, 8500, 1400)


def test_start_now_confirmation_shows_stripes_first_invoice_and_ends_the_trial_once(
    client, published_stripe, stripe_customer,
):
    now = int(time.time())
    trial_end = now + 5 * DAY
    user = stripe_customer(status="trialing", period_end=trial_end)
    trialing = subscription_object(sub_id="sub_published", customer="cus_published", status="trialing",
                                   price_id="price_viral_surge_monthly", trial_start=now - 2 * DAY,
                                   trial_end=trial_end, period_end=trial_end)
    trialing["items"]["data"][0]["price"]["unit_amount"] = 24900
    UserSubscription.objects.filter(user=user).update(current_plan="viral_surge")
    active = subscription_object(sub_id="sub_published", customer="cus_published", status="active",
                                 price_id="price_viral_surge_monthly", trial_start=now - 2 * DAY, trial_end=now,
                                 period_end=now + 31 * DAY)
    published_stripe.routes.update({
        ("GET", "/v1/subscriptions/sub_published"): (200, trialing),
        ("POST", "/v1/invoices/create_preview"): (200, _preview([
            _line("1 × Viral Surge (at $249.00 / month)", 24900, price_id="price_viral_surge_monthly",
                  proration=False, start=now, end=now + 31 * DAY)], billing_reason="subscription_update")),
        ("POST", "/v1/subscriptions/sub_published"): (200, active),
    })
    page = client.get(reverse("billing_subscription_start_now"))
    content = _text(page)
    assert "Your trial ends now" in content
    assert "$249</strong> is charged today to your Visa ending 4242." in content
    [asked] = published_stripe.sent("POST", "/v1/invoices/create_preview")
    assert asked["subscription_details[trial_end]"] == "now"

    token = confirmation_of(page)
    client.post(reverse("billing_subscription_start_now"), {"confirmation": token})
    client.post(reverse("billing_subscription_start_now"), {"confirmation": token})
    [update] = published_stripe.sent("POST", "/v1/subscriptions/sub_published")
    assert update["trial_end"] == "now" and update["payment_behavior"] == "error_if_incomplete"
    [headers] = published_stripe.headers_of("POST", "/v1/subscriptions/sub_published")
    assert headers.get("Idempotency-Key", "").startswith(f"start-now-{user.pk}-")
    user.refresh_from_db()
    assert (user.subscription.subscription_status, user.subscription.trial_status) == ("active", "converted")


def test_cancel_confirmation_names_the_end_of_stripes_period_and_cancels_once(
    client, published_stripe, stripe_customer,
):
    end = int(time.time()) + 12 * DAY
    user = stripe_customer(status="active", period_end=end - 3 * DAY)  # our copy is behind Stripe's
    running = subscription_object(sub_id="sub_published", customer="cus_published", status="active",
                                  price_id="price_glow_up_monthly", period_end=end)
    published_stripe.routes.update({
        ("GET", "/v1/subscriptions/sub_published"): (200, running),
        ("POST", "/v1/subscriptions/sub_published"): (200, {**running, "cancel_at_period_end": True,
                                                             "canceled_at": int(time.time())}),
    })
    page = client.get(reverse("billing_subscription_cancel"))
    assert f"Your plan stays until <strong>{_day(end)}</strong>" in _text(page)
    assert "Nothing more is charged." in _text(page)
    assert published_stripe.sent("POST", "/v1/subscriptions/sub_published") == []

    token = confirmation_of(page)
    done = client.post(reverse("billing_subscription_cancel"), {"confirmation": token}, follow=True)
    client.post(reverse("billing_subscription_cancel"), {"confirmation": token})
    assert f"Your plan stays until {_day(end)} and nothing more will be charged." in _text(done)
    assert len(published_stripe.sent("POST", "/v1/subscriptions/sub_published")) == 1
    user.refresh_from_db()
    assert user.subscription.cancel_at_period_end


def test_plan_change_confirmation_against_localstripe_shows_its_preview_and_switches(
    client, stripe_billing, make_subscriber,
):
    user = make_subscriber("glow_up", onboarding_step="completed")
    customer_id = customer_ensure(user=user)
    stripe_billing.client.v1.customers.payment_sources.create(customer_id, params={"source": {
        "object": "card", "number": "4242424242424242", "exp_month": "11", "exp_year": "2031", "cvc": "123",
    }})
    remote = stripe_billing.client.v1.subscriptions.create(params={
        "customer": customer_id, "items": [{"plan": "price_glow_up_monthly"}]})
    UserBilling.objects.filter(user=user).update(stripe_subscription_id=remote.id)
    subscription_refresh(user_id=user.pk)
    client.force_login(user)

    page, done = confirm(client, "billing_subscription_change", {"plan_key": "viral_surge", "cycle": "monthly"})
    # localstripe credits the whole last invoice ($99) against the new price ($249).
    assert "$150</strong> is charged today to your Visa ending 4242" in _text(page)
    assert "Your next invoice: $249 on" in _text(page)
    assert "You are now on Viral Surge (monthly). $150.00 was charged to your card." in _text(done)
    remote = stripe_billing.client.v1.subscriptions.retrieve(remote.id)
    assert remote["items"]["data"][0]["plan"]["id"] == "price_viral_surge_monthly"
