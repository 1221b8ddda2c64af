import os
import re
from pathlib import Path

import pytest
from django.db import connections

from accounts.models import SubscriptionStatus
from tests.scraping.conftest import sandbox, sandbox_server  # noqa: F401  (fixtures)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture
def browser(live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
    # it are still plain synchronous code. The browser starts per test, after the database is set
    # up: Django keeps serialized-rollback data on a per-context connection object that the event
    # loop's context would not see.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # The test's own queries ran on connections of the event loop's context; close them here,
        # inside that context, or the test database could not be dropped at the end.
        connections.close_all()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(page):
    """Sign ``user`` in through the login form, as a person would."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    def sign_in(user) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main").get_by_role("button", name=re.compile("Log in", re.I)).click()
        expect(page).not_to_have_url(re.compile("/accounts/login/"))

    return sign_in


@pytest.fixture
def customer(make_subscriber, settings, sandbox):  # noqa: F811
    """A paying Viral Surge customer, with searches on the sandbox provider.

    30 requests a second: a search takes a few seconds, so its page polls it (every second) while
    it runs, as a customer's would.
    """
    settings.RUNTIME_CONFIG_OVERRIDES = {**settings.RUNTIME_CONFIG_OVERRIDES, "ui.progress_poll_interval": "1s",
                                         "provider.requests_per_second": 30}
    user = make_subscriber("viral_surge")
    user.subscription.subscription_status = SubscriptionStatus.ACTIVE
    user.subscription.save()
    return user
