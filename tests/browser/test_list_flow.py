import csv
import io
import re

import pytest
from playwright.sync_api import expect

from campaigns.lists.models import CreatorList, CreatorListItem, ListExport
from campaigns.services import campaign_create, campaign_search_start
from scraping.models import JobCreator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_creators_from_a_search_to_a_list_board_and_csv(page, sign_in, screenshot, customer, job_worker):
    campaign = campaign_create(user=customer, name="Spring skincare launch")
    job = campaign_search_start(user=customer, campaign=campaign, platform="tiktok", search_type="keyword",
                                keywords="vegan skincare", target_results=40)

    sign_in(customer)
    expect(page).to_have_url(re.compile("/dashboard/$"))

    page.goto(f"/searches/{job.pk}/")
    expect(page.locator("#progress").get_by_text("Completed")).to_be_visible(timeout=60_000)
    expect(page.locator("#results .results-meta")).to_contain_text("40 creators")

    # Tick three creators and save them into a new list.
    rows = page.locator("#results tbody tr")
    handles = []
    for index in range(3):
        row = rows.nth(index)
        row.locator("input[data-select-row]").check()
        handles.append(row.locator(".creator-cell .muted").inner_text().split(" · ")[0].lstrip("@"))
    expect(page.locator("#list-add [data-selected-count]")).to_have_text("3 selected")
    page.get_by_label("New list name").fill("Launch shortlist")
    page.get_by_role("button", name="Add to list").click()
    expect(page.locator("#list-add-status")).to_contain_text("Added 3 creators to “Launch shortlist”.")
    screenshot("list-added-from-search")

    # Adding one of them again next to a new one: the duplicate is skipped and named.
    expect(page.get_by_label("Add to list")).to_have_value(str(CreatorList.objects.get().pk))
    rows.nth(0).locator("input[data-select-row]").check()
    rows.nth(3).locator("input[data-select-row]").check()
    page.get_by_role("button", name="Add to list").click()
    expect(page.locator("#list-add-status")).to_contain_text(
        f"Added 1 creator to “Launch shortlist”. Skipped 1 already on the list: @{handles[0]}.")

    page.locator("#list-add-status").get_by_role("link", name="Open the list").click()
    expect(page.get_by_role("heading", name=re.compile("Launch shortlist"))).to_be_visible()
    backlog = page.locator(".board-column.bucket-backlog .board-cards")
    contacted = page.locator(".board-column.bucket-contacted .board-cards")
    expect(backlog.locator(".board-card")).to_have_count(4)

    # Drag the second creator onto the "Contacted" column.
    card = backlog.locator(".board-card").nth(1)
    expect(card).to_contain_text(f"@{handles[1]}")
    card.drag_to(contacted)
    # The counts come from the server's redrawn board, not from the card the browser moved.
    expect(page.locator(".board-column.bucket-contacted .count")).to_have_text("1")
    expect(page.locator(".board-column.bucket-backlog .count")).to_have_text("3")
    expect(contacted.locator(".board-card select")).to_have_value("contacted")
    expect(contacted.locator(".board-card")).to_have_count(1)
    expect(contacted).to_contain_text(f"@{handles[1]}")
    expect(backlog.locator(".board-card")).to_have_count(3)
    screenshot("list-board-after-drag")

    page.reload()
    expect(contacted).to_contain_text(f"@{handles[1]}")
    moved = CreatorListItem.objects.get(creator__handle=handles[1])
    assert moved.bucket == "contacted" and moved.position == 0 and moved.last_contacted_at is not None
    assert sorted(CreatorListItem.objects.filter(bucket="backlog").values_list("position", flat=True)) == [0, 1, 2]

    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    body = download.value.path().read_bytes()
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == ["Handle", "Display name", "Platform", "Profile URL", "Bucket", "Followers",
                        "Engagement rate", "Emails", "Notes"]
    assert len(table) == 5
    buckets = {row[0]: row[4] for row in table[1:]}
    assert buckets[handles[1]] == "Contacted"
    assert [buckets[handle] for handle in (handles[0], handles[2])] == ["Backlog", "Backlog"]
    assert download.value.suggested_filename.startswith("launch-shortlist-")
    assert ListExport.objects.get().row_count == 4

    # The table view: pin a creator, note something, and they show up on the dashboard.
    page.get_by_role("link", name="Table", exact=True).click()
    expect(page.locator(".list-table tbody tr")).to_have_count(4)
    page.get_by_label(f"Pin @{handles[1]}").click()
    expect(page.get_by_label(f"Pin @{handles[1]}")).to_have_attribute("aria-pressed", "true")
    page.get_by_label(f"Notes on @{handles[1]}").fill("Replied, wants the spring kit")
    page.get_by_label(f"Notes on @{handles[1]}").blur()
    expect(page.locator(f"#item-{moved.pk} textarea")).to_have_value("Replied, wants the spring kit")
    screenshot("list-table")
    page.get_by_role("link", name="Exports", exact=True).click()
    expect(page.locator("main table")).to_contain_text(customer.email)

    # Share it with someone who has no account yet.
    page.get_by_role("link", name="Sharing", exact=True).click()
    page.get_by_label("Email").fill("client@glowbrand.co")
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text("Invitation sent to client@glowbrand.co")
    expect(page.locator("main table")).to_contain_text("Invited")
    screenshot("list-sharing")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator(".favorites")).to_contain_text(f"@{handles[1]}")
    expect(page.locator(".pipeline-counts .bucket-contacted")).to_contain_text("1")
    screenshot("dashboard-lists")
    page.get_by_role("link", name="Lists", exact=True).click()
    expect(page.locator(".list-card")).to_contain_text("Launch shortlist")
    screenshot("list-index")

    # Back on the search: filter it, then "select all N matching the filter" into a new list.
    followers = sorted(JobCreator.objects.filter(job=job).values_list("creator__followers", flat=True), reverse=True)
    threshold = followers[29]
    matching = sum(1 for count in followers if count >= threshold)
    assert 25 < matching < 40, "the filter must match more than a page and less than everyone"
    page.goto(f"/searches/{job.pk}/")
    page.get_by_label("Minimum followers").fill(str(threshold))
    page.get_by_label("Minimum followers").press("Tab")
    expect(page.locator("#results .results-meta")).to_contain_text(f"{matching} creators match your filters")
    page.get_by_label(f"Select all {matching} matching the filter").check()
    expect(page.locator("#list-add [data-selected-count]")).to_have_text(f"All {matching} selected")
    page.get_by_label("Add to list").select_option("")
    page.get_by_label("New list name").fill("Big names")
    page.get_by_role("button", name="Add to list").click()
    expect(page.locator("#list-add-status")).to_contain_text(f"Added {matching} creators to “Big names”.")
    screenshot("list-select-all-matching")
    big_names = CreatorListItem.objects.filter(creator_list__name="Big names")
    assert big_names.count() == matching
    assert all(item.creator.followers >= threshold for item in big_names.select_related("creator"))
