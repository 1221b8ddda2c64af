"""The results and campaign pages in a real browser at a laptop's and a phone's size: nothing makes the
page wider than the screen, the results table fits a 1366 px screen with its default columns, a row's
details open under it, and the campaign pages follow a running search without a reload."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from campaigns.services import campaign_create
from scraping.models import CreatorProfile, JobCreator, JobStatus, ScrapingJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = {"desktop": (1366, 900), "mobile": (390, 844)}
LONG_BIO = ("Vegan skincare & clean beauty for sensitive skin 🌿 routines every Sunday, honest reviews, no gatekeeping. "
            "Business: partnerships.and.collaborations@verylongagencydomainname-example.com")


def make_results(user, campaign, count: int, *, status=JobStatus.COMPLETED) -> ScrapingJob:
    job = ScrapingJob.objects.create(user=user, campaign=campaign, platform="tiktok", search_type="keyword",
                                     keywords=["vegan skincare"], target_results=max(count, 50), status=status)
    add_rows(job, count)
    return job


def add_rows(job: ScrapingJob, count: int) -> None:
    start = job.found_count
    for n in range(start, start + count):
        creator = CreatorProfile.objects.create(
            platform=("tiktok", "instagram", "youtube")[n % 3], external_id=f"layout-{job.pk}-{n}",
            handle=f"the.longest.skincare.handle.{n}", display_name=f"Creator With A Long Display Name {n}",
            followers=12_345_678 - n, engagement_rate="4.25", engagement_basis="post", verified=n % 2 == 0,
            bio=LONG_BIO, links=[f"https://linktr.ee/a.very.long.link.in.bio.name.{n}", "https://shop.example.com/x"],
            emails=[{"address": f"partnerships.and.collaborations{n}@verylongagencydomainname-example.com",
                     "source": "link", "link": f"linktr.ee/a.very.long.link.in.bio.name.{n}"}], has_email=True)
        JobCreator.objects.create(
            job=job, creator=creator, rank=n + 1, keyword="vegan skincare",
            post_url=f"https://www.tiktok.com/@x/video/{n}", post_views=1_234_567, post_likes=98_765,
            post_comments=4_321, post_shares=1_234, post_caption="A very long caption " * 12,
            post_hashtags=["veganskincare", "cleanbeauty", "sensitiveskin"], post_duration_seconds=806,
            posted_at=datetime(2026, 11, 20, tzinfo=UTC))
    job.found_count = start + count
    job.save(update_fields=["found_count"])


def assert_fits(page, label: str) -> None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= viewport, f"{label}: the page is {width} px wide on a {viewport} px screen"


@pytest.mark.parametrize("size", list(SIZES))
def test_results_and_campaign_pages_never_scroll_sideways(page, sign_in, screenshot, customer, size):
    campaign = campaign_create(user=customer, name="Spring skincare launch with a long campaign name")
    job = make_results(customer, campaign, 30)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    sign_in(customer)

    for name, url in (("search", f"/searches/{job.pk}/"), ("campaign", f"/campaigns/{campaign.pk}/"),
                      ("all-creators", f"/campaigns/{campaign.pk}/results/")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert_fits(page, f"{name} at {width} px")
        if name != "campaign":
            toggle = page.locator("[data-details-toggle]").first
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            details = page.locator(".row-details").first
            expect(details).to_be_visible()
            expect(details).to_contain_text("from link: linktr.ee/a.very.long.link.in.bio.name.0")
            expect(details).to_contain_text("13:26")
            assert_fits(page, f"{name} with a row's details open at {width} px")
            page.locator(".column-picker summary").click()
            expect(page.locator(".column-picker-menu")).to_be_visible()
            assert_fits(page, f"{name} with the column picker open at {width} px")
        screenshot(f"layout-{name}-{size}")

    if size == "desktop":
        # The default columns fit a laptop's screen: the table needs no sideways scroll of its own.
        page.goto(f"/searches/{job.pk}/")
        scroll, client = page.evaluate(
            "(() => { const wrap = document.querySelector('#results .table-wrap'); "
            "return [wrap.scrollWidth, wrap.clientWidth]; })()")
        assert scroll <= client, f"the results table is {scroll} px wide in a {client} px box"


def test_chosen_columns_apply_at_once_and_stay_after_a_reload(page, sign_in, screenshot, customer):
    campaign = campaign_create(user=customer, name="Launch")
    job = make_results(customer, campaign, 3)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(customer)
    page.goto(f"/searches/{job.pk}/")
    headers = page.locator("#results thead th")

    page.locator(".column-picker summary").click()
    page.get_by_label("Likes").check()
    expect(headers.filter(has_text="Likes")).to_have_count(1)
    page.get_by_label("Bio", exact=True).uncheck()
    expect(headers.filter(has_text="Bio")).to_have_count(0)
    # The picker stays open while columns are chosen.
    expect(page.locator(".column-picker-menu")).to_be_visible()
    screenshot("results-columns-chosen")
    page.reload()

    expect(headers.filter(has_text="Likes")).to_have_count(1)
    expect(headers.filter(has_text="Bio")).to_have_count(0)
    expect(page.locator("#results tbody tr:not(.row-details)").first).to_contain_text("98.8K")


def test_campaign_pages_follow_a_running_search_without_a_reload(page, sign_in, screenshot, customer):
    campaign = campaign_create(user=customer, name="Launch")
    job = make_results(customer, campaign, 21, status=JobStatus.PROCESSING)
    job.target_results = 100
    job.save(update_fields=["target_results"])
    sign_in(customer)

    page.goto(f"/campaigns/{campaign.pk}/")
    expect(page.locator("#campaign-live")).to_contain_text("21 / 100")
    expect(page.locator("#campaign-live")).to_contain_text("updating while 1 search runs")
    add_rows(job, 17)
    expect(page.locator("#campaign-live")).to_contain_text("38 / 100", timeout=10_000)

    page.goto(f"/campaigns/{campaign.pk}/results/")
    expect(page.locator("#results .results-meta")).to_contain_text("38 creators")
    ScrapingJob.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED, finished_at=datetime.now(UTC))
    expect(page.locator("#results .results-meta")).not_to_contain_text("Updating while", timeout=10_000)
    page.goto(f"/campaigns/{campaign.pk}/")
    expect(page.locator("#campaign-status")).to_have_text(re.compile("Completed"))
    screenshot("campaign-after-search")
