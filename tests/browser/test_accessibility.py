"""Every main page passes axe-core's WCAG 2.2 AA rules for each kind of person who reads it.

axe-core comes bundled in axe-playwright-python (no CDN). Each test walks one person's pages, runs
axe on each, writes the figures per page to test-artifacts/axe-<person>.tsv (the details beside it in
.json) and fails naming every
rule broken on every page.
"""

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import SubscriptionStatus, TrialStatus, UserSubscription
from campaigns.demo import demo_workspace_create
from campaigns.lists.services import list_share
from tests.browser.conftest import ARTIFACTS
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
AXE = Axe()


def _axe_run(page) -> list[dict]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]})
    return results.response["violations"]


@pytest.fixture
def audit(page):
    """Run axe on the page as it stands, under a name; ``report`` writes the table and fails on any violation."""
    pages: dict[str, list[dict]] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        pages[name] = _axe_run(page)

    def report(person: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        lines = ["page\tviolations\telements\trules"]
        for name, violations in pages.items():
            rules = ", ".join(f"{v['id']}({len(v['nodes'])})" for v in violations)
            lines.append(f"{name}\t{len(violations)}\t{sum(len(v['nodes']) for v in violations)}\t{rules}")
        (ARTIFACTS / f"axe-{person}.tsv").write_text("\n".join(lines) + "\n")
        (ARTIFACTS / f"axe-{person}.json").write_text(json.dumps(pages, indent=1))
        broken = {
            name: [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:5]) for v in violations]
            for name, violations in pages.items() if violations
        }
        assert not broken, "\n".join(lines)

    check.report = report
    return check


def _workspace(user):
    workspace = demo_workspace_create(user=user)
    return workspace.campaign, workspace.searches[0], workspace.creator_list


def _open(page, url: str) -> None:
    page.goto(url)
    if url == "/api/docs/":
        # Swagger draws the operations after the page has loaded.
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()


def _customer_pages(page, audit, *, campaign, job, creator_list) -> None:
    for name, url in [
        ("dashboard", "/dashboard/"),
        ("campaigns", "/campaigns/"),
        ("campaign comparison", "/campaigns/analytics/"),
        ("new campaign", "/campaigns/new/"),
        ("campaign page", f"/campaigns/{campaign.pk}/"),
        ("campaign results", f"/campaigns/{campaign.pk}/results/"),
        ("campaign analytics", f"/campaigns/{campaign.pk}/analytics/"),
        ("wizard", f"/campaigns/{campaign.pk}/searches/new/"),
        ("search results", f"/searches/{job.pk}/"),
        ("lists index", "/lists/"),
        ("list board", f"/lists/{creator_list.pk}/"),
        ("list table", f"/lists/{creator_list.pk}/table/"),
        ("list sharing", f"/lists/{creator_list.pk}/share/"),
        ("list exports", f"/lists/{creator_list.pk}/exports/"),
        ("list edit", f"/lists/{creator_list.pk}/edit/"),
        ("billing", "/billing/"),
        ("plans", "/billing/plans/"),
        ("settings", "/settings/"),
        ("API docs", "/api/docs/"),
    ]:
        _open(page, url)
        audit(name)

    # The forms again after a failed submit: the summary has focus, each error is tied to its field.
    page.goto(f"/campaigns/{campaign.pk}/searches/new/")
    page.get_by_role("button", name="Start search").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("Keywords: ")
    keywords = page.get_by_label("Add a keyword")
    expect(keywords).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_keywords_error").inner_text()
    expect(keywords).to_have_accessible_description(re.compile(r"^Up to 10.*" + re.escape(error), re.S))
    audit("wizard, failed submit")
    page.goto("/lists/new/")
    page.get_by_role("button", name="Create list").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    name = page.locator("#id_name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(page.locator("#id_name_error").inner_text())
    # The summary's link takes the keyboard to the field.
    page.locator("[data-error-summary]").get_by_role("link", name=re.compile("^Name:")).press("Enter")
    expect(name).to_be_focused()
    audit("new list, failed submit")


def _phone_pages(page, audit, screenshot, *, job, creator_list) -> None:
    """Some pages again at a phone's width, where the layout wraps and targets crowd."""
    page.set_viewport_size({"width": 390, "height": 844})
    for name, url in [("dashboard", "/dashboard/"), ("search results", f"/searches/{job.pk}/"),
                      ("list board", f"/lists/{creator_list.pk}/"), ("list table", f"/lists/{creator_list.pk}/table/"),
                      ("billing", "/billing/"), ("API docs", "/api/docs/")]:
        _open(page, url)
        audit(f"{name}, phone")
        screenshot(f"axe-phone-{name.replace(' ', '-')}")


def test_axe_finds_nothing_for_visitors(page, audit):
    for name, url in [("landing", "/"), ("login", "/accounts/login/"), ("sign-up", "/accounts/signup/")]:
        page.goto(url)
        audit(name)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "nobody@brand.example")
    page.fill("input[name=password]", "not the password")
    page.locator("main").get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("main")).to_contain_text(re.compile("not correct", re.I))
    audit("login, failed submit")
    audit.report("visitor")


def test_axe_finds_nothing_for_a_trial_customer(page, sign_in, audit, make_subscriber, sandbox):
    user = make_subscriber("viral_surge")
    campaign, job, creator_list = _workspace(user)
    sign_in(user)
    _customer_pages(page, audit, campaign=campaign, job=job, creator_list=creator_list)
    audit.report("trial-customer")


def test_axe_finds_nothing_for_a_paying_customer(page, sign_in, audit, screenshot, make_subscriber, sandbox):
    user = make_subscriber("fame_flex")
    UserSubscription.objects.filter(user=user).update(
        trial_status=TrialStatus.CONVERTED, trial_converted_at=timezone.now(),
        subscription_status=SubscriptionStatus.ACTIVE)
    campaign, job, creator_list = _workspace(user)
    sign_in(user)
    _customer_pages(page, audit, campaign=campaign, job=job, creator_list=creator_list)
    _phone_pages(page, audit, screenshot, job=job, creator_list=creator_list)
    audit.report("paying-customer")


def test_axe_finds_nothing_for_a_list_viewer(page, sign_in, audit, make_subscriber, sandbox):
    owner = make_subscriber("viral_surge")
    _campaign, _job, creator_list = _workspace(owner)
    viewer = UserFactory(email="client@agency.example")
    list_share(creator_list=creator_list, actor=owner, email=viewer.email, role="viewer")
    sign_in(viewer)
    for name, url in [
        ("lists index", "/lists/"),
        ("list board", f"/lists/{creator_list.pk}/"),
        ("list table", f"/lists/{creator_list.pk}/table/"),
        ("list exports", f"/lists/{creator_list.pk}/exports/"),
    ]:
        page.goto(url)
        expect(page).to_have_url(re.compile(re.escape(url) + "$"))
        audit(name)
    audit.report("list-viewer")


def test_axe_finds_nothing_for_an_operator(page, sign_in, audit, make_subscriber):
    customer = make_subscriber("viral_surge")
    operator = UserFactory(is_admin=True, email="olivia@ops.example", full_name="Olivia Ops")
    sign_in(operator)
    for name, url in [
        ("admin index", "/admin/"),
        ("admin users", "/admin/accounts/user/"),
        ("admin a user", f"/admin/accounts/user/{customer.pk}/change/"),
        ("ops overview", "/admin/ops/"),
    ]:
        page.goto(url)
        expect(page).to_have_url(re.compile(re.escape(url) + "$"))
        audit(name)
    audit.report("operator")
