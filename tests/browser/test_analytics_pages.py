import re

import pytest
from playwright.sync_api import expect

from accounts.models import SubscriptionStatus
from campaigns.services import campaign_create, campaign_search_start
from scraping.models import ACTIVE_STATUSES, ScrapingJob
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def wait_for_searches(*jobs: ScrapingJob) -> None:
    running = ScrapingJob.objects.filter(pk__in=[job.pk for job in jobs], status__in=ACTIVE_STATUSES)
    wait_until(lambda: not running.exists(), timeout=90, every=0.5, failure="the searches did not finish")


def overflows(page) -> list[str]:
    """The elements that stick out past the right edge of the window (the page would scroll sideways)."""
    return page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth ? [] :
        [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .map(el => el.tagName + '.' + el.className)""")


def test_campaign_analytics_and_comparison_read_on_desktop_and_phone(page, sign_in, screenshot, customer, job_worker):
    spring = campaign_create(user=customer, name="Spring skincare launch")
    autumn = campaign_create(user=customer, name="Autumn vlogs")
    jobs = [
        campaign_search_start(user=customer, campaign=spring, platform="tiktok", search_type="keyword",
                              keywords="vegan skincare, spf", target_results=40),
        campaign_search_start(user=customer, campaign=spring, platform="youtube", search_type="keyword",
                              keywords="skincare routine", target_results=20),
        campaign_search_start(user=customer, campaign=autumn, platform="instagram", search_type="keyword",
                              keywords="autumn", target_results=20),
    ]
    wait_for_searches(*jobs)
    sign_in(customer)

    page.goto(f"/campaigns/{spring.pk}/")
    page.get_by_role("link", name="Analytics").click()
    expect(page).to_have_url(re.compile(f"/campaigns/{spring.pk}/analytics/$"))
    charts = page.locator("figure.bar-chart")
    expect(charts).to_have_count(5)
    for index in range(5):
        # Every chart draws visible bars, not an empty frame.
        expect(charts.nth(index).locator("svg rect[fill^='#']").first).to_be_visible()
    figures = charts.nth(0).locator("details")
    figures.get_by_text("Show the figures").click()
    expect(figures.locator("tbody tr")).to_have_count(3)

    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.reload()
        assert overflows(page) == [], f"the analytics page scrolls sideways on the {name}"
        screenshot(f"campaign-analytics-{name}")

    page.set_viewport_size(VIEWPORTS["desktop"])
    page.get_by_role("link", name="Compare campaigns").click()
    expect(page.get_by_role("heading", name="Compare campaigns")).to_be_visible()
    expect(page.locator(".comparison-table thead th")).to_have_count(3)  # the figure, then each campaign
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.reload()
        assert overflows(page) == [], f"the comparison page scrolls sideways on the {name}"
        screenshot(f"campaign-comparison-{name}")

    # The dashboard draws its activity chart with the same helper.
    page.goto("/dashboard/")
    expect(page.locator("svg.chart g.slot")).to_have_count(30)
    screenshot("dashboard-activity-phone")

    page.goto("/campaigns/analytics/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download figures (CSV)").click()
    assert download.value.suggested_filename.startswith("campaign-comparison-")


def test_comparison_on_a_plan_without_it_names_the_plan_that_has_it(page, sign_in, screenshot, make_subscriber):
    customer = make_subscriber("glow_up")
    customer.subscription.subscription_status = SubscriptionStatus.ACTIVE
    customer.subscription.save()
    sign_in(customer)

    page.goto("/campaigns/")
    page.get_by_role("link", name="Compare campaigns").click()

    notice = page.locator(".upgrade-notice")
    expect(notice).to_contain_text("Advanced analytics is not included in your Glow Up plan.")
    expect(notice).to_contain_text("The Viral Surge plan includes comparisons across campaigns")
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        assert overflows(page) == []
        screenshot(f"campaign-comparison-upgrade-{name}")
    notice.get_by_role("link", name="See the Viral Surge plan").click()
    expect(page).to_have_url(re.compile("/billing/plans/$"))
