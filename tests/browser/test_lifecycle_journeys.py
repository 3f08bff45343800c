"""Lost and replaced tokens in a real browser (issue 14): an employee reports a lost token; the
helpdesk replaces one with a Temporary Access Pass and a new token, and the employee signs in with
the pass and activates the new token. Every new page: axe, 1280 and 390 px, keyboard, no JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import PageChecker, fits_390, read_code, sign_in_as, snapshot_refresh

KEYRING = "SI-01000101"  # Alex's active token
FREE = "60200104"

pytestmark = pytest.mark.django_db(transaction=True)


def test_employee_reports_a_lost_token_by_keyboard(portal: str, page: Page, check_page: PageChecker) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, portal, "Alex Wilber")
    card = page.locator(".token").filter(has_text=KEYRING)
    card.get_by_role("link", name=re.compile("Lost or broken")).focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Lost, broken or stolen token")).to_be_visible()
    check_page(page, "life-01-report-form")
    fits_390(page, check_page, "life-01-report-form")
    # Keyboard only: the radio group, the note, the button.
    page.get_by_label("Lost", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Anything the helpdesk should know (optional)")).to_be_focused()
    page.keyboard.type("Left it on the train")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove the token from my account")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Token removed from your account")).to_be_visible()
    # The page's own status line (beside the layout's message area, empty here).
    expect(page.get_by_role("status").filter(has_text=f"Token {KEYRING} is no longer on your account")).to_be_visible()
    expect(page.get_by_text("Temporary Access Pass").first).to_be_visible()
    check_page(page, "life-02-reported")
    fits_390(page, check_page, "life-02-reported")
    page.get_by_role("link", name="Back to My tokens").click()
    expect(page.locator(".token").filter(has_text=KEYRING)).to_have_count(0)


def test_helpdesk_replaces_a_token_and_the_employee_signs_in_with_the_pass(
    portal: str, browser: Browser, context: BrowserContext, page: Page, check_page: PageChecker
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, portal, "Isaiah Langer", start="/admin/")
    snapshot_refresh(page, portal)  # the stock the type-ahead offers
    page.get_by_label("Name, user principal name or email").fill("alex")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Alex Wilber").click()
    page.locator(".token").filter(has_text=KEYRING).get_by_role("link", name=re.compile("Replace")).click()

    expect(page.get_by_role("heading", name="Replace a lost, broken or stolen token")).to_be_visible()
    check_page(page, "life-03-replace-form")
    fits_390(page, check_page, "life-03-replace-form")
    page.get_by_label("Stolen").check()
    page.get_by_label("Note for the record (optional)").fill("Bag stolen")
    page.get_by_label("Issue a Temporary Access Pass").check()
    page.get_by_label("One sign-in only").check()
    # The type-ahead asks the server for matching stock as the serial is typed.
    serial = page.get_by_label("Replacement token's serial number (optional)")
    serial.press_sequentially("0200", delay=50)
    expect(page.locator("#stock-options [role=option][data-value='60200104']")).to_have_count(1)
    expect(page.locator(f"#stock-options [role=option][data-value='{KEYRING}']")).to_have_count(0)
    serial.fill(FREE)
    page.get_by_role("button", name="Replace the token").click()

    expect(page.get_by_role("heading", name="Token replaced")).to_be_visible()
    access_pass = page.locator("#access-pass code").inner_text()
    assert re.fullmatch(r"[A-Za-z0-9]{8}", access_pass), access_pass
    expect(page.get_by_text(f"Token {FREE} is assigned to Alex Wilber")).to_be_visible()
    check_page(page, "life-04-replaced")
    fits_390(page, check_page, "life-04-replaced")
    page.get_by_role("link", name="Back to Alex Wilber").click()
    expect(page.locator(".token").filter(has_text=KEYRING)).to_have_count(0)
    assert access_pass not in page.content()

    # The old token's page remembers what happened and no longer offers it.
    page.goto(portal + "/admin/inventory/?lifecycle=stolen")
    expect(page.get_by_role("cell", name="Bag stolen")).to_be_visible()
    check_page(page, "life-05-inventory-stolen")
    page.get_by_role("link", name=KEYRING).click()
    expect(page.get_by_text("Recorded as “Stolen”: it is not handed out as stock.")).to_be_visible()
    check_page(page, "life-06-device-lifecycle")
    fits_390(page, check_page, "life-06-device-lifecycle")

    # Alex, without a token, signs in with the pass and activates the new token.
    alex_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        alex = alex_context.new_page()
        alex.goto(portal + "/")
        alex.get_by_role("link", name="Sign in with your work account").click()
        expect(alex.get_by_role("heading", name="Sign in with a Temporary Access Pass")).to_be_visible()
        check_page(alex, "life-07-sign-in-with-pass")
        alex.get_by_label("Account").fill("alex.wilber@contoso-sandbox.example")
        alex.get_by_label("Temporary Access Pass", exact=True).fill(access_pass)
        alex.get_by_role("button", name="Sign in with the pass").click()
        expect(alex.get_by_role("heading", name="My hardware tokens")).to_be_visible()
        new_token = alex.locator(".token").filter(has_text=FREE)
        expect(new_token).to_contain_text("Not activated yet")
        new_token.get_by_role("link", name="Activate").click()
        alex.get_by_label("Code shown on the token").fill(read_code(alex_context, portal, FREE))
        alex.get_by_role("button", name="Activate").click()
        expect(alex.get_by_text(f"Token {FREE} is activated")).to_be_visible()
        expect(alex.locator(".token").filter(has_text=FREE)).to_contain_text("Active")

        # The pass was for one sign-in: it is used up.
        alex.get_by_role("button", name="Sign out").click()
        alex.goto(portal + "/tokens/")
        alex.get_by_label("Account").fill("alex.wilber@contoso-sandbox.example")
        alex.get_by_label("Temporary Access Pass", exact=True).fill(access_pass)
        alex.get_by_role("button", name="Sign in with the pass").click()
        expect(alex.get_by_role("alert")).to_contain_text("was for one sign-in and has been used")
        check_page(alex, "life-08-pass-used")
        fits_390(alex, check_page, "life-08-pass-used")
    finally:
        alex_context.close()


def test_replace_without_javascript(portal: str, browser: Browser, check_page: PageChecker) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in_as(page, portal, "Isaiah Langer", start="/admin/")
        page.goto(portal + "/admin/users/3789b267-a19a-4c05-8f90-5746e2f77604/")
        page.locator(".token").filter(has_text=KEYRING).get_by_role("link", name=re.compile("Replace")).click()
        check_page(page, "life-09-replace-no-js", javascript=False)
        page.get_by_label("Broken").check()
        page.get_by_label("Replacement token's serial number (optional)").fill(FREE)
        page.get_by_label("Code the replacement shows (optional)").fill(read_code(context, portal, FREE))
        page.get_by_role("button", name="Replace the token").click()
        expect(page.get_by_role("heading", name="Token replaced")).to_be_visible()
        expect(page.get_by_text(f"Token {FREE} is assigned to Alex Wilber and active")).to_be_visible()
        check_page(page, "life-10-replaced-no-js", javascript=False)
    finally:
        context.close()
