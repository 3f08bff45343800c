"""An employee's whole journey in a real browser: sign in, add a token, fail a code, remove it, sign out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PageChecker, read_code, sign_in_as

FREE_SERIAL = "60200105"
OTHER_FREE = "60200106"

pytestmark = pytest.mark.django_db(transaction=True)


def test_employee_adds_and_removes_a_token(
    portal: str, context: BrowserContext, page: Page, check_page: PageChecker
) -> None:
    page.goto(portal + "/")
    check_page(page, "01-landing")
    page.get_by_role("link", name="Sign in with your work account").click()
    expect(page.get_by_role("heading", name="Sign in to the sandbox tenant")).to_be_visible()
    check_page(page, "02-sandbox-sign-in")
    page.get_by_role("button", name="Sign in as Adele Vance").click()

    expect(page.get_by_role("heading", name="My hardware tokens")).to_be_visible()
    expect(page.get_by_text("Not activated yet").first).to_be_visible()
    check_page(page, "03-my-tokens")

    # Add a token with the code it shows.
    page.get_by_role("link", name="Add a token").click()
    check_page(page, "04-add-form")
    page.get_by_label("Serial number").fill(FREE_SERIAL)
    page.get_by_label("Name for this token (optional)").fill("Blue keyring")
    page.get_by_label("Code shown on the token").fill(read_code(context, portal, FREE_SERIAL))
    page.get_by_role("button", name="Add token").click()
    page.wait_for_url(portal + "/tokens/")
    card = page.locator(".token").filter(has_text=FREE_SERIAL)
    expect(card).to_contain_text("Blue keyring")
    expect(card).to_contain_text("Active")
    expect(page.get_by_text(f"Token {FREE_SERIAL} is now active on your account.")).to_be_visible()
    check_page(page, "05-token-active")

    # A wrong code is explained in place, and what was typed stays.
    page.get_by_role("link", name="Add a token").click()
    page.get_by_label("Serial number").fill(OTHER_FREE)
    real = read_code(context, portal, OTHER_FREE)
    page.get_by_label("Code shown on the token").fill("000000" if real != "000000" else "111111")
    page.get_by_role("button", name="Add token").click()
    expect(page.get_by_role("alert")).to_contain_text("That code was not accepted")
    expect(page.get_by_label("Serial number")).to_have_value(OTHER_FREE)
    expect(page.get_by_label("Code shown on the token")).to_have_value("")
    assert page.url == portal + "/tokens/add"  # answered in place by htmx
    check_page(page, "06-wrong-code")

    # Remove the token after confirming.
    page.get_by_role("link", name="Cancel").click()
    page.locator(".token").filter(has_text=FREE_SERIAL).get_by_role("link", name=re.compile("Remove")).click()
    expect(page.get_by_text(f"Remove token {FREE_SERIAL} from your account?")).to_be_visible()
    check_page(page, "07-remove-confirm")
    page.get_by_role("button", name="Remove token").click()
    expect(page.get_by_text("The token was removed from your account.")).to_be_visible()
    expect(page.locator(".token").filter(has_text=FREE_SERIAL)).to_have_count(0)

    # Sign out through Entra's end-session page and back.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    check_page(page, "08-signed-out")
    page.goto(portal + "/tokens/")
    expect(page.get_by_role("heading", name="Sign in to the sandbox tenant")).to_be_visible()


def test_other_pages_are_accessible(portal: str, page: Page, check_page: PageChecker) -> None:
    sign_in_as(page, portal, "Adele Vance")
    page.locator(".token").filter(has_text="2100040001").get_by_role("link", name="Activate").click()
    expect(page.get_by_role("heading", name="Activate your token")).to_be_visible()
    check_page(page, "12-activate")
    page.goto(portal + "/sandbox/tokens/")
    expect(page.get_by_role("heading", name="Virtual tokens")).to_be_visible()
    check_page(page, "09-virtual-tokens")
    page.goto(portal + "/sandbox/")
    check_page(page, "10-sandbox-index")


def test_activate_pre_assigned_token_without_javascript(portal: str, browser, check_page: PageChecker) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_as(page, portal, "Adele Vance")
        page.locator(".token").filter(has_text="60200101").get_by_role("link", name="Activate").click()
        check_page(page, "11-activate-no-js", javascript=False)
        page.get_by_label("Code shown on the token").fill(read_code(context, portal, "60200101"))
        page.get_by_role("button", name="Activate").click()
        expect(page.get_by_text("Token 60200101 is activated")).to_be_visible()
        expect(page.locator(".token").filter(has_text="60200101")).to_contain_text("Active")
    finally:
        context.close()
