import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from billing.models import BillingEvent
from tests.factories import OnboardedUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_each_money_action_is_confirmed_on_a_page_with_its_amount(page, sign_in, screenshot):
    user = OnboardedUserFactory(email="noor@lumenskin.com", onboarding_step="completed")
    sign_in(user)
    page.goto("/billing/plans/")
    page.get_by_label("Glow Up plan").get_by_role("button", name="Start 7-day trial").click()
    page.get_by_role("button", name="Start trial").click()
    expect(page.get_by_role("heading", name="You're all set")).to_be_visible()

    # A switch during the trial: nothing today, the new price when the trial ends.
    page.goto("/billing/plans/")
    page.get_by_label("Viral Surge plan").get_by_role("button", name="Switch to Viral Surge").click()
    expect(page.get_by_role("heading", name="Switch to Viral Surge?")).to_be_visible()
    confirmation = page.get_by_label("Confirmation")
    expect(confirmation).to_contain_text("$0 is charged today.")
    expect(confirmation).to_contain_text("$249 is charged to your Visa ending 4242")
    screenshot("billing-confirm-switch-during-trial")
    page.get_by_role("button", name="Switch to Viral Surge").click()
    expect(page.get_by_role("status")).to_contain_text("You are now on Viral Surge (monthly). Nothing was charged today.")

    page.get_by_role("link", name="Start my paid plan now").click()
    expect(page.get_by_role("heading", name="Start your paid Viral Surge plan now?")).to_be_visible()
    expect(page.get_by_label("Confirmation")).to_contain_text("Your trial ends now")
    expect(page.get_by_label("Confirmation")).to_contain_text("$249 is charged today to your Visa ending 4242.")
    screenshot("billing-confirm-start-now")
    page.get_by_role("button", name="Start my plan and pay $249").click()
    expect(page.get_by_role("status")).to_contain_text("$249.00 was charged to your card.")

    # A downgrade right after paying: nothing today, a credit for the unused time.
    page.goto("/billing/plans/")
    page.get_by_label("Glow Up plan").get_by_role("button", name="Switch to Glow Up").click()
    confirmation = page.get_by_label("Confirmation")
    expect(confirmation).to_contain_text("$0 is charged today.")
    expect(confirmation).to_contain_text("of credit for the unused time stays on your account")
    expect(page.get_by_label("Invoice preview")).to_contain_text("Unused time on Viral Surge")
    screenshot("billing-confirm-downgrade")
    page.get_by_role("link", name="Not now").click()
    expect(page).to_have_url(re.compile("/billing/plans/$"))

    # An upgrade to the yearly price of the same plan: the year, less the unused month.
    page.get_by_role("link", name=re.compile("^Yearly")).click()
    page.get_by_label("Fame Flex plan").get_by_role("button", name="Switch to Fame Flex").click()
    expect(page.get_by_role("heading", name="Switch to Fame Flex, billed yearly?")).to_be_visible()
    expect(page.get_by_label("Invoice preview")).to_contain_text("1 × Fame Flex (at $3,990.00 / year)")
    screenshot("billing-confirm-upgrade-yearly")
    # An impatient double click sends the confirmation twice: one switch, one charge.
    page.get_by_role("button", name=re.compile(r"^Switch and pay \$3,")).dblclick()
    expect(page.get_by_role("status")).to_contain_text("You are now on Fame Flex (yearly).")

    page.goto("/billing/")
    page.get_by_role("link", name="Cancel at period end").click()
    expect(page.get_by_role("heading", name="Cancel Fame Flex?")).to_be_visible()
    expect(page.get_by_label("Confirmation")).to_contain_text("Your plan stays until")
    expect(page.get_by_label("Confirmation")).to_contain_text("Nothing more is charged.")
    screenshot("billing-confirm-cancel")
    page.get_by_role("button", name="Cancel my plan").click()
    expect(page.get_by_role("status")).to_contain_text("nothing more will be charged")
    expect(page.get_by_role("button", name="Resume my plan")).to_be_visible()
    screenshot("billing-overview-cancelled")

    subscription = User.objects.get(email="noor@lumenskin.com").subscription
    assert (subscription.current_plan, subscription.billing_cycle, subscription.cancel_at_period_end) == (
        "fame_flex", "yearly", True)
    changes = BillingEvent.objects.filter(user__email="noor@lumenskin.com", data__cause="plan.changed")
    assert changes.count() == 2
