"""Real-browser tests: Playwright driving the machine's Chromium against a live server.

Every test that opens a page should call ``assert_accessible(page)`` (axe-core: no
serious or critical violations)."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD

# Playwright's sync API keeps an event loop in this thread; Django's ORM calls made by
# the test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, settings, pinned_clock):
    # The browser is where the caseworker is: in the agency's time zone, on the test's clock.
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                   timezone_id=settings.TIME_ZONE)
    context.set_default_timeout(15000)
    if pinned_clock:
        context.clock.set_system_time(timezone.now())
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    def sign_in_as(user):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return sign_in_as


_axe = Axe()


def assert_accessible(page):
    """No serious or critical axe-core violations on the current page."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                              for v in bad)
