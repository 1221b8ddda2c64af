"""A suggested keyword, clicked in the search wizard, becomes one of the search's keywords."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.services import campaign_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_clicking_a_suggested_keyword_adds_it_to_the_keywords(page, sign_in, make_subscriber, screenshot):
    user = make_subscriber("viral_surge", brand_description="Handmade ceramic mugs for coffee lovers.")
    campaign = campaign_create(user=user, name="Mugs")
    sign_in(user)
    page.goto(f"/campaigns/{campaign.pk}/searches/new/")

    page.get_by_role("button", name="Add keyword coffee lovers").click()

    keywords = page.locator("[data-chips]")
    expect(keywords.locator(".chip")).to_have_text(["coffee lovers×"])
    expect(page.locator("input[name=keywords]")).to_have_value("coffee lovers")
    expect(page.get_by_role("button", name="Add keyword coffee lovers")).to_be_hidden()
    screenshot("wizard-suggestion-added")

    page.get_by_role("button", name="Remove coffee lovers").click()
    expect(page.get_by_role("button", name="Add keyword coffee lovers")).to_be_visible()
    page.get_by_role("button", name="Add keyword handmade ceramic mugs").click()
    page.get_by_role("button", name="Start search").click()

    expect(page).to_have_url(re.compile(r"/searches/\d+/$"))
    assert user.scraping_jobs.get().keywords == ["handmade ceramic mugs"]
