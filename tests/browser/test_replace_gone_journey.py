"""Issue 14's gap in a real browser, at 390 px: an employee reports a lost token (it leaves their
account at once), then the helpdesk — with no token left to replace — issues the Temporary Access Pass
the "reported" page promised and gives a replacement from stock, in one flow linked to the report.
The pass is shown once: not after a reload, not after going back. The employee then signs in with it
and activates the replacement. Every page: axe, screenshots (the pass masked)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal.audit.models import AuditEvent
from portal.lifecycle.models import TokenLifecycleEvent
from portal.sandbox import seed
from tests.browser.conftest import PageChecker, read_code, sign_in_as, snapshot_refresh

KEYRING = "SI-01000101"  # Alex's active token
FREE = "60200104"
ALEX_UPN = "alex.wilber@contoso-sandbox.example"
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.django_db(transaction=True)


def narrow(page: Page, check_page: PageChecker, name: str) -> None:
    """axe and a screenshot, and nothing wider than the 390 px screen."""
    check_page(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width}px wide at 390px"


def test_reported_lost_then_the_helpdesk_issues_a_pass_and_a_replacement(
    portal: str, browser: Browser, context: BrowserContext, page: Page, check_page: PageChecker
) -> None:
    # Alex, on his phone: "I lost my token".
    alex_context = browser.new_context(viewport=PHONE, locale="en-GB")
    alex_context.set_default_timeout(15_000)
    try:
        alex = alex_context.new_page()
        sign_in_as(alex, portal, "Alex Wilber")
        alex.locator(".token").filter(has_text=KEYRING).get_by_role("link", name=re.compile("Lost or broken")).click()
        alex.get_by_label("Lost", exact=True).check()
        alex.get_by_role("button", name="Remove the token from my account").click()
        expect(alex.get_by_role("heading", name="Token removed from your account")).to_be_visible()
        expect(alex.get_by_text("ask the helpdesk for a Temporary Access Pass")).to_be_visible()
        narrow(alex, check_page, "gone-01-reported-390")
    finally:
        alex_context.close()
    report = TokenLifecycleEvent.objects.get(serial_number=KEYRING)

    # The helpdesk, on a narrow screen too: Alex has no token left to replace.
    page.set_viewport_size(PHONE)
    sign_in_as(page, portal, "Isaiah Langer", start="/admin/")
    snapshot_refresh(page, portal)  # the stock the type-ahead offers
    page.goto(portal + "/admin/users/")
    page.get_by_label("Name, user principal name or email").fill("alex")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Alex Wilber").click()
    expect(page.locator(".token").filter(has_text=KEYRING)).to_have_count(0)
    narrow(page, check_page, "gone-02-user-page-390")
    page.get_by_role("link", name="Issue a Temporary Access Pass").click()

    expect(page.get_by_role("heading", name="Issue a Temporary Access Pass or a replacement")).to_be_visible()
    old = page.locator("#old-token")
    expect(old).to_contain_text(f"they reported token {KEYRING} as “Lost”")
    narrow(page, check_page, "gone-03-form-390")
    page.get_by_label("Issue a Temporary Access Pass").check()
    page.get_by_label("One sign-in only").check()
    serial = page.get_by_label("Replacement token's serial number (optional)")
    serial.press_sequentially("0200", delay=50)
    expect(page.locator(f"#stock-options [role=option][data-value='{FREE}']")).to_have_count(1)
    expect(page.locator(f"#stock-options [role=option][data-value='{KEYRING}']")).to_have_count(0)
    narrow(page, check_page, "gone-04-type-ahead-390")
    serial.fill(FREE)
    page.keyboard.press("Escape")  # close the suggestions
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Done", exact=True)).to_be_visible()
    access_pass = page.locator("#access-pass code").inner_text()
    assert re.fullmatch(r"[A-Za-z0-9]{8}", access_pass), access_pass
    expect(page.get_by_text(f"Token {FREE} is assigned to Alex Wilber")).to_be_visible()
    narrow(page, check_page, "gone-05-done-390")
    # One flow in the audit trail: Alex's report, the pass, the replacement.
    actions = AuditEvent.objects.filter(extra__flow_id=report.flow_id).order_by("id").values_list("action", flat=True)
    assert list(actions) == ["self.report", "user.pass_create", "user.assign"]

    # The pass is never shown again: not on a reload (the form is sent again), not going back.
    page.reload()
    expect(page.get_by_role("heading", name="Already done")).to_be_visible()
    assert access_pass not in page.content()
    narrow(page, check_page, "gone-06-reload-390")
    page.go_back()
    expect(page.get_by_role("heading", name="Issue a Temporary Access Pass or a replacement")).to_be_visible()
    assert access_pass not in page.content()
    page.get_by_role("link", name="Alex Wilber").first.click()
    expect(page.locator(".token").filter(has_text=FREE)).to_be_visible()
    assert access_pass not in page.content()
    assert AuditEvent.objects.filter(action="user.pass_create").count() == 1

    # Alex signs in with the pass and activates the replacement himself.
    alex_context = browser.new_context(viewport=PHONE, locale="en-GB")
    alex_context.set_default_timeout(15_000)
    try:
        alex = alex_context.new_page()
        alex.goto(portal + "/")
        alex.get_by_role("link", name="Sign in with your work account").click()
        alex.get_by_label("Account").fill(ALEX_UPN)
        alex.get_by_label("Temporary Access Pass", exact=True).fill(access_pass)
        alex.get_by_role("button", name="Sign in with the pass").click()
        new_token = alex.locator(".token").filter(has_text=FREE)
        expect(new_token).to_contain_text("Not activated yet")
        new_token.get_by_role("link", name="Activate").click()
        alex.get_by_label("Code shown on the token").fill(read_code(alex_context, portal, FREE))
        alex.get_by_role("button", name="Activate").click()
        expect(alex.get_by_text(f"Token {FREE} is activated")).to_be_visible()
        narrow(alex, check_page, "gone-07-activated-390")
    finally:
        alex_context.close()


def test_without_javascript_a_replacement_is_activated_at_the_desk(
    portal: str, browser: Browser, check_page: PageChecker
) -> None:
    """No report, no JavaScript, 390 px: the serial typed in full, the code read off the token."""
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in_as(page, portal, "Isaiah Langer", start="/admin/")
        page.goto(f"{portal}/admin/users/{seed.ALEX}/")
        page.get_by_role("link", name="Issue a Temporary Access Pass").click()
        expect(page.locator("#old-token")).to_contain_text("No lost, broken or stolen token is on record")
        check_page(page, "gone-08-form-no-js", javascript=False)
        page.get_by_label("Replacement token's serial number (optional)").fill(FREE)
        page.get_by_label("Code the replacement shows (optional)").fill(read_code(context, portal, FREE))
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_text(f"Token {FREE} is assigned to Alex Wilber and active")).to_be_visible()
        expect(page.get_by_text("No pass was issued.")).to_be_visible()
        check_page(page, "gone-09-done-no-js", javascript=False)
    finally:
        context.close()
