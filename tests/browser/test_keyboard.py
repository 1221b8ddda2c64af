"""A customer who uses only the keyboard: from the dashboard to a search, creators into a list, a
card moved to "Contacted" and reordered there, with focus kept and every move read out."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.lists.models import CreatorListItem
from campaigns.services import campaign_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FOCUS_RING = "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"


def tab_to(page, target, *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``target`` has focus: the keyboard reaches it in page order."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{target} never took focus in {limit} Tab presses")


def assert_focus_ring(element) -> None:
    """The one focus style: a solid 3px ring in the focus colour (#4634c4, over 3:1 on every surface)."""
    assert element.evaluate(FOCUS_RING) == ["solid", "3px", "rgb(70, 52, 196)"]


def test_keyboard_only_from_dashboard_to_a_reordered_card(page, sign_in, screenshot, customer, job_worker):
    page.set_viewport_size({"width": 1366, "height": 900})
    campaign = campaign_create(user=customer, name="Spring skincare launch")
    sign_in(customer)
    expect(page).to_have_url(re.compile("/dashboard/$"))

    nav = page.get_by_role("navigation", name="Main")
    tab_to(page, nav.get_by_role("link", name="Campaigns", exact=True))
    assert_focus_ring(nav.get_by_role("link", name="Campaigns", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/campaigns/$"))
    # A menu that reloads the page chooses on arrow keys and reloads on Enter only.
    sort = page.get_by_label("Sort")
    tab_to(page, sort)
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    expect(page).to_have_url(re.compile("/campaigns/$"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/campaigns/\?.*sort=" + sort.input_value()))
    campaign_link = page.get_by_role("link", name=campaign.name)
    tab_to(page, campaign_link)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="New search"))
    page.keyboard.press("Enter")

    # The wizard: the tiles, the keyword entry and the targets each show the focus ring.
    expect(page.get_by_role("heading", name="New search")).to_be_visible()
    tile = page.locator("input[name=tile]:checked")
    tab_to(page, tile)
    assert_focus_ring(page.locator(f"label[for={tile.get_attribute('id')}]"))
    entry = page.get_by_label("Add a keyword")
    tab_to(page, entry)
    assert_focus_ring(page.locator("[data-chips]"))
    page.keyboard.type("vegan skincare")
    page.keyboard.press("Enter")
    expect(page.locator(".chip")).to_have_text(re.compile("vegan skincare"))
    screenshot("keyboard-wizard-keyword-focus")
    target = page.locator("input[name=target]:checked")
    tab_to(page, target)
    assert_focus_ring(page.locator(f"label[for={target.get_attribute('id')}]"))
    screenshot("keyboard-wizard-target-focus")
    tab_to(page, page.get_by_role("button", name="Start search"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/searches/\d+/$"))
    expect(page.locator("#progress").get_by_text("Completed")).to_be_visible(timeout=60_000)
    # The end of the search is read out, and the bar says in words how far it got.
    expect(page.locator("#live-status")).to_have_text("Search completed: 100 of 100 creators found.")
    expect(page.get_by_role("progressbar", name="Search progress")).to_have_attribute(
        "aria-valuetext", "100 of 100 creators found")

    # Tick three creators with Space and save them to a new list.
    rows = page.locator("#results tbody.result-row")
    handles = []
    for index in range(3):
        box = rows.nth(index).locator("input[data-select-row]")
        tab_to(page, box)
        assert_focus_ring(box)
        page.keyboard.press("Space")
        handles.append(rows.nth(index).locator(".creator-cell .muted").inner_text().split(" · ")[0].lstrip("@"))
    screenshot("keyboard-results-checkbox-focus")
    expect(page.locator("#list-add [data-selected-count]")).to_have_text("3 selected")
    tab_to(page, page.get_by_label("New list name"), back=True)
    page.keyboard.type("Launch shortlist")
    tab_to(page, page.get_by_role("button", name="Add to list"))
    page.keyboard.press("Enter")
    status = page.locator("#list-add-status")
    expect(status.get_by_role("status")).to_contain_text("Added 3 creators to “Launch shortlist”.")
    tab_to(page, status.get_by_role("link", name="Open the list"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=re.compile("Launch shortlist"))).to_be_visible()
    contacted = page.locator(".board-column.bucket-contacted .board-cards")
    backlog = page.locator(".board-column.bucket-backlog .board-cards")
    expect(backlog.locator(".board-card")).to_have_count(3)

    # Arrow keys on the closed menu only choose; nothing moves until Enter.
    for handle in handles[1], handles[2]:
        menu = page.get_by_label(f"Move @{handle} to")
        tab_to(page, menu)
        assert_focus_ring(menu)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(menu).to_have_value("contacted")
        page.wait_for_timeout(300)
        expect(contacted.locator(".board-card")).to_have_count(0 if handle == handles[1] else 1)
        assert CreatorListItem.objects.get(creator__handle=handle).bucket == "backlog"
        page.keyboard.press("Enter")
        expect(contacted).to_contain_text(f"@{handle}")
        # The redrawn board keeps focus on the moved card's menu, and says where the card went.
        expect(page.get_by_label(f"Move @{handle} to")).to_be_focused()
        position = 1 if handle == handles[1] else 2
        expect(page.locator("#live-status")).to_have_text(f"Moved @{handle} to Contacted, {position} of {position}.")
    screenshot("keyboard-board-menu-focus")

    # Reorder within "Contacted": the last card goes up to the top.
    up = page.get_by_role("button", name=f"Move @{handles[2]} up")
    tab_to(page, up)
    assert_focus_ring(up)
    screenshot("keyboard-board-up-focus")
    page.keyboard.press("Enter")
    expect(contacted.locator(".board-card").first).to_contain_text(f"@{handles[2]}")
    expect(page.locator("#live-status")).to_have_text(f"Moved @{handles[2]} to Contacted, 1 of 2.")
    # At the top its Up button is off, so focus stays on the same card, on its Down button.
    expect(page.get_by_role("button", name=f"Move @{handles[2]} up")).to_be_disabled()
    moved = CreatorListItem.objects.get(creator__handle=handles[2])
    expect(page.get_by_role("button", name=f"Move @{handles[2]} down")).to_be_focused()
    assert moved.position == 0
    order = list(CreatorListItem.objects.filter(bucket="contacted").order_by("position")
                 .values_list("creator__handle", flat=True))
    assert order == [handles[2], handles[1]]

    # The table's bulk move is read out too, and focus stays on its button.
    tab_to(page, page.get_by_role("link", name="Table"))
    page.keyboard.press("Enter")
    box = page.get_by_label(f"Select @{handles[0]}")
    tab_to(page, box)
    page.keyboard.press("Space")
    bulk_menu = page.get_by_label("Move selected to")
    tab_to(page, bulk_menu)
    page.keyboard.press("ArrowDown")  # Shortlist
    tab_to(page, page.get_by_role("button", name="Move selected", exact=True))
    page.keyboard.press("Enter")
    expect(page.locator("#live-status")).to_have_text("Moved 1 creator to Shortlist.")
    expect(page.get_by_role("button", name="Move selected", exact=True)).to_be_focused()
    assert CreatorListItem.objects.get(creator__handle=handles[0]).bucket == "shortlist"
    screenshot("keyboard-table-bulk-focus")

    # Removing asks first: dismissed, nothing goes; accepted, the creator is removed and that is read out.
    tab_to(page, page.get_by_label(f"Select @{handles[1]}"))
    page.keyboard.press("Space")
    remove = page.get_by_role("button", name="Remove selected")
    tab_to(page, remove, back=True)
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.keyboard.press("Enter")
    expect(page.get_by_label(f"Select @{handles[1]}")).to_be_checked()
    assert questions == ["Remove the selected creators from this list?"]
    assert CreatorListItem.objects.filter(creator__handle=handles[1]).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    expect(page.locator("#live-status")).to_have_text("Removed 1 creator from the list.")
    expect(page.get_by_role("button", name="Remove selected")).to_be_focused()
    assert not CreatorListItem.objects.filter(creator__handle=handles[1]).exists()
