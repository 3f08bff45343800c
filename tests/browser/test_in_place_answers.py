"""What a person meets when a form answers in place (htmx), issue 12: where the focus goes, which
message stands, and that a keyboard alone gets a token added after a wrong code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import read_code, sign_in_as

FREE = "60200105"
PRE_ASSIGNED = "60200101"

pytestmark = pytest.mark.django_db(transaction=True)


def focused(page: Page) -> str:
    """What has the focus, as "tag#id.class: text"."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return `${e.tagName.toLowerCase()}#${e.id}.${e.className}: ${(e.innerText || e.value || '').trim()}`; }"
        )
    )


def tab_to(page: Page, pattern: str, *, limit: int = 40) -> None:
    """Press Tab until the focused element matches `pattern` (as `focused` describes it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if re.search(pattern, focused(page)):
            return
    raise AssertionError(f"Tab never reached {pattern!r}; last: {focused(page)}")


def test_keyboard_only_adds_a_token_after_a_wrong_code(portal: str, context: BrowserContext, page: Page) -> None:
    sign_in_as(page, portal, "Adele Vance")
    tab_to(page, r"^a#.*: Add a token$")
    page.keyboard.press("Enter")
    page.wait_for_url(portal + "/tokens/add")
    tab_to(page, r"^input#id_serial_number")
    page.keyboard.type(FREE)
    tab_to(page, r"^input#id_code")
    real = read_code(context, portal, FREE)
    page.keyboard.type("000000" if real != "000000" else "111111")
    page.keyboard.press("Enter")

    # The error summary takes the focus, names the field, and its link leads to it.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name=re.compile("That code was not accepted"))).to_be_visible()
    page.keyboard.press("Tab")
    assert re.search(r"^a#.*That code was not accepted", focused(page)), focused(page)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Code shown on the token")).to_be_focused()
    page.keyboard.type(read_code(context, portal, FREE))
    page.keyboard.press("Enter")
    page.wait_for_url(portal + "/tokens/")
    expect(page.get_by_text(f"Token {FREE} is now active on your account.")).to_be_visible()


def test_removing_in_place_replaces_the_old_message_and_asks_once(
    portal: str, context: BrowserContext, page: Page
) -> None:
    sign_in_as(page, portal, "Adele Vance")
    page.get_by_role("link", name="Add a token").click()
    page.get_by_label("Serial number").fill(FREE)
    page.get_by_label("Code shown on the token").fill(read_code(context, portal, FREE))
    page.get_by_role("button", name="Add token").click()
    page.wait_for_url(portal + "/tokens/")
    added = page.get_by_text(f"Token {FREE} is now active on your account.")
    expect(added).to_be_visible()

    # Clicking Remove twice shows one confirmation, not two.
    remove = page.locator(".token").filter(has_text=FREE).get_by_role("link", name=re.compile("Remove"))
    remove.click()
    expect(page.get_by_role("button", name="Remove token")).to_have_count(1)
    remove.click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("button", name="Remove token")).to_have_count(1)
    page.get_by_role("button", name="Remove token").click()

    # One message stands: the new one, and it has the focus (the button the person pressed is gone).
    removed = page.locator("#messages")
    expect(removed).to_have_text("The token was removed from your account.")
    expect(added).to_have_count(0)
    expect(removed).to_be_focused()


def test_an_administrators_wrong_code_moves_the_focus_to_the_summary(portal: str, page: Page) -> None:
    sign_in_as(page, portal, "Isaiah Langer", start="/admin/users/?q=adele")
    page.get_by_role("link", name="Adele Vance").click()
    page.locator(".token").filter(has_text=PRE_ASSIGNED).get_by_role("link", name=re.compile("^Activate")).click()
    page.get_by_label("Code shown on the token").fill("000000")
    page.get_by_role("button", name=re.compile("Activate")).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")


def test_every_page_has_an_icon(portal: str, page: Page) -> None:
    response = page.goto(portal + "/favicon.ico")
    assert response is not None and response.ok
    assert response.headers["content-type"].startswith("image/svg+xml")
