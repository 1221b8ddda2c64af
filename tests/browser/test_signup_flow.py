import re

import pytest
from playwright.sync_api import expect

from accounts.models import User

from .test_first_trial import confirmation_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_signup_onboarding_lands_on_dashboard(page, screenshot, live_server):
    page.goto("/")
    screenshot("landing")
    page.get_by_role("link", name="Start your 7-day free trial").click()

    page.fill("input[name=email]", "maya@glowbotanics.com")
    page.fill("input[name=password1]", "Sturdy-passphrase-42")
    page.fill("input[name=password2]", "Sturdy-passphrase-42")
    screenshot("signup")
    page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()

    expect(page).to_have_url(re.compile("/accounts/confirm-email/$"))
    expect(page.locator("main")).to_contain_text("We sent you a link to confirm your email address")
    page.goto(confirmation_link("maya@glowbotanics.com", live_server))
    page.locator("main").get_by_role("button", name=re.compile("Confirm", re.I)).click()

    expect(page).to_have_url(re.compile("/onboarding/business/$"))
    page.get_by_label("Your full name").fill("Maya Lopez")
    page.get_by_label("Business or brand name").fill("Glow Botanics")
    page.get_by_label("Industry").select_option("beauty")
    screenshot("onboarding-business")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile("/onboarding/brand/$"))
    page.get_by_label(re.compile("What do you sell")).fill(
        "Clean skincare for sensitive skin. We want beauty and wellness creators in the US."
    )
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile("/onboarding/plan/$"))
    page.locator("label[for=plan-glow_up]").click()
    screenshot("onboarding-plan")
    page.get_by_role("button", name=re.compile("Start my 7-day free trial")).click()

    # Demo billing: the app's own checkout page stands in for Stripe Checkout.
    expect(page).to_have_url(re.compile("/billing/demo/checkout/"))
    page.get_by_role("button", name="Start trial").click()
    expect(page.get_by_role("heading", name="You're all set")).to_be_visible()
    page.get_by_role("link", name="Go to your dashboard").click()

    expect(page).to_have_url(re.compile("/dashboard/$"))
    expect(page.get_by_role("heading", name="Welcome, Maya Lopez")).to_be_visible()
    expect(page.get_by_text("Glow Up plan")).to_be_visible()
    expect(page.get_by_label("Trial time left")).to_contain_text("days")
    screenshot("dashboard")

    user = User.objects.get(email="maya@glowbotanics.com")
    assert user.is_onboarded
    assert user.subscription.current_plan == "glow_up"
