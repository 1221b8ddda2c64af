"""Money actions on Stripe: the confirmation pages show Stripe's own invoice preview, and the change
is made with the preview's proration date and an idempotency key, once.

Stripe is played by the stub answering in the shapes Stripe publishes for the pinned API version,
and by localstripe where it serves a preview (it has no ``always_invoice`` proration and ends
trials its own way).
"""

import html
import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import UserBilling, UserSubscription
from billing.providers.stripe_provider import StripeProvider
from billing.services.subscriptions import customer_ensure, subscription_refresh

from . import stripe_objects as so
from .conftest import confirm, confirmation_of
from .fakes import SECRET_KEY, WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

DAY = 86400
SUBSCRIPTION = "/v1/subscriptions/sub_test_money"
PREVIEW = "/v1/invoices/create_preview"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _day(ts: int) -> str:
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return f"{moment:%B} {moment.day}, {moment.year}"


def _form(params: list[tuple[str, str]]) -> dict[str, str]:
    return dict(params)


def _subscription(*, price_id="price_glow_up_monthly", amount=9900, status="active", period_end: int,
                  period_start: int | None = None, **fields) -> dict:
    item = so.subscription_item(sub_id="sub_test_money", price_id=price_id, unit_amount=amount,
                                period_start=period_start or period_end - 30 * DAY, period_end=period_end)
    return so.subscription(sub_id="sub_test_money", customer="cus_test_money", items=[item], status=status,
                           **fields)


def _line(description: str, amount: int, *, price_id: str, proration: bool = True, start: int, end: int) -> dict:
    return so.invoice_line(description=description, amount=amount, price_id=price_id, proration=proration,
                           start=start, end=end, subscription="sub_test_money")


def _preview(*lines: dict, starting_balance: int = 0) -> dict:
    return so.invoice_preview(customer="cus_test_money", subscription="sub_test_money", lines=list(lines),
                              starting_balance=starting_balance)


@pytest.fixture
def stripe_customer(client, make_subscriber, stripe_stub):
    """A Glow Up customer with a Stripe subscription (stored in the stub) and a card on file."""

    def make(subscription: dict, *, plan_key="glow_up"):
        user = make_subscriber(plan_key, onboarding_step="completed")
        UserBilling.objects.filter(user=user).update(
            stripe_customer_id="cus_test_money", stripe_subscription_id="sub_test_money",
            card_brand="visa", card_last4="4242")
        UserSubscription.objects.filter(user=user).update(
            subscription_status=subscription["status"], current_plan=plan_key, billing_cycle="monthly",
            current_period_end=datetime.fromtimestamp(subscription["items"]["data"][0]["current_period_end"], tz=UTC))
        stripe_stub.put(subscription, so.plan(price_id="price_glow_up_monthly", amount=9900),
                        so.plan(price_id="price_viral_surge_monthly", amount=24900),
                        so.plan(price_id="price_fame_flex_monthly", amount=49900))
        client.force_login(user)
        return user

    return make


def test_plan_change_confirmation_shows_stripes_preview_and_the_switch_uses_its_proration_date(
    client, stripe_stub, stripe_customer,
):
    now = int(time.time())
    end = now + 20 * DAY
    user = stripe_customer(_subscription(period_end=end))
    item_id = stripe_stub.get("sub_test_money")["items"]["data"][0]["id"]
    stripe_stub.preview = _preview(
        _line("Unused time on Glow Up after 04 Dec 2026", -6600, price_id="price_glow_up_monthly", start=now, end=end),
        _line("Remaining time on Viral Surge after 04 Dec 2026", 16600, price_id="price_viral_surge_monthly",
              start=now, end=end),
    )

    page = client.get(reverse("billing_subscription_change"), {"plan_key": "viral_surge", "cycle": "monthly"})
    content = _text(page)
    assert page.status_code == 200
    assert "$100</strong> is charged today to your Visa ending 4242" in content
    assert "Unused time on Glow Up after 04 Dec 2026" in content and "-$66" in content and "$166" in content
    assert f"Your next invoice: $249 on {_day(end)}." in content
    [asked] = map(_form, stripe_stub.posted(PREVIEW))
    assert asked["subscription"] == "sub_test_money" and asked["customer"] == "cus_test_money"
    assert asked["subscription_details[items][0][id]"] == item_id
    assert asked["subscription_details[items][0][plan]"] == "price_viral_surge_monthly"
    assert asked["subscription_details[proration_behavior]"] == "always_invoice"
    proration_date = asked["subscription_details[proration_date]"]
    assert abs(int(proration_date) - now) < 60
    assert stripe_stub.posted(SUBSCRIPTION) == []

    token = confirmation_of(page)
    done = client.post(reverse("billing_subscription_change"), {"confirmation": token}, follow=True)
    assert "You are now on Viral Surge (monthly). $100.00 was charged to your card." in _text(done)
    [update] = map(_form, stripe_stub.posted(SUBSCRIPTION))
    assert update["proration_date"] == proration_date
    assert update["proration_behavior"] == "always_invoice"
    assert update["payment_behavior"] == "error_if_incomplete"
    assert (update["items[0][id]"], update["items[0][plan]"]) == (item_id, "price_viral_surge_monthly")
    [(_, key)] = [entry for entry in stripe_stub.idempotency_keys if entry[0] == SUBSCRIPTION]
    assert key.startswith(f"change-{user.pk}-")
    user.refresh_from_db()
    assert user.subscription.current_plan == "viral_surge"

    # The same confirmation again shows the result and asks Stripe for nothing.
    again = client.post(reverse("billing_subscription_change"), {"confirmation": token}, follow=True)
    assert "You are now on Viral Surge (monthly)." in _text(again)
    assert len(stripe_stub.posted(SUBSCRIPTION)) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_plan_change_submitted_twice_at_once_is_one_switch_and_one_charge(client, stripe_stub, stripe_customer):
    now = int(time.time())
    user = stripe_customer(_subscription(period_end=now + 20 * DAY))
    stripe_stub.preview = _preview(_line("Remaining time on Viral Surge", 10000, price_id="price_viral_surge_monthly",
                                         start=now, end=now + 20 * DAY))
    # The switch takes a while at Stripe, so the second submit arrives while the first is in flight.
    stripe_stub.latency[SUBSCRIPTION] = 0.5
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
    assert len(stripe_stub.posted(SUBSCRIPTION)) == 1
    user.refresh_from_db()
    assert user.subscription.current_plan == "viral_surge"


def test_plan_change_declined_by_the_card_changes_nothing_and_can_be_confirmed_again(
    client, stripe_stub, stripe_customer,
):
    now = int(time.time())
    user = stripe_customer(_subscription(period_end=now + DAY))
    stripe_stub.preview = _preview(_line("Remaining time on Fame Flex", 1333, price_id="price_fame_flex_monthly",
                                         start=now, end=now + DAY))
    stripe_stub.declines = True
    url = reverse("billing_subscription_change")
    token = confirmation_of(client.get(url, {"plan_key": "fame_flex", "cycle": "monthly"}))
    declined = client.post(url, {"confirmation": token})
    assert declined.status_code == 402
    assert "Your card was declined, so nothing was changed or charged." in _text(declined)
    user.refresh_from_db()
    assert user.subscription.current_plan == "glow_up"
    assert stripe_stub.get("sub_test_money")["items"]["data"][0]["price"]["id"] == "price_glow_up_monthly"

    # With a card that pays, the same confirmation makes the switch.
    stripe_stub.declines = False
    done = client.post(url, {"confirmation": token}, follow=True)
    assert "You are now on Fame Flex (monthly). $13.33 was charged to your card." in _text(done)
    user.refresh_from_db()
    assert user.subscription.current_plan == "fame_flex"


def test_stripe_preview_of_a_downgrade_reads_the_credit_and_the_next_invoice(stripe_stub):
    now = int(time.time())
    end = now + 15 * DAY
    stripe_stub.put(_subscription(price_id="price_viral_surge_monthly", amount=24900, period_end=end),
                    so.plan(price_id="price_glow_up_monthly", amount=9900))
    lines = (_line("Unused time on Viral Surge", -12450, price_id="price_viral_surge_monthly", start=now, end=end),
             _line("Remaining time on Glow Up", 4950, price_id="price_glow_up_monthly", start=now, end=end))
    provider = StripeProvider(api_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, base_url=stripe_stub.url)

    stripe_stub.preview = _preview(*lines)
    preview = provider.subscription_change_preview(subscription_id="sub_test_money",
                                                   price_id="price_glow_up_monthly", proration_date=now)
    assert (preview.amount_due_cents, preview.credit_cents, preview.next_invoice_amount_cents) == (0, 7500, 2400)
    assert preview.next_invoice_at == datetime.fromtimestamp(end, tz=UTC)
    assert preview.proration_date == now
    assert [(line.amount_cents, line.proration) for line in preview.lines] == [(-12450, True), (4950, True)]

    # Credit already on the balance is kept too, and comes off the next invoice with the new credit.
    stripe_stub.preview = _preview(*lines, starting_balance=-1000)
    preview = provider.subscription_change_preview(subscription_id="sub_test_money",
                                                   price_id="price_glow_up_monthly", proration_date=now)
    assert (preview.amount_due_cents, preview.credit_cents, preview.next_invoice_amount_cents) == (0, 8500, 1400)


def test_start_now_confirmation_shows_stripes_first_invoice_and_ends_the_trial_once(
    client, stripe_stub, stripe_customer,
):
    now = int(time.time())
    trial_end = now + 5 * DAY
    user = stripe_customer(_subscription(
        price_id="price_viral_surge_monthly", amount=24900, status="trialing", period_start=now - 2 * DAY,
        period_end=trial_end, trial_start=now - 2 * DAY, trial_end=trial_end), plan_key="viral_surge")
    stripe_stub.preview = _preview(_line("1 × Viral Surge (at $249.00 / month)", 24900, proration=False,
                                         price_id="price_viral_surge_monthly", start=now, end=now + 31 * DAY))
    page = client.get(reverse("billing_subscription_start_now"))
    content = _text(page)
    assert "Your trial ends now" in content
    assert "$249</strong> is charged today to your Visa ending 4242." in content
    assert "Then $249 on" in content
    [asked] = map(_form, stripe_stub.posted(PREVIEW))
    assert asked["subscription_details[trial_end]"] == "now"

    token = confirmation_of(page)
    client.post(reverse("billing_subscription_start_now"), {"confirmation": token})
    client.post(reverse("billing_subscription_start_now"), {"confirmation": token})
    [update] = map(_form, stripe_stub.posted(SUBSCRIPTION))
    assert update == {"trial_end": "now", "payment_behavior": "error_if_incomplete"}
    [(_, key)] = [entry for entry in stripe_stub.idempotency_keys if entry[0] == SUBSCRIPTION]
    assert key.startswith(f"start-now-{user.pk}-")
    user.refresh_from_db()
    assert (user.subscription.subscription_status, user.subscription.trial_status) == ("active", "converted")


def test_cancel_confirmation_names_the_end_of_stripes_period_and_cancels_once(client, stripe_stub, stripe_customer):
    end = int(time.time()) + 12 * DAY
    user = stripe_customer(_subscription(period_end=end))
    # Our copy of the period end is behind Stripe's: the page says Stripe's.
    UserSubscription.objects.filter(user=user).update(current_period_end=datetime.fromtimestamp(end - 3 * DAY, tz=UTC))
    page = client.get(reverse("billing_subscription_cancel"))
    assert f"Your plan stays until <strong>{_day(end)}</strong>" in _text(page)
    assert "Nothing more is charged." in _text(page)
    assert stripe_stub.posted(SUBSCRIPTION) == []

    token = confirmation_of(page)
    done = client.post(reverse("billing_subscription_cancel"), {"confirmation": token}, follow=True)
    client.post(reverse("billing_subscription_cancel"), {"confirmation": token})
    assert f"Your plan stays until {_day(end)} and nothing more will be charged." in _text(done)
    assert len(stripe_stub.posted(SUBSCRIPTION)) == 1
    user.refresh_from_db()
    assert user.subscription.cancel_at_period_end


def test_cancel_confirmation_of_a_plan_the_portal_already_ends_says_when(client, stripe_stub, stripe_customer):
    now = int(time.time())
    ends = now + 9 * DAY
    # Stripe's portal in flexible billing mode schedules the end as a date, not cancel_at_period_end.
    stripe_customer(_subscription(period_end=now + 20 * DAY, cancel_at=ends))
    response = client.get(reverse("billing_subscription_cancel"))
    assert response.status_code == 400
    assert f"Your plan is already set to end on {_day(ends)}. Nothing more will be charged." in _text(response)


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
