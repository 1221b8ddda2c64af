"""Plans, checkout and subscription changes on the demo provider (the embedded default), through
the same services as Stripe."""

import pytest
from django.urls import reverse

from billing.models import BillingEvent, DemoBillingObject, TrialClaim
from tests.factories import OnboardedUserFactory

from .conftest import confirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def onboarded(client):
    user = OnboardedUserFactory(onboarding_step="completed")
    client.force_login(user)
    return user


def _checkout(client, plan_key="glow_up", cycle="monthly"):
    response = client.post(reverse("billing_checkout"), {"plan_key": plan_key, "cycle": cycle})
    assert response.url.startswith("/billing/demo/checkout/")
    page = client.get(response.url)
    assert page.status_code == 200
    done = client.post(response.url)
    return page, client.get(done.url)


def test_plans_page_switches_between_monthly_and_yearly_with_limits(client, onboarded):
    monthly = client.get(reverse("billing_plans")).content.decode()
    assert "$99<small>/month</small>" in monthly and "1,000 creators / month" in monthly
    assert "Unlimited campaigns" in monthly and "Start 7-day trial" in monthly
    yearly = client.get(reverse("billing_plans") + "?cycle=yearly").content.decode()
    assert "$790<small>/year</small>" in yearly and "save 33%" in yearly
    assert 'name="cycle" value="yearly"' in yearly


def test_demo_checkout_starts_the_trial_once_per_person(client, onboarded):
    page, success = _checkout(client, "viral_surge", "yearly")
    assert "7 days free" in page.content.decode()
    assert success.status_code == 200
    content = success.content.decode()
    assert "Your Viral Surge trial has started" in content and 'aria-label="Trial time left"' in content
    onboarded.refresh_from_db()
    sub = onboarded.subscription
    assert (sub.subscription_status, sub.trial_status, sub.current_plan, sub.billing_cycle) == (
        "trialing", "active", "viral_surge", "yearly")
    assert (sub.trial_ends_at - sub.trial_started_at).days == 7
    assert onboarded.billing.card_last4 == "4242"
    assert TrialClaim.objects.filter(user=onboarded).count() == 1
    assert set(BillingEvent.objects.filter(user=onboarded).values_list("event_type", flat=True)) >= {
        "customer.created", "checkout.started", "trial.started", "subscription.changed"}

    # Reloading the success page applies the same state again: nothing changes.
    client.get(success.wsgi_request.get_full_path())
    assert BillingEvent.objects.filter(user=onboarded, event_type="trial.started").count() == 1

    # Same person, another account: no second trial; they pay from day one.
    other = OnboardedUserFactory(email=onboarded.email.replace("@", "+again@"), onboarding_step="completed")
    client.force_login(other)
    assert "Start 7-day trial" not in client.get(reverse("billing_plans")).content.decode()
    page, _ = _checkout(client, "glow_up")
    assert "starting today" in page.content.decode()
    other.refresh_from_db()
    assert (other.subscription.subscription_status, other.subscription.trial_status) == ("active", "not_started")
    assert "Glow Up plan active" in client.get(reverse("billing")).content.decode()


def test_start_now_change_cancel_and_resume(client, onboarded, mailoutbox):
    _checkout(client, "glow_up")
    confirm(client, "billing_subscription_start_now")
    onboarded.refresh_from_db()
    assert (onboarded.subscription.subscription_status, onboarded.subscription.trial_status) == ("active", "converted")
    assert onboarded.system_data.email_schedule_status["trial_expired"]["status"] == "cancelled"

    confirm(client, "billing_subscription_change", {"plan_key": "fame_flex", "cycle": "monthly"})
    onboarded.refresh_from_db()
    assert onboarded.subscription.current_plan == "fame_flex"
    page = client.get(reverse("billing")).content.decode()
    assert "Fame Flex" in page and "Cancel at period end" in page

    confirm(client, "billing_subscription_cancel")
    onboarded.refresh_from_db()
    assert onboarded.subscription.cancel_at_period_end and onboarded.subscription.has_access
    assert "Resume my plan" in client.get(reverse("billing")).content.decode()
    client.post(reverse("billing_subscription_resume"))
    onboarded.refresh_from_db()
    assert not onboarded.subscription.cancel_at_period_end

    demo_sub = DemoBillingObject.objects.get(pk=onboarded.billing.stripe_subscription_id)
    assert demo_sub.data["items"]["data"][0]["price"]["id"] == "demo_fame_flex_monthly"


def test_onboarding_refuses_a_second_trial_with_a_message(client):
    first = OnboardedUserFactory(email="maya.lopez@gmail.com", onboarding_step="intent_captured")
    client.force_login(first)
    client.post(reverse("onboarding_plan"), {"plan_key": "glow_up"})
    second = OnboardedUserFactory(email="mayalopez+again@googlemail.com", onboarding_step="intent_captured")
    client.force_login(second)
    response = client.post(reverse("onboarding_plan"), {"plan_key": "glow_up"})
    assert "A free trial has already been used with this email address" in response.content.decode()


def test_another_users_checkout_is_not_found(client, onboarded):
    response = client.post(reverse("billing_checkout"), {"plan_key": "glow_up", "cycle": "monthly"})
    intruder = OnboardedUserFactory(onboarding_step="completed")
    client.force_login(intruder)
    assert client.get(response.url).status_code == 404
    session_id = response.url.rstrip("/").rsplit("/", 1)[1]
    assert client.get(reverse("billing_checkout_success") + f"?session_id={session_id}").status_code == 404


def test_portal_and_actions_without_a_subscription_explain_themselves(client, onboarded):
    response = client.get(reverse("billing_subscription_cancel"))
    assert response.status_code == 400
    assert "have a paid subscription yet. Choose a plan first." in response.content.decode()
    response = client.post(reverse("billing_portal"), follow=True)
    assert "Choose a plan first" in response.content.decode()


def test_demo_checkout_subscribes_even_if_the_success_page_is_never_seen(client, onboarded):
    response = client.post(reverse("billing_checkout"), {"plan_key": "viral_surge", "cycle": "monthly"})
    done = client.post(response.url)  # the browser closes before following the redirect
    assert reverse("billing_checkout_success") in done.url
    onboarded.refresh_from_db()
    assert (onboarded.subscription.subscription_status, onboarded.subscription.current_plan) == (
        "trialing", "viral_surge")
    assert onboarded.billing.stripe_subscription_id


def test_another_users_demo_checkout_cannot_be_confirmed(client, onboarded):
    response = client.post(reverse("billing_checkout"), {"plan_key": "glow_up", "cycle": "monthly"})
    intruder = OnboardedUserFactory(onboarding_step="completed")
    client.force_login(intruder)
    assert client.post(response.url).status_code == 404
    assert client.post(reverse("billing_demo_checkout", args=["cs_demo_nonexistent"])).status_code == 404
    onboarded.refresh_from_db()
    intruder.refresh_from_db()
    assert onboarded.subscription.subscription_status == intruder.subscription.subscription_status == "none"


def test_billing_history_tells_what_happened_in_words(client, onboarded):
    _checkout(client, "glow_up")
    confirm(client, "billing_subscription_start_now")
    confirm(client, "billing_subscription_change", {"plan_key": "fame_flex", "cycle": "monthly"})
    confirm(client, "billing_subscription_cancel")
    page = client.get(reverse("billing")).content.decode()
    for line in ("Checkout opened for Glow Up, billed monthly", "Free trial of Glow Up started",
                 "Trial ended and the paid Glow Up plan started", "Plan changed from Glow Up to Fame Flex",
                 "Cancellation at the end of the period requested"):
        assert line in page
    assert "customer.created" not in page and "subscription.changed" not in page


def test_cancelling_during_the_trial_says_nothing_will_be_charged(client, onboarded):
    _checkout(client, "glow_up")
    _, result = confirm(client, "billing_subscription_cancel")
    page = result.content.decode()
    assert "and nothing will be charged. You can resume your plan until then." in page
    assert "your plan will not continue. Nothing will be charged." in page
    assert "Start my paid plan now" not in page and "Resume my plan" in page


def test_trial_without_a_card_can_still_subscribe_to_its_plan(client, subscriber):
    client.force_login(subscriber)
    page = client.get(reverse("billing_plans")).content.decode()
    assert "You are trying this plan" in page
    assert "Subscribe to Glow Up" in page and "Your plan</span>" not in page


def test_plans_page_answers_a_bad_checkout_with_a_message(client, onboarded):
    for data in ({"plan_key": "free"}, {"plan_key": "glow_up", "cycle": "weekly"}, {}):
        response = client.post(reverse("billing_checkout"), data, follow=True)
        assert response.status_code == 200
        assert "Choose one of the plans shown." in response.content.decode()


def test_portal_of_a_subscriber_opens_and_comes_back_to_billing(client, onboarded):
    _checkout(client, "glow_up")
    response = client.post(reverse("billing_portal"))
    assert response.status_code == 302 and response.url.endswith(reverse("billing"))
    page = client.get(response.url).content.decode()
    assert "Demo billing has no hosted portal: manage your plan right here." in page
    assert client.get(reverse("billing_portal")).status_code == 405
