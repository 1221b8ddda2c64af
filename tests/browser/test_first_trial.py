"""A newcomer's first trial, in the browser, on an empty database: sign up, confirm the address,
onboard, choose a plan, start the trial, run the first search."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from billing.models import CreatorReveal
from scraping.models import EndReason, ScrapingJob

from .test_search_flow import watch_progress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def confirmation_link(address: str, live_server) -> str:
    """The confirmation link emailed to ``address``, on the live server."""
    for message in mail.outbox:
        if address in message.to and (match := re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body)):
            return live_server.url + match.group(1)
    raise AssertionError(f"no confirmation email for {address}: {[m.subject for m in mail.outbox]}")


def test_first_trial_from_sign_up_to_first_search(page, screenshot, live_server, settings, sandbox, job_worker):
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "ui.progress_poll_interval": "1s",
                                         "provider.requests_per_second": 30}
    assert not User.objects.exists()
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "ines@palmaskin.com")
    page.fill("input[name=password1]", "Sturdy-passphrase-42")
    page.fill("input[name=password2]", "Sturdy-passphrase-42")
    page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    expect(page).to_have_url(re.compile("/accounts/confirm-email/$"))
    screenshot("first-trial-check-your-email")

    page.goto(confirmation_link("ines@palmaskin.com", live_server))
    screenshot("first-trial-confirm-email")
    page.locator("main").get_by_role("button", name=re.compile("Confirm", re.I)).click()
    assert User.objects.get(email="ines@palmaskin.com").emailaddress_set.get().verified

    # Confirming in the browser that signed up signs in and carries on with onboarding.
    expect(page).to_have_url(re.compile("/onboarding/business/$"))
    page.get_by_label("Your full name").fill("Inés Palma")
    page.get_by_label("Business or brand name").fill("Palma Skin")
    page.get_by_label("Industry").select_option("beauty")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(re.compile("What do you sell")).fill("Mineral sunscreen for surfers; we want ocean creators.")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile("/onboarding/plan/$"))
    page.locator("label[for=plan-viral_surge]").click()
    page.get_by_role("button", name=re.compile(r"Start my \d+-day free trial")).click()
    expect(page).to_have_url(re.compile("/billing/demo/checkout/"))
    screenshot("first-trial-checkout")
    page.get_by_role("button", name="Start trial").click()
    page.get_by_role("link", name="Go to your dashboard").click()
    expect(page).to_have_url(re.compile("/dashboard/$"))
    expect(page.get_by_text("Viral Surge plan")).to_be_visible()
    screenshot("first-trial-dashboard")

    page.get_by_role("link", name="Campaigns", exact=True).click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Summer sunscreen")
    page.locator("main").get_by_role("button", name="Create campaign").click()
    page.get_by_label("Add a keyword").fill("reef safe sunscreen")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Your trial shows the first 25 creators of each search.")
    page.get_by_role("button", name="Start search").click()

    expect(page).to_have_url(re.compile(r"/searches/\d+/$"))
    watch_progress(page, screenshot)
    progress = page.locator("#progress")
    expect(progress).to_contain_text("25 / 100 creators")
    expect(progress).to_contain_text("Subscribe to Viral Surge to find all 100.")
    expect(page.locator("#results")).to_contain_text("25 of 10,000 creators used this month")
    expect(page.locator("#results tbody tr:not(.row-details)")).to_have_count(25)
    screenshot("first-trial-first-search")

    user = User.objects.get(email="ines@palmaskin.com")
    job = ScrapingJob.objects.get(user=user)
    user.usage.refresh_from_db()
    assert (job.found_count, job.end_reason) == (25, EndReason.TRIAL_ROWS)
    assert user.usage.creators_used_this_month == CreatorReveal.objects.filter(user=user).count() == 25
