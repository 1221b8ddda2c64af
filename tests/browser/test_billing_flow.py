import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import OnboardedUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_choose_a_plan_complete_demo_checkout_and_see_the_trial_countdown(page, sign_in, screenshot):
    user = OnboardedUserFactory(email="dana@glowbotanics.com", onboarding_step="completed")
    sign_in(user)

    page.goto("/billing/plans/")
    page.get_by_role("link", name=re.compile("^Yearly")).click()
    expect(page).to_have_url(re.compile(r"\?cycle=yearly$"))
    viral = page.get_by_label("Viral Surge plan")
    expect(viral).to_contain_text("$1,990/year")
    expect(viral).to_contain_text("10,000 creators / month")
    screenshot("billing-plans-yearly")
    viral.get_by_role("button", name="Start 7-day trial").click()

    expect(page).to_have_url(re.compile("/billing/demo/checkout/"))
    expect(page.get_by_text("7 days free")).to_be_visible()
    screenshot("billing-demo-checkout")
    page.get_by_role("button", name="Start trial").click()

    expect(page.get_by_role("heading", name="You're all set")).to_be_visible()
    countdown = page.get_by_label("Trial time left")
    expect(countdown).to_contain_text("days")
    expect(countdown).to_contain_text("hours")
    expect(countdown).to_contain_text("% of your trial used")
    expect(page.get_by_text("Viral Surge plan")).to_be_visible()
    screenshot("billing-checkout-success")

    page.get_by_role("link", name="Go to your dashboard").click()
    expect(page.get_by_label("Trial time left")).to_contain_text("days")
    page.goto("/billing/")
    expect(page.get_by_role("link", name="Start my paid plan now")).to_be_visible()
    expect(page.get_by_text("Visa ending 4242")).to_be_visible()
    expect(page.get_by_role("cell", name="Free trial of Viral Surge started")).to_be_visible()
    screenshot("billing-overview-trial")

    page.get_by_role("link", name="Cancel before the trial ends").click()
    expect(page.get_by_text("Nothing more is charged.")).to_be_visible()
    page.get_by_role("button", name="Cancel my plan").click()
    expect(page.get_by_text("your plan will not continue. Nothing will be charged.")).to_be_visible()
    expect(page.get_by_role("button", name="Resume my plan")).to_be_visible()
    screenshot("billing-overview-trial-cancelled")
    page.get_by_role("button", name="Resume my plan").click()
    expect(page.get_by_role("link", name="Start my paid plan now")).to_be_visible()

    subscription = User.objects.get(email="dana@glowbotanics.com").subscription
    assert (subscription.subscription_status, subscription.current_plan, subscription.billing_cycle) == (
        "trialing", "viral_surge", "yearly")
