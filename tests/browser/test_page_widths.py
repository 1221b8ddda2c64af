"""Every main page a customer sees fits the window at desktop and phone sizes: nothing scrolls sideways
but the tables that are meant to (inside their own box), and the header keeps the account link."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from campaigns.lists.models import Bucket, CreatorList, CreatorListItem, ListCollaborator
from campaigns.models import Campaign
from scraping.models import CreatorProfile, JobCreator, JobStatus, ScrapingJob
from tests.factories import PASSWORD, OnboardedUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# The elements wider than the window, to say what overflows when the page does.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > width + 0.5)
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).join(".") : ""));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 8)};
}"""


def workspace(user) -> dict[str, str]:
    """A customer's campaign with searches, a list with notes and people invited: the paths to visit."""
    campaign = Campaign.objects.create(
        user=user, name="Spring launch for the sensitive-skin serum range",
        description="Creators who review clean skincare honestly; US and Canada first, then the UK.")
    creators = [
        CreatorProfile.objects.create(
            platform=platform, external_id=f"width-{n}", handle=f"averyveryverylonghandle.for.creator{n}",
            display_name=f"Creator with a rather long display name {n}", followers=12_345 * (n + 1),
            engagement_rate=Decimal("4.35"), bio="Dermatologist-approved skincare routines 🌿 " * 4,
            emails=[{"address": f"partnerships.and.collaborations{n}@averylongagencydomain.com", "source": "bio"}],
            has_email=True, profile_url=f"https://www.tiktok.com/@creator{n}")
        for n, platform in enumerate(["tiktok", "instagram", "youtube"] * 3)
    ]
    job = ScrapingJob.objects.create(user=user, campaign=campaign, platform="tiktok", search_type="keyword",
                                     keywords=["clean skincare", "sensitive skin"], target_results=100,
                                     status=JobStatus.COMPLETED, found_count=len(creators))
    JobCreator.objects.bulk_create(
        JobCreator(job=job, creator=creator, keyword="clean skincare", rank=rank, post_caption="My routine " * 20,
                   post_hashtags=["skincare", "sensitiveskin", "cleanbeauty"])
        for rank, creator in enumerate(creators, start=1))
    creator_list = CreatorList.objects.create(owner=user, name="Serum launch shortlist with a long name",
                                              tags=["skincare", "q2-launch", "us-and-canada"])
    for position, (creator, bucket) in enumerate(zip(creators, [*Bucket.values] * 3, strict=False)):
        CreatorListItem.objects.create(creator_list=creator_list, creator=creator, bucket=bucket, position=position,
                                       notes="Asked for rates and a media kit; follow up next week." * 2,
                                       pinned=position == 0, added_by=user)
    ListCollaborator.objects.create(creator_list=creator_list, email="someone.with.a.long.address@agencyname.com",
                                    role="viewer", invited_by=user)
    return {
        "dashboard": "/dashboard/",
        "campaigns": "/campaigns/",
        "campaign": f"/campaigns/{campaign.pk}/",
        "wizard": f"/campaigns/{campaign.pk}/searches/new/",
        "lists": "/lists/",
        "list table": f"/lists/{creator_list.pk}/table/",
        "list board": f"/lists/{creator_list.pk}/",
        "list sharing": f"/lists/{creator_list.pk}/share/",
        "billing": "/billing/",
        "plans": "/billing/plans/",
        "settings": "/settings/",
    }


def subscribe_through_demo_checkout(page) -> None:
    page.goto("/billing/plans/")
    page.get_by_label("Viral Surge plan").get_by_role("button", name=re.compile("Start 7-day trial")).click()
    page.get_by_role("button", name="Start trial").click()
    expect(page.get_by_role("heading", name="You're all set")).to_be_visible()


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def assert_fits(page, name: str, size: str, take_screenshot) -> None:
    page.wait_for_load_state("networkidle")
    take_screenshot(f"width-{size}-{name.replace(' ', '-')}")
    measured = page.evaluate(OVERFLOW)
    assert measured["scrollWidth"] <= measured["innerWidth"], f"{name} at {size}: {measured}"


@pytest.fixture
def shoot():
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_main_page_fits_the_window(browser, live_server, shoot, size):
    viewport = DESKTOP if size == "desktop" else PHONE
    user = OnboardedUserFactory(email="dana@glowbotanics.com", onboarding_step="completed")
    pages = workspace(user)

    visitor = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = visitor.new_page()
    page.set_default_timeout(10_000)
    for name, path in {"landing": "/", "login": "/accounts/login/", "sign-up": "/accounts/signup/",
                       "password reset": "/accounts/password/reset/"}.items():
        page.goto(path)
        assert_fits(page, name, size, lambda label: shoot(page, label))
    # A sign-up with mistakes shows its errors inside the card too.
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "not-an-email")
    page.fill("input[name=password1]", "short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    assert_fits(page, "sign-up errors", size, lambda label: shoot(page, label))
    visitor.close()

    customer = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = customer.new_page()
    page.set_default_timeout(10_000)
    log_in(page, user.email)
    subscribe_through_demo_checkout(page)
    for name, path in pages.items():
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        assert_fits(page, name, size, lambda label: shoot(page, label))
    customer.close()


def test_phone_header_fits_one_row_and_its_menu_holds_the_account_link(browser, live_server, shoot):
    user = OnboardedUserFactory(email="dana@glowbotanics.com", onboarding_step="completed")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, user.email)

    page.goto("/billing/plans/")
    header = page.locator("header.topbar")
    assert header.bounding_box()["height"] <= 64  # one row, not the links wrapped under the logo
    account = page.get_by_role("link", name=user.email)
    expect(account).to_be_hidden()

    menu = page.get_by_role("button", name="Menu")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(account).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing")).to_have_class("active")
    shoot(page, "width-phone-menu-open")
    page.keyboard.press("Escape")
    expect(account).to_be_hidden()

    menu.click()
    account.click()
    expect(page).to_have_url(re.compile("/settings/$"))
    context.close()


def test_desktop_header_shows_the_links_and_no_menu_button(browser, live_server):
    user = OnboardedUserFactory(email="dana@glowbotanics.com", onboarding_step="completed")
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    page = context.new_page()
    log_in(page, user.email)

    page.goto("/billing/plans/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name=user.email)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing")).to_have_class("active")
    context.close()
