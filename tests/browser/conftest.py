"""Browser tests: Playwright driving Debian's Chromium against a live portal on the sandbox tenant.

Run them alone with `pytest -m browser`. Screenshots of every checked page land in
test-artifacts/screenshots/ so a person can look at what the tests saw.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import LazySettings
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from portal.identity import discovery, msal_client
from portal.sandbox.seed import seed_demo_tenant
from tests.support.sandbox import sandbox

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are plain
# synchronous code all the same (the live server answers in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            # Not grouped on one xdist worker: the browser tests are the longest part of the suite,
            # and each worker has its own live server, test database and Chromium anyway.
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make chromium` (apt-get install chromium)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def portal(live_server: Any, settings: LazySettings, transactional_db: None) -> str:
    """The live portal's base URL, with the sandbox's app registration pointing at it."""
    base = str(live_server.url)
    settings.PORTAL_BASE_URL = base
    sandbox(
        settings,
        REDIRECT_URIS=[base + "/auth/callback"],
        POST_LOGOUT_REDIRECT_URIS=[base + "/", base + "/auth/signed-out"],
        BROWSER_BASE_URL=base + "/sandbox",
    )
    msal_client.reset_http_state()
    discovery.reset()
    seed_demo_tenant(reset=True)
    return base


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


#: What a screenshot must never show (the brief: no code, secret or pass in a test snapshot): the
#: Temporary Access Pass shown once, and the codes the sandbox's virtual tokens display.
SECRETS_ON_PAGE = ".pass-value code, .sbx-code"


def screenshot(page: Page, path: Path) -> None:
    """A full-page screenshot with every secret on the page masked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, mask=[page.locator(SECRETS_ON_PAGE)])


class PageChecker:
    """Looks at a page the way the test suite promises: axe finds nothing serious, and a screenshot is kept."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.checked: list[str] = []

    def __call__(self, page: Page, name: str, *, javascript: bool = True) -> None:
        screenshot(page, SHOTS / f"{name}.png")
        if not javascript:  # axe is JavaScript: a page in a no-JS context gets its screenshot only
            self.checked.append(name)
            return
        results = self.axe.run(page)
        serious = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
        assert not serious, f"{name}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in serious
        )
        self.checked.append(name)


@pytest.fixture
def check_page() -> PageChecker:
    return PageChecker()


def sign_in_as(page: Page, portal: str, display_name: str, *, start: str = "/") -> None:
    """From the portal's landing page through the sandbox sign-in page, as a person would."""
    page.goto(portal + start)
    if start == "/":
        page.get_by_role("link", name="Sign in with your work account").click()
    page.get_by_role("button", name=f"Sign in as {display_name}").click()
    page.wait_for_url(re.compile(re.escape(portal) + r"/(tokens|admin).*"))


def read_code(context: BrowserContext, portal: str, serial: str) -> str:
    """Look at the token in your hand: the sandbox's virtual tokens page, in another tab."""
    tab = context.new_page()
    tab.goto(f"{portal}/sandbox/tokens/?serial={serial}")
    row = tab.get_by_role("row").filter(has_text=serial).first
    code = row.locator(".sbx-code").inner_text().replace(" ", "")
    tab.close()
    assert re.fullmatch(r"\d{6}", code), code
    return code


def snapshot_refresh(page: Page, portal: str) -> None:
    """Press "Refresh now", let the worker build the snapshot, look at the overview again."""
    page.goto(portal + "/admin/")
    page.get_by_role("button", name="Refresh now").click()
    expect(page.get_by_text("The snapshot is being refreshed")).to_be_visible()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, interval=0)
    page.goto(portal + "/admin/")
    expect(page.get_by_text(re.compile(r"^As of "))).to_be_visible()


def fits_390(page: Page, check_page: PageChecker, name: str) -> None:
    """The page at 390 px: nothing wider than the screen, axe still clean; then back to 1280."""
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, f"{name}-390")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390, f"{name}: {overflow}px wide at 390px"
    page.set_viewport_size({"width": 1280, "height": 900})
