"""An operator switches a search off in the console; a customer's wizard then leaves it out and says so."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.services import campaign_create
from tests.factories import PASSWORD, UserFactory

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SETTING = "features.search.instagram.similar"
SENTENCE = "Instagram similar creators search is unavailable for now; the others work as usual."


def test_operator_switches_a_platform_search_off_and_the_wizard_says_so(browser, live_server, make_subscriber,
                                                                      sign_in, page, screenshot):
    operator = UserFactory(is_admin=True, email="olivia@ops.example")
    customer = make_subscriber("glow_up")
    campaign = campaign_create(user=customer, name="Spring launch", search_type="similar")

    sign_in(operator)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/admin/adminpanel/systemconfiguration/?category__exact=features")
    row = page.locator("#result_list tbody tr", has_text=SETTING)
    expect(row).to_contain_text("true")
    row.get_by_role("link", name=SETTING).click()
    page.select_option("select[name=value]", "false")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    expect(page.locator("#result_list tbody tr", has_text=SETTING)).to_contain_text("false")
    screenshot("switch-console-settings")

    customer_page = browser.new_context(base_url=live_server.url).new_page()
    customer_page.set_default_timeout(10_000)
    customer_page.goto("/accounts/login/")
    customer_page.fill("input[name=login]", customer.email)
    customer_page.fill("input[name=password]", PASSWORD)
    customer_page.locator("main").get_by_role("button", name=re.compile("Log in", re.I)).click()
    expect(customer_page).not_to_have_url(re.compile("/accounts/login/"))
    for width, height, name in ((1366, 900, "desktop"), (390, 844, "phone")):
        customer_page.set_viewport_size({"width": width, "height": height})
        customer_page.goto(f"/campaigns/{campaign.pk}/searches/new/")
        expect(customer_page.locator("[data-switched-off]")).to_have_text(SENTENCE)
        expect(customer_page.locator("input[name=tile]")).to_have_count(5)
        expect(customer_page.locator("input[name=tile][value='instagram:similar']")).to_have_count(0)
        expect(customer_page.locator("input[name=tile][value='tiktok:similar']")).to_be_checked()
        customer_page.screenshot(path=str(ARTIFACTS / f"switch-wizard-{name}.png"),
                                 full_page=True)
    customer_page.context.close()
