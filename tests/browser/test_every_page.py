"""Every page, as each kind of person meets it, at a phone's width and a desk's (issue 12).

At 390 px no page may scroll sideways (the document is measured), and axe reports no violation of
any impact. Screenshots of both widths land in test-artifacts/screenshots/every-page/.

Each walk runs in English and in German (issue 16). German is long: the German walk reads the
pseudo-translation (tests/support/pseudo.py), where every string is ~40 % longer than its English,
so the test does not wait for the translators; the browser asks for German as a German one does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.sandbox.seed import MEGAN
from tests.browser.conftest import SHOTS, screenshot, sign_in_as
from tests.support import pseudo

pytestmark = pytest.mark.django_db(transaction=True)

#: The browser's language: English, and German as the pseudo-translation.
LANGUAGES = ["en-GB", "de-DE"]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


class Walker:
    """Opens a page at both widths, measures it at 390 px and runs axe (every impact) on it."""

    def __init__(self, page: Page, language: str = "en") -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.language = language
        self.axe = Axe()
        self.seen: list[str] = []
        self.problems: list[str] = []
        (SHOTS / "every-page").mkdir(parents=True, exist_ok=True)

    def check(self, name: str) -> None:
        page = self.page
        name = f"{self.language}-{name}"
        page.set_viewport_size(PHONE)
        page.wait_for_load_state()
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        screenshot(page, SHOTS / "every-page" / f"{name}-390.png")
        if width > PHONE["width"]:
            self.problems.append(f"{name} is {width} px wide on a {PHONE['width']} px screen")
        self._axe(f"{name} at 390 px")
        page.set_viewport_size(DESK)
        screenshot(page, SHOTS / "every-page" / f"{name}-1280.png")
        self._axe(f"{name} at 1280 px")
        self.seen.append(name)

    def _axe(self, where: str) -> None:
        for v in self.axe.run(self.page).response["violations"]:
            targets = [n["target"] for n in v["nodes"]][:3]
            self.problems.append(f"{where}: {v['id']} ({v['impact']}): {v['help']} — {targets}")

    def done(self) -> None:
        self.page.context.close()
        assert not self.problems, "\n".join(self.problems)

    def visit(self, url: str, name: str) -> None:
        self.page.goto(url)
        self.check(name)


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> str:
    if request.param.startswith(pseudo.LANGUAGE):
        settings.LOCALE_PATHS = [pseudo.build(tmp_path)]
    return str(request.param)


def _walker(browser: Browser, language: str) -> Walker:
    context = browser.new_context(viewport=DESK, locale=language)
    context.set_default_timeout(15_000)
    return Walker(context.new_page(), language)


def test_employee_and_sandbox_pages_fit_a_phone(portal: str, browser: Browser, language: str) -> None:
    walk = _walker(browser, language)
    page = walk.page
    walk.visit(portal + "/", "landing")
    page.get_by_role("link", name="Sign in with your work account").click()
    walk.check("sandbox-sign-in")
    page.get_by_role("button", name="Sign in as Adele Vance").click()
    expect(page.get_by_role("heading", name="My hardware tokens")).to_be_visible()
    walk.check("my-tokens")
    walk.visit(portal + "/tokens/add", "add")
    tokens = portal + "/tokens/"
    page.goto(tokens)
    activate = page.locator(".token").filter(has_text="60200101").get_by_role("link", name="Activate")
    activate_url = portal + str(activate.get_attribute("href"))
    walk.visit(activate_url, "activate")
    page.goto(tokens)
    remove = page.locator(".token").filter(has_text="60200101").get_by_role("link", name=re.compile("Remove"))
    walk.visit(portal + str(remove.get_attribute("href")), "remove")
    walk.visit(portal + "/no-such-page", "error-404")
    walk.visit(portal + "/admin/", "error-403-employee")
    walk.visit(portal + "/sandbox/", "sandbox-index")
    walk.visit(portal + "/sandbox/tokens/", "sandbox-tokens")
    walk.visit(portal + "/sandbox/users/", "sandbox-users")
    page.goto(tokens)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    walk.check("signed-out")
    walk.done()


def test_admin_pages_fit_a_phone(portal: str, browser: Browser, language: str) -> None:
    walk = _walker(browser, language)
    page = walk.page
    sign_in_as(page, portal, "Miriam Graham", start="/admin/")
    walk.check("admin-home")
    walk.visit(portal + "/admin/users/?q=a", "admin-search")
    user = f"{portal}/admin/users/{MEGAN}/"
    walk.visit(user, "admin-user-empty")
    walk.visit(user + "assign", "admin-give-token")
    walk.visit(portal + "/admin/users/?q=adele", "admin-search-adele")
    page.get_by_role("link", name="Adele Vance").click()
    expect(page.get_by_role("heading", name="Adele Vance")).to_be_visible()
    walk.check("admin-user")
    card = page.locator(".token").filter(has_text="60200101")
    activate = card.get_by_role("link", name=re.compile("^⟦?Activate")).get_attribute("href")
    walk.visit(portal + str(activate), "admin-activate")
    page.go_back()
    card = page.locator(".token").filter(has_text="60200101")
    unassign = card.get_by_role("link", name=re.compile("^⟦?Unassign")).get_attribute("href")
    walk.visit(portal + str(unassign), "admin-unassign")
    walk.visit(portal + "/admin/inventory/", "admin-inventory")
    page.get_by_role("link", name="60200104").first.click()
    walk.check("admin-device")
    device = page.url
    walk.visit(device + "edit", "admin-device-edit")
    walk.visit(device + "delete", "admin-device-delete")
    walk.visit(portal + "/admin/inventory/new", "admin-inventory-new")
    walk.visit(portal + "/admin/imports/", "admin-imports")
    walk.visit(portal + "/admin/imports/new", "admin-import-new")
    walk.visit(portal + "/admin/imports/assignments/new", "admin-import-assignments")
    walk.visit(portal + "/admin/audit/", "admin-audit")
    walk.done()


def test_global_reader_pages_fit_a_phone(portal: str, browser: Browser, language: str) -> None:
    walk = _walker(browser, language)
    page = walk.page
    sign_in_as(page, portal, "Grady Archie", start="/admin/")
    walk.check("reader-home")
    walk.visit(portal + "/admin/inventory/new", "reader-403")
    # Refused one page, the Global Reader keeps the admin area's navigation.
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail")).to_be_attached()
    walk.done()
