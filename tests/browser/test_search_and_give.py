"""Issue 12, points 5 and 6 in a real browser: search results as cards that say each person's tokens
and who needs a Privileged Authentication Administrator, and "Give a token" chosen by keyboard from
the stock type-ahead; both at 1280 and 390 px, with axe; and an exact serial without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal.sandbox import seed
from tests.browser.conftest import PageChecker, fits_390, read_code, sign_in_as, snapshot_refresh

FREE = "60200104"
SAFE_ID_SPARE = "SI-01000104"

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_results_say_tokens_and_reach(portal: str, page: Page, check_page: PageChecker) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, portal, "Isaiah Langer", start="/admin/")
    snapshot_refresh(page, portal)
    page.goto(portal + "/admin/users/")
    page.get_by_label("Name, user principal name or email").fill("p")
    page.get_by_role("button", name="Search").click()
    patti = page.locator(".person").filter(has=page.get_by_role("link", name="Patti Fernandez"))
    expect(patti.locator("dt:text-is('Hardware tokens') + dd")).to_have_text("1")
    expect(patti.locator("dt:text-is('Active tokens') + dd")).to_have_text("1")
    expect(patti).to_contain_text("Holds an admin role.")
    expect(patti).to_contain_text("Needs a Privileged Authentication Administrator")
    expect(page.get_by_text(re.compile(r"^Token counts are from the inventory of "))).to_be_visible()
    check_page(page, "search-01-cards")
    fits_390(page, check_page, "search-01-cards")


def test_give_a_token_by_keyboard_from_the_type_ahead(
    portal: str, context: BrowserContext, page: Page, check_page: PageChecker
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, portal, "Isaiah Langer", start="/admin/")
    snapshot_refresh(page, portal)
    page.goto(f"{portal}/admin/users/{seed.MEGAN}/assign")
    serial = page.get_by_role("combobox", name="Serial number")
    options = page.get_by_role("listbox", name="Matching tokens in stock")
    expect(options).to_be_hidden()

    # Type, go down to a suggestion with the arrow key, take it with Enter.
    serial.focus()
    page.keyboard.type("6020", delay=40)
    expect(options.get_by_role("option").first).to_contain_text(FREE)
    expect(serial).to_have_attribute("aria-expanded", "true")
    check_page(page, "give-01-suggestions")
    fits_390(page, check_page, "give-01-suggestions")
    page.keyboard.press("ArrowDown")
    expect(options.get_by_role("option", selected=True)).to_contain_text(FREE)
    page.keyboard.press("Enter")
    expect(serial).to_have_value(FREE)
    expect(options).to_be_hidden()
    expect(serial).to_be_focused()
    page.keyboard.press("Enter")  # the list is closed: Enter sends the form
    expect(page.get_by_text(f"Token {FREE} is assigned to Megan Bowen.")).to_be_visible()

    # Again, for one activated at once: Tab takes the marked suggestion and moves on to the code.
    page.goto(f"{portal}/admin/users/{seed.MEGAN}/assign")
    serial.focus()
    page.keyboard.type("si-0100", delay=40)
    expect(options.get_by_role("option").first).to_contain_text("SI-01000103")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(options.get_by_role("option", selected=True)).to_contain_text(SAFE_ID_SPARE)
    page.keyboard.press("Escape")  # closes the list, keeps what was typed
    expect(options).to_be_hidden()
    expect(serial).to_have_value("si-0100")
    page.keyboard.press("ArrowDown")  # opens it again, on the first suggestion
    page.keyboard.press("ArrowDown")
    expect(options.get_by_role("option", selected=True)).to_contain_text(SAFE_ID_SPARE)
    page.keyboard.press("Tab")
    expect(serial).to_have_value(SAFE_ID_SPARE)
    code = page.get_by_label("Code the token shows (optional)")
    expect(code).to_be_focused()
    page.keyboard.type(read_code(context, portal, SAFE_ID_SPARE))
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Token {SAFE_ID_SPARE} is assigned to and activated for Megan Bowen.")).to_be_visible()
    check_page(page, "give-02-given")


def test_give_a_token_without_javascript(portal: str, browser: Browser, check_page: PageChecker) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        sign_in_as(page, portal, "Isaiah Langer", start=f"/admin/users/{seed.MEGAN}/assign")
        serial = page.get_by_label("Serial number")
        expect(serial).to_have_attribute("type", "text")
        serial.fill("6020 9999")
        page.get_by_role("button", name="Give the token").click()
        expect(page.get_by_text("There is no token with serial number 60209999")).to_be_visible()
        check_page(page, "give-03-unknown-no-js", javascript=False)
        page.get_by_label("Serial number").fill(f"{FREE[:4]} {FREE[4:]}")
        page.get_by_role("button", name="Give the token").click()
        expect(page.get_by_text(f"Token {FREE} is assigned to Megan Bowen.")).to_be_visible()
    finally:
        context.close()
