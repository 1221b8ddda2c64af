"""Money actions on demo billing: switching plan or cycle, starting the paid plan now and
cancelling each show what changes, when and the amount before anything happens, bill what they
showed, and change nothing twice when the confirmation is submitted again."""

import html
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.forms import ConfirmationForm
from billing.models import BillingEvent, DemoBillingObject
from billing.services.subscriptions import subscription_start_now
from tests.factories import OnboardedUserFactory

from .conftest import confirm, confirmation_of

pytestmark = pytest.mark.django_db

DAY = 86400


@pytest.fixture
def demo_customer(client):
    """A customer subscribed through the demo checkout: trialing, or paying when ``paid``."""

    def make(plan_key="glow_up", cycle="monthly", *, paid=True):
        user = OnboardedUserFactory(onboarding_step="completed")
        client.force_login(user)
        checkout = client.post(reverse("billing_checkout"), {"plan_key": plan_key, "cycle": cycle})
        client.post(checkout.url)
        if paid:
            subscription_start_now(user=user)
        user.refresh_from_db()
        return user

    return make


def _period(user, *, started_days_ago: int, ends_in_days: int) -> tuple[int, int]:
    """Put the demo subscription's current period where the test needs it (the provider's side)."""
    row = DemoBillingObject.objects.get(pk=user.billing.stripe_subscription_id)
    now = int(timezone.now().timestamp())
    start, end = now - started_days_ago * DAY, now + ends_in_days * DAY
    row.data["current_period_end"] = end
    row.data["items"]["data"][0].update(current_period_start=start, current_period_end=end)
    row.save()
    return start, end


def _prorated(cents: int, remaining: int, period: int) -> int:
    return int((Decimal(cents) * remaining / period).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _money(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}" if cents % 100 else f"${cents // 100:,}"


def _proration_date(page, user) -> int:
    form = ConfirmationForm({"confirmation": confirmation_of(page)}, user_id=user.pk, action="plan_change")
    assert form.is_valid()
    return form.cleaned_data["confirmation"].proration_date


def _day(ts: int) -> str:
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return f"{moment:%B} {moment.day}, {moment.year}"


def test_plan_change_confirmation_shows_the_prorated_upgrade_and_charges_it_once(client, demo_customer):
    user = demo_customer("glow_up")
    start, end = _period(user, started_days_ago=10, ends_in_days=20)
    url = reverse("billing_subscription_change")

    page = client.get(url, {"plan_key": "viral_surge", "cycle": "monthly"})
    assert page.status_code == 200
    at = _proration_date(page, user)
    remaining, period = end - at, end - start
    credit, charge = _prorated(9900, remaining, period), _prorated(24900, remaining, period)
    content = _text(page)
    assert "Switch to Viral Surge?" in content
    assert "From Glow Up to Viral Surge: 10 campaigns and 10,000 creators a month." in content
    assert f"{_money(charge - credit)}</strong> is charged today to your Visa ending 4242" in content
    assert f"Unused time on Glow Up after {datetime.fromtimestamp(at, tz=UTC):%d %b %Y}" in content
    assert f"-{_money(credit)}" in content and _money(charge) in content
    assert f"Your next invoice: $249 on {_day(end)}." in content
    # Looking changes nothing.
    user.refresh_from_db()
    assert user.subscription.current_plan == "glow_up"

    token = confirmation_of(page)
    done = client.post(url, {"confirmation": token}, follow=True)
    assert f"You are now on Viral Surge (monthly). ${(charge - credit) // 100:,}." in _text(done)
    user.refresh_from_db()
    assert user.subscription.current_plan == "viral_surge"

    again = client.post(url, {"confirmation": token}, follow=True)
    assert again.status_code == 200
    assert "You are now on Viral Surge (monthly)." in _text(again)
    assert BillingEvent.objects.filter(user=user, event_type="subscription.changed",
                                       data__cause="plan.changed").count() == 1
    assert BillingEvent.objects.filter(user=user, event_type="action.confirmed").count() == 1


def test_plan_change_confirmation_of_a_downgrade_charges_nothing_and_keeps_a_credit(client, demo_customer):
    user = demo_customer("viral_surge")
    start, end = _period(user, started_days_ago=15, ends_in_days=15)
    page = client.get(reverse("billing_subscription_change"), {"plan_key": "glow_up", "cycle": "monthly"})
    at = _proration_date(page, user)
    remaining, period = end - at, end - start
    credit = _prorated(24900, remaining, period) - _prorated(9900, remaining, period)
    content = _text(page)
    assert "$0</strong> is charged today." in content
    assert f"{_money(credit)} of credit for the unused time stays on your account" in content
    assert f"Your next invoice: {_money(9900 - credit)} on {_day(end)}, after the credit." in content
    _, done = confirm(client, "billing_subscription_change", {"plan_key": "glow_up", "cycle": "monthly"})
    assert "You are now on Glow Up (monthly). Nothing was charged today." in _text(done)


def test_plan_change_confirmation_of_a_downgrade_says_what_is_already_beyond_the_new_plan(client, demo_customer):
    from accounts.models import UserUsage

    user = demo_customer("viral_surge")
    _period(user, started_days_ago=15, ends_in_days=15)
    UserUsage.objects.filter(user=user).update(campaigns_used=5, creators_used_this_month=1240)

    content = _text(client.get(reverse("billing_subscription_change"), {"plan_key": "glow_up", "cycle": "monthly"}))

    assert ("You have 5 campaigns and Glow Up includes 3: they all stay, but a new one needs you to delete some "
            "first.") in content
    assert "You have used 1,240 creators this month and Glow Up includes 1,000: new creators wait" in content


def test_plan_change_confirmation_to_yearly_bills_the_year_less_the_unused_month(client, demo_customer):
    user = demo_customer("glow_up")
    start, end = _period(user, started_days_ago=20, ends_in_days=10)
    page = client.get(reverse("billing_subscription_change"), {"plan_key": "glow_up", "cycle": "yearly"})
    at = _proration_date(page, user)
    due = 79000 - _prorated(9900, end - at, end - start)
    content = _text(page)
    assert "Switch to Glow Up, billed yearly?" in content and "Billed yearly instead of monthly." in content
    assert (f"{_money(due)}</strong> is charged today to your Visa ending 4242: a new year of Glow Up starting "
            "today, less the unused time of your current period.") in content
    assert "1 × Glow Up (at $790.00 / year)" in content
    next_year = datetime.fromtimestamp(at, tz=UTC).replace(year=datetime.fromtimestamp(at, tz=UTC).year + 1)
    assert f"Your next invoice: $790 on {next_year:%B} {next_year.day}, {next_year.year}." in content
    confirm(client, "billing_subscription_change", {"plan_key": "glow_up", "cycle": "yearly"})
    user.refresh_from_db()
    assert (user.subscription.current_plan, user.subscription.billing_cycle) == ("glow_up", "yearly")


def test_plan_change_confirmation_during_the_trial_charges_nothing_until_it_ends(client, demo_customer):
    user = demo_customer("glow_up", paid=False)
    page = client.get(reverse("billing_subscription_change"), {"plan_key": "fame_flex", "cycle": "monthly"})
    content = _text(page)
    trial_end = user.subscription.trial_ends_at
    assert "$0</strong> is charged today." in content
    assert (f"When your trial ends on {trial_end:%B} {trial_end.day}, {trial_end.year}, $499 is charged "
            "to your Visa ending 4242.") in content
    assert "no new trial comes with the change" in content
    _, done = confirm(client, "billing_subscription_change", {"plan_key": "fame_flex", "cycle": "monthly"})
    assert "Nothing was charged today." in _text(done)
    user.refresh_from_db()
    assert (user.subscription.current_plan, user.subscription.subscription_status) == ("fame_flex", "trialing")


def test_plan_change_confirmed_in_the_trial_is_reviewed_again_once_the_trial_has_ended(client, demo_customer):
    user = demo_customer("glow_up", paid=False)
    page = client.get(reverse("billing_subscription_change"), {"plan_key": "fame_flex", "cycle": "monthly"})
    subscription_start_now(user=user)
    response = client.post(reverse("billing_subscription_change"), {"confirmation": confirmation_of(page)})
    assert response.status_code == 400
    assert "Your trial has ended since you reviewed this change" in _text(response)
    user.refresh_from_db()
    assert user.subscription.current_plan == "glow_up"
    # Reviewed again, the switch shows what it bills now and can be made.
    _, done = confirm(client, "billing_subscription_change", {"plan_key": "fame_flex", "cycle": "monthly"})
    assert "You are now on Fame Flex (monthly)." in _text(done) and "was charged to your card" in _text(done)


def test_start_now_confirmation_says_the_trial_ends_and_the_amount_charged_today(client, demo_customer):
    user = demo_customer("viral_surge", paid=False)
    url = reverse("billing_subscription_start_now")
    page = client.get(url)
    content = _text(page)
    assert "Your trial ends now and your paid Viral Surge plan, billed monthly, starts today." in content
    assert "$249</strong> is charged today to your Visa ending 4242." in content
    assert "Start my plan and pay $249" in content
    user.refresh_from_db()
    assert user.subscription.is_trialing

    token = confirmation_of(page)
    done = client.post(url, {"confirmation": token}, follow=True)
    assert "Your trial has ended and your paid Viral Surge plan is active. $249.00 was charged" in _text(done)
    again = client.post(url, {"confirmation": token}, follow=True)
    assert "Your trial has ended and your paid Viral Surge plan is active." in _text(again)
    user.refresh_from_db()
    assert (user.subscription.subscription_status, user.subscription.trial_status) == ("active", "converted")
    assert BillingEvent.objects.filter(user=user, event_type="trial.converted").count() == 1
    assert BillingEvent.objects.filter(user=user, event_type="action.confirmed").count() == 1


def test_cancel_confirmation_says_the_plan_stays_until_the_period_end_and_nothing_more_is_charged(
    client, demo_customer,
):
    user = demo_customer("glow_up")
    _, end = _period(user, started_days_ago=3, ends_in_days=27)
    url = reverse("billing_subscription_cancel")
    page = client.get(url)
    content = _text(page)
    assert f"Your plan stays until <strong>{_day(end)}</strong>" in content
    assert "Nothing more is charged." in content
    user.refresh_from_db()
    assert not user.subscription.cancel_at_period_end

    token = confirmation_of(page)
    done = client.post(url, {"confirmation": token}, follow=True)
    assert f"Your plan stays until {_day(end)} and nothing more will be charged." in _text(done)
    client.post(url, {"confirmation": token})
    user.refresh_from_db()
    assert user.subscription.cancel_at_period_end and user.subscription.has_access
    assert BillingEvent.objects.filter(user=user, data__cause="cancel.requested").count() == 1
    # Already cancelled: the page says so instead of offering it again.
    again = client.get(url)
    assert again.status_code == 400
    assert f"Your plan is already set to end on {_day(end)}." in _text(again)


def test_billing_page_after_cancelling_says_the_allowance_ends_with_the_plan(client, demo_customer):
    from accounts.models import UserUsage

    user = demo_customer("glow_up")
    _, end = _period(user, started_days_ago=3, ends_in_days=27)
    UserUsage.objects.filter(user=user).update(usage_reset_date=datetime.fromtimestamp(end, tz=UTC).date())
    confirm(client, "billing_subscription_cancel", {})

    page = _text(client.get(reverse("billing")))

    assert f"Ends with your plan on <strong>{_day(end)}</strong>" in page
    assert "Renews on" not in page
    assert 'class="active" aria-current="page">Billing</a>' in client.get(reverse("billing_plans")).content.decode()


def test_billing_after_cancelling_a_plan_with_allowance_resets_left_never_says_it_renews(client, demo_customer):
    from accounts.models import UserUsage

    user = demo_customer("glow_up")
    _, end = _period(user, started_days_ago=30, ends_in_days=200)
    reset = int(timezone.now().timestamp()) + 20 * DAY
    UserUsage.objects.filter(user=user).update(usage_reset_date=datetime.fromtimestamp(reset, tz=UTC).date())
    confirm(client, "billing_subscription_cancel", {})

    page = _text(client.get(reverse("billing")))

    assert f"Resets on <strong>{_day(reset)}</strong>, then ends with your plan on {_day(end)}" in page
    assert "renews" not in page.lower()


def test_cancel_confirmation_during_the_trial_names_its_end(client, demo_customer):
    user = demo_customer("glow_up", paid=False)
    content = client.get(reverse("billing_subscription_cancel")).content.decode()
    ends = user.subscription.trial_ends_at
    assert f"Your plan stays until <strong>{ends:%B} {ends.day}, {ends.year}, {ends:%H:%M} UTC</strong>" in content
    assert "Your card is not charged when the trial ends." in content


@pytest.mark.parametrize(("params", "message"), [
    ({"plan_key": "platinum", "cycle": "monthly"}, "Choose one of the plans shown."),
    ({"plan_key": "viral_surge", "cycle": "weekly"}, "Choose one of the plans shown."),
    ({}, "Choose one of the plans shown."),
    ({"plan_key": "glow_up", "cycle": "monthly"}, "You are already on Glow Up, billed monthly."),
])
def test_plan_change_confirmation_refuses_bad_input_with_a_message(client, demo_customer, params, message):
    user = demo_customer("glow_up")
    response = client.get(reverse("billing_subscription_change"), params)
    assert response.status_code == 400
    assert message in _text(response)
    user.refresh_from_db()
    assert (user.subscription.current_plan, user.subscription.billing_cycle) == ("glow_up", "monthly")


@pytest.mark.parametrize("url_name", [
    "billing_subscription_change", "billing_subscription_start_now", "billing_subscription_cancel",
])
def test_money_actions_without_a_subscription_explain_themselves(client, url_name):
    client.force_login(OnboardedUserFactory(onboarding_step="completed"))
    response = client.get(reverse(url_name), {"plan_key": "viral_surge", "cycle": "monthly"})
    assert response.status_code == 400
    assert "You don't have a paid subscription yet. Choose a plan first." in _text(response)


def test_start_now_confirmation_of_a_paid_plan_explains_there_is_no_trial(client, demo_customer):
    demo_customer("glow_up")
    response = client.get(reverse("billing_subscription_start_now"))
    assert response.status_code == 400
    assert "Your plan is not in a trial" in _text(response)


def test_money_actions_refuse_a_post_that_was_not_confirmed_on_their_page(client, demo_customer):
    user = demo_customer("glow_up", paid=False)
    url = reverse("billing_subscription_change")
    page = client.get(url, {"plan_key": "viral_surge", "cycle": "monthly"})
    token = confirmation_of(page)
    attempts = [
        (url, {"plan_key": "viral_surge", "cycle": "monthly"}, "Review the change on its confirmation page"),
        (url, {"confirmation": token[:-3] + "abc"}, "This confirmation is not valid."),
        # A confirmation of one action does not confirm another.
        (reverse("billing_subscription_start_now"), {"confirmation": token}, "This confirmation is not valid."),
    ]
    for target, data, message in attempts:
        response = client.post(target, data)
        assert response.status_code == 400
        assert message in _text(response)
    # Nor does one customer's confirmation confirm anything for another.
    client.force_login(demo_customer("glow_up", paid=False))
    response = client.post(url, {"confirmation": token})
    assert response.status_code == 400 and "This confirmation is not valid." in _text(response)
    user.refresh_from_db()
    assert (user.subscription.current_plan, user.subscription.subscription_status) == ("glow_up", "trialing")


def test_money_action_confirmation_expires_after_an_hour(client, demo_customer, monkeypatch):
    demo_customer("glow_up")
    url = reverse("billing_subscription_cancel")
    page = client.get(url)
    later = timezone.now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr("django.core.signing.time.time", lambda: later.timestamp())
    response = client.post(url, {"confirmation": confirmation_of(page)})
    assert response.status_code == 400
    assert "more than an hour old" in _text(response)
