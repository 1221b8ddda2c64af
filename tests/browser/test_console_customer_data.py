"""An operator follows a customer's list from the customer's page and resolves an alert, in a browser."""

import re

import pytest
from playwright.sync_api import expect

from adminpanel.alerts import PROVIDER_OUT_OF_CREDIT, alert_raise
from adminpanel.models import AdminAction, Alert
from campaigns.lists.models import CreatorList, CreatorListItem, ListCollaborator, ListExport
from campaigns.models import Campaign
from scraping.models import CreatorProfile
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def customer_with_a_list(make_subscriber):
    customer = make_subscriber("viral_surge", full_name="Maya Chen", business_name="Lumen Skin")
    Campaign.objects.create(user=customer, name="Spring serum launch")
    creator_list = CreatorList.objects.create(owner=customer, name="Sensitive-skin shortlist")
    for index, bucket in enumerate(["backlog", "shortlist", "shortlist", "contacted"]):
        creator = CreatorProfile.objects.create(platform="tiktok", external_id=f"browser-{index}",
                                                handle=f"skincreator{index}", display_name=f"Skin Creator {index}")
        CreatorListItem.objects.create(creator_list=creator_list, creator=creator, bucket=bucket, position=index)
    ListCollaborator.objects.create(creator_list=creator_list, email="agency@partner.example", invited_by=customer)
    ListExport.objects.create(creator_list=creator_list, user=customer, row_count=4,
                              filename="sensitive-skin-shortlist.csv")
    return customer


def test_operator_opens_a_customers_list_from_their_page_and_resolves_an_alert(page, screenshot,
                                                                              customer_with_a_list):
    operator = UserFactory(is_admin=True, email="olivia@ops.example", full_name="Olivia Ops")
    alert_raise(kind=PROVIDER_OUT_OF_CREDIT, detail="The data provider account is out of credit (402).")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/admin/")
    page.fill("input[name=login]", operator.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("Log in", re.I)).click()

    alerts = page.locator("#open-alerts")
    expect(alerts).to_contain_text("The data provider account is out of credit")
    # The alerts keep to the main column, clear of the recent changes beside it.
    box, recent = alerts.bounding_box(), page.locator("#content-related").bounding_box()
    assert box["x"] + box["width"] <= recent["x"]
    screenshot("console-home-alert")

    page.goto("/admin/accounts/user/")
    page.get_by_role("link", name=customer_with_a_list.email).click()
    customer_data = page.locator("#customer-data")
    expect(customer_data).to_contain_text("Lists they own")
    screenshot("console-user-customer-data")
    customer_data.get_by_role("link", name="Lists they own").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Sensitive-skin shortlist").click()
    expect(page.get_by_text("Shortlist: 2")).to_be_visible()
    expect(page.locator("#collaborators-group")).to_contain_text("agency@partner.example")
    expect(page.locator("#exports-group")).to_contain_text("sensitive-skin-shortlist.csv")
    screenshot("console-customer-list")
    page.get_by_role("link", name="Shortlist: 2").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    screenshot("console-customer-list-items")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/admin/")
    screenshot("console-home-alert-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    alerts.get_by_role("button", name="Resolve: The data provider account is out of credit").click()
    expect(page.locator(".messagelist")).to_contain_text("Resolved: The data provider account is out of credit")
    expect(alerts).to_contain_text("No open alerts.")
    screenshot("console-home-alert-resolved")
    resolved = Alert.objects.get()
    assert resolved.resolved_by_id == operator.pk
    assert AdminAction.objects.filter(action="alert.resolve", actor=operator).count() == 1
