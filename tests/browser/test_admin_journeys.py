"""Administrators' journeys in a real browser (issue 4), checked with axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PageChecker, read_code, sign_in_as

FREE = "60200104"
FREE_2 = "60200105"

pytestmark = pytest.mark.django_db(transaction=True)


def test_authentication_administrator_manages_a_users_tokens(
    portal: str, context: BrowserContext, page: Page, check_page: PageChecker
) -> None:
    sign_in_as(page, portal, "Isaiah Langer", start="/admin/")
    expect(page.get_by_role("heading", name="Hardware token administration")).to_be_visible()
    check_page(page, "admin-01-home")

    # Find the user.
    page.get_by_label("Name, user principal name or email").fill("megan")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Megan Bowen")).to_be_visible()
    check_page(page, "admin-02-search")
    page.get_by_role("link", name="Megan Bowen").click()
    expect(page.get_by_role("heading", name="Megan Bowen")).to_be_visible()
    expect(page.get_by_text("Megan Bowen has no hardware tokens.")).to_be_visible()
    check_page(page, "admin-03-user")

    # Assign a token without activating it: its serial typed in full (the type-ahead's own journey
    # is tests/browser/test_search_and_give.py).
    page.get_by_role("link", name="Give a token").click()
    check_page(page, "admin-04-give-token")
    give = page.locator("#give-form")
    give.get_by_label("Serial number").fill(FREE)
    give.get_by_role("button", name="Give the token").click()
    expect(page.get_by_text(f"Token {FREE} is assigned to Megan Bowen.")).to_be_visible()
    expect(page.locator(".token").filter(has_text=FREE)).to_contain_text("Not activated yet")

    # Assign and activate another one, with the code read from the token in hand.
    page.get_by_role("link", name="Give a token").click()
    give = page.locator("#give-form")
    give.get_by_label("Serial number").fill(FREE_2)
    give.get_by_label("Code the token shows (optional)").fill("000000")
    give.get_by_role("button", name="Give the token").click()
    expect(give.get_by_role("alert")).to_contain_text("did not accept that code")
    check_page(page, "admin-05-wrong-code")
    give = page.locator("#give-form")
    give.get_by_label("Code the token shows (optional)").fill(read_code(context, portal, FREE_2))
    give.get_by_role("button", name="Give the token").click()
    expect(page.get_by_text(f"Token {FREE_2} is assigned to and activated for Megan Bowen.")).to_be_visible()
    expect(page.locator(".token").filter(has_text=FREE_2)).to_contain_text("Active")
    check_page(page, "admin-06-user-with-tokens")

    # Unassign the first one, after confirming in place.
    page.locator(".token").filter(has_text=FREE).get_by_role("link", name=re.compile("Unassign")).click()
    expect(page.get_by_text(f"Take token {FREE} away from Megan Bowen?")).to_be_visible()
    check_page(page, "admin-07-unassign-confirm")
    page.get_by_role("button", name="Unassign token").click()
    expect(page.get_by_text(f"Token {FREE} was taken away from Megan Bowen")).to_be_visible()
    expect(page.locator(".token").filter(has_text=FREE)).to_have_count(0)

    # The trail shows what happened.
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_role("cell", name="Unassigned token from user")).to_have_count(1)
    check_page(page, "admin-08-audit")


def test_policy_administrator_creates_edits_and_deletes_a_token(
    portal: str, page: Page, check_page: PageChecker
) -> None:
    sign_in_as(page, portal, "Nestor Wilke", start="/admin/inventory/")
    expect(page.get_by_role("heading", name="Token inventory")).to_be_visible()
    check_page(page, "admin-10-inventory")

    page.get_by_role("link", name="Add a token").click()
    page.get_by_label("Serial number").fill("NEW 0042")
    page.get_by_label("Manufacturer").fill("Token2")
    page.get_by_label("Model").fill("C202")
    page.get_by_label("Hexadecimal (0-9, A-F)").check()
    page.get_by_label("Secret (seed)").fill("3132333435363738393031323334353637383930")
    page.get_by_label("60 seconds").check()
    check_page(page, "admin-11-create")
    page.get_by_role("button", name="Add token").click()
    expect(page.get_by_text("Token NEW0042 was added to the inventory.")).to_be_visible()
    expect(page.get_by_text("new every 60 seconds")).to_be_visible()
    check_page(page, "admin-12-token")

    page.get_by_role("link", name=re.compile("^Edit")).click()
    page.get_by_label("Model").fill("C202 rev B")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Token NEW0042 was updated.")).to_be_visible()
    expect(page.get_by_text("Token2 C202 rev B")).to_be_visible()

    page.get_by_role("link", name=re.compile("^Delete")).click()
    expect(page.get_by_text("Delete token NEW0042")).to_be_visible()
    check_page(page, "admin-13-delete-confirm")
    page.get_by_role("button", name="Delete token").click()
    expect(page.get_by_text("Token NEW0042 was deleted from the inventory.")).to_be_visible()


def test_employee_is_refused_the_admin_area(portal: str, page: Page, check_page: PageChecker) -> None:
    sign_in_as(page, portal, "Adele Vance", start="/admin/")
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    expect(page.get_by_text("Authentication Administrator", exact=True)).to_be_visible()
    check_page(page, "admin-14-employee-refused")


def test_the_admin_menu_opens_by_keyboard_on_a_phone(portal: str, page: Page, check_page: PageChecker) -> None:
    sign_in_as(page, portal, "Isaiah Langer", start="/admin/")
    page.set_viewport_size({"width": 390, "height": 844})
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_be_hidden()  # folded away behind one button on a phone
    menu = page.get_by_text("Menu", exact=True)
    menu.focus()
    page.keyboard.press("Enter")
    for name in ("Overview", "Users", "Inventory", "Reports", "Imports", "Audit trail", "Back to my tokens"):
        link = navigation.get_by_role("link", name=name)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check_page(page, "admin-15-phone-menu-open")
    page.keyboard.press("Tab")  # the first link of the opened menu takes the focus next
    assert page.evaluate("document.activeElement.textContent.trim()") == "Overview"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hardware token administration")).to_be_visible()
