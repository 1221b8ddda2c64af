"""An operator logs in to the console and reads the pages they run the platform from."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import SubscriptionStatus, TrialStatus, UserSubscription
from adminpanel.models import BackgroundJobStatus
from scraping.models import JobStatus, ScrapingJob
from tests.factories import BackgroundJobFactory, PASSWORD, ScrapingJobFactory, UserFactory, WorkerHeartbeatFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _search(user, *, platform: str, status: str, hours_ago: float, minutes: int = 4) -> None:
    job = ScrapingJobFactory(user=user, platform=platform, search_type="keyword", keywords=["skincare"],
                                     target_results=100, status=status, credits_spent=12, found_count=80)
    created = timezone.now() - timedelta(hours=hours_ago)
    running = status in (JobStatus.PENDING, JobStatus.PROCESSING)
    ScrapingJob.objects.filter(pk=job.pk).update(
        created_at=created, started_at=created, credits_remaining=48_000,
        finished_at=None if running else created + timedelta(minutes=minutes))


@pytest.fixture
def platform_activity(make_subscriber):
    """A platform that has been running for a while: customers, searches, a worker, some failures."""
    customer = make_subscriber("viral_surge", full_name="Maya Chen", business_name="Lumen Skin")
    for index, (platform, status) in enumerate([
        ("tiktok", JobStatus.COMPLETED), ("tiktok", JobStatus.COMPLETED), ("instagram", JobStatus.PARTIAL),
        ("youtube", JobStatus.ERROR), ("tiktok", JobStatus.PROCESSING), ("youtube", JobStatus.COMPLETED),
    ]):
        _search(customer, platform=platform, status=status, hours_ago=index * 3 + 0.5)
    for day in range(1, 20, 3):
        _search(customer, platform="tiktok", status=JobStatus.COMPLETED, hours_ago=day * 24)
    make_subscriber("glow_up")
    paying = make_subscriber("glow_up")
    UserSubscription.objects.filter(user=paying).update(
        trial_status=TrialStatus.CONVERTED, trial_converted_at=timezone.now(),
        subscription_status=SubscriptionStatus.ACTIVE)
    now = timezone.now()
    WorkerHeartbeatFactory(worker_id="worker-1:41:a", hostname="worker-1", pid=41,
                                   queues=["emails", "maintenance", "searches"], threads=4,
                                   started_at=now - timedelta(hours=3), last_seen_at=now, processed=310, failed=2)
    BackgroundJobFactory(message_id="m-failed", actor_name="job_step", queue_name="searches", args=[7],
                                 status=BackgroundJobStatus.FAILED, started_at=now - timedelta(minutes=9),
                                 finished_at=now - timedelta(minutes=9), error="RuntimeError: provider refused")
    return customer


def test_operator_reads_index_settings_a_user_and_the_ops_overview(page, screenshot, platform_activity):
    operator = UserFactory(is_admin=True, email="olivia@ops.example", full_name="Olivia Ops")
    page.goto("/admin/")
    # The console's sign-in is the site's own, which brings the operator back to the console.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F$"))
    page.fill("input[name=login]", operator.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("Log in", re.I)).click()

    expect(page.get_by_role("heading", name="Run the platform")).to_be_visible()
    expect(page.locator("#site-name")).to_contain_text("Creator Radar operations")
    expect(page.get_by_role("link", name="Operations overview")).to_be_visible()
    expect(page.get_by_role("link", name="Groups")).to_have_count(0)
    expect(page.locator("#content-main")).to_contain_text("Sign-in")
    # The tools' descriptions stay beside their links, clear of the recent-actions column.
    tools = page.locator("table.ops-tools").bounding_box()
    recent = page.locator("#content-related").bounding_box()
    assert tools["x"] + tools["width"] <= recent["x"]
    screenshot("admin-index")

    page.get_by_role("link", name="Runtime settings").click()
    expect(page.get_by_role("heading", name=re.compile("system setting", re.I))).to_be_visible()
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="timeouts.standard_job_timeout")).to_contain_text("30m")
    expect(rows.filter(has_text="provider.step_delay.tiktok")).to_be_visible()
    screenshot("admin-settings")

    page.goto("/admin/accounts/user/")
    page.get_by_role("link", name=platform_activity.email).click()
    expect(page.get_by_role("heading", name=re.compile("subscription", re.I)).first).to_be_visible()
    expect(page.locator("#subscription-group")).to_contain_text("viral_surge")
    expect(page.locator("#usage-group")).to_be_visible()
    expect(page.locator("#system_data-group")).to_contain_text("Trial day 2")
    expect(page.locator("input[name='subscription-0-current_plan']")).to_have_count(0)
    screenshot("admin-user-change")

    page.locator("#customer-data").get_by_role("link", name="Searches", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(13)
    screenshot("admin-searches")
    page.go_back()
    page.get_by_role("link", name="Plan, trial and access actions").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list tbody input[type=checkbox]").check()
    page.select_option("select[name=action]", "extend_trial")
    page.fill("input[name=trial_days]", "3")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Extended the trial of 1 account ({platform_activity.email}) by 3 days")
    screenshot("admin-user-action")

    page.goto("/admin/")
    page.get_by_role("link", name="Operations overview").click()
    expect(page.get_by_role("heading", name="Operations overview")).to_be_visible()
    charts = page.locator("svg.ops-chart")
    expect(charts).to_have_count(5)  # searches per hour and per day, provider credits, the sign-up funnel, trials
    # Every chart with data draws visible bars, not an empty frame.
    for index in range(2):
        bars = charts.nth(index).locator("rect[fill^='#']")
        assert bars.count() > 0
        box = bars.first.bounding_box()
        assert box and box["height"] > 1 and box["width"] > 1
    expect(page.get_by_text("worker-1:41:a")).to_be_visible()
    # One failed search of five finished in the last 24 hours: the figure is flagged in red.
    failure_rate = page.locator(".ops-card", has_text="Failure rate, 24 h").locator(".figure")
    expect(failure_rate).to_have_text("20.0%")
    expect(failure_rate).to_have_css("color", "rgb(214, 56, 75)")
    conversions = page.locator(".ops-card", has_text="Conversions, 30 days")
    expect(conversions.locator(".figure")).to_have_text("1")
    trial_bars = charts.nth(4).locator("rect[fill^='#']")
    expect(trial_bars).to_have_count(2)  # today: trials started, and the one converted beside it
    screenshot("admin-ops-overview")
