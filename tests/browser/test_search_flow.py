import csv
import io
import re
import time

import pytest
from playwright.sync_api import expect

from scraping.models import JobStatus, ScrapingJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def watch_progress(page, screenshot, *, timeout: float = 60.0) -> tuple[list[int], bool]:
    """The found counts the progress bar showed until the search ended, and whether rows were
    listed while it was still running (the page is then screenshotted as "search-running")."""
    progress, seen, rows_while_running = page.locator("#progress"), [], False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = int(progress.locator("[role=progressbar]").get_attribute("aria-valuenow"))
        if not seen or found != seen[-1]:
            seen.append(found)
        running = progress.get_by_role("button", name="Cancel search").count() > 0
        if not running:
            return [count for count in seen if count], rows_while_running
        if found and not rows_while_running and page.locator("#results tbody tr:not(.row-details)").count():
            rows_while_running = True
            screenshot("search-running")
        page.wait_for_timeout(250)
    raise AssertionError(f"the search did not end within {timeout} s (counts seen: {seen})")


def test_search_from_campaign_to_csv(page, sign_in, screenshot, customer, job_worker):
    sign_in(customer)
    expect(page).to_have_url(re.compile("/dashboard/$"))

    page.get_by_role("link", name="Campaigns", exact=True).click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Spring skincare launch")
    page.get_by_label("Description").fill("Vegan skincare creators for the April launch.")
    page.locator("main").get_by_role("button", name="Create campaign").click()

    expect(page.get_by_role("heading", name="New search")).to_be_visible()
    page.get_by_label("Add a keyword").fill("vegan skincare")
    page.keyboard.press("Enter")
    page.get_by_label("Add a keyword").fill("#cleanbeauty")
    page.keyboard.press("Enter")
    page.locator("label[for=id_target_3]").click()
    page.get_by_label("Custom number of creators").fill("150")
    screenshot("search-wizard")
    page.get_by_role("button", name="Start search").click()

    expect(page).to_have_url(re.compile(r"/searches/\d+/$"))
    progress = page.locator("#progress")
    expect(progress).to_contain_text("/ 150 creators")
    seen, rows_while_running = watch_progress(page, screenshot)
    # The bar moved forward on its own, and creators were listed before the search ended.
    assert seen == sorted(seen) and seen[0] < 150 and seen[-1] == 150, seen
    assert rows_while_running
    expect(progress.get_by_text("Completed")).to_be_visible()
    expect(page.locator("#results .results-meta")).to_contain_text("150 creators")
    screenshot("search-results")

    page.get_by_label("Has email").check()
    expect(page.locator("#results .results-meta")).to_contain_text("match your filters")
    rows = page.locator("#results tbody tr:not(.row-details)")
    assert rows.count() > 0
    for index in range(rows.count()):
        expect(rows.nth(index).locator("a[href^='mailto:']").first).to_be_visible()
    screenshot("search-results-with-email")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    body = download.value.path().read_bytes()
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][:3] == ["Platform", "Username", "Display name"]
    assert len(table) == 151
    assert download.value.suggested_filename.startswith("spring-skincare-launch-")

    job = ScrapingJob.objects.get()
    assert job.status == JobStatus.COMPLETED and job.found_count == 150
