"""The needs-attention queue in a real browser: each kind of item and its fix, as an administrator
who may act (Privileged Authentication Administrator) and as a Global Reader (no buttons); the
reports page; both at 1280 and 390 px, checked with axe."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal.audit.models import AuditEvent
from portal.core.attempts import attempt_begin, attempt_finish
from portal.identity.models import User
from portal.program.models import ProgramToken
from portal.sandbox import seed
from tests.browser.conftest import PageChecker, read_code, sign_in_as, snapshot_refresh

ALEX_FAILED = "60200102"
JOHANNA_WAITING = "60200109"
GRADY_UNUSED = "SI-01000102"
PATTI_NEVER = "2100040003"
DIEGO_DISABLED = "PSL-7000101"
LEE_DELETED = "SI-01000107"
LOCKED_SERIAL = "60200104"

pytestmark = pytest.mark.django_db(transaction=True)


def item(page: Page, rule: str, text: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.attention-item[data-rule="{rule}"]').filter(has_text=text)


def content_fits(page: Page) -> None:
    """The page does not scroll sideways: nothing in its content reaches past the viewport, except
    inside a table's own keyboard-scrollable region."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    overflowing = page.evaluate(
        """Array.from(document.querySelectorAll('main *'))
             .filter(e => !e.closest('.table-scroll'))
             .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
             .map(e => e.tagName + '.' + e.className)"""
    )
    assert not overflowing, overflowing


def lock_out(serial: str) -> None:
    """Adele (signed in to the portal before) typed five wrong codes for this token."""
    User.objects.get_or_create(
        username=seed.ADELE, defaults={"display_name": "Adele Vance", "upn": f"adele.vance@{seed.DOMAIN}"}
    )
    for _ in range(5):
        attempt_finish(attempt_begin(person_oid=seed.ADELE, serial=serial), wrong_code=True)


def test_each_item_and_its_fix_as_a_privileged_authentication_administrator(
    portal: str, context: BrowserContext, page: Page, check_page: PageChecker
) -> None:
    lock_out(LOCKED_SERIAL)
    sign_in_as(page, portal, "Lynne Robbins", start="/admin/")
    expect(page.get_by_text("has not been read yet")).to_be_visible()
    snapshot_refresh(page, portal)
    for rule, who, serial in (
        ("failed_activation", "Alex Wilber", ALEX_FAILED),
        ("not_activated", "Johanna Lorenz", JOHANNA_WAITING),
        ("not_used", "Grady Archie", GRADY_UNUSED),
        ("never_used", "Patti Fernandez", PATTI_NEVER),
        ("holder_disabled", "Diego Siciliani", DIEGO_DISABLED),
        ("holder_deleted", "Lee Gu", LEE_DELETED),
        ("locked_out", "Adele Vance", LOCKED_SERIAL),
    ):
        expect(item(page, rule, who).filter(has_text=serial)).to_have_count(1)
    check_page(page, "program-01-queue")
    page.set_viewport_size({"width": 390, "height": 844})
    content_fits(page)
    check_page(page, "program-02-queue-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Activation failed → activate again from Alex's page, with the code the token shows now.
    item(page, "failed_activation", "Alex Wilber").get_by_role("link", name="Open Alex Wilber's tokens").click()
    page.locator(".token").filter(has_text=ALEX_FAILED).get_by_role("link", name=re.compile("^Activate")).click()
    page.get_by_label("Code shown on the token").fill(read_code(context, portal, ALEX_FAILED))
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".token").filter(has_text=ALEX_FAILED)).to_contain_text("Active")

    # Assigned, never activated; held by a disabled account → unassign from their page.
    for rule, who, serial in (
        ("not_activated", "Johanna Lorenz", JOHANNA_WAITING),
        ("holder_disabled", "Diego Siciliani", DIEGO_DISABLED),
        ("not_used", "Grady Archie", GRADY_UNUSED),
    ):
        page.goto(portal + "/admin/")
        item(page, rule, who).get_by_role("link", name=f"Open {who}'s tokens").click()
        page.locator(".token").filter(has_text=serial).get_by_role("link", name=re.compile("^Unassign")).click()
        page.get_by_role("button", name="Unassign token").click()
        expect(page.get_by_text(f"Token {serial} was taken away from {who}")).to_be_visible()

    # Never used since activation → the holder signs in with it (the sandbox's stand-in for Microsoft).
    tab = context.new_page()
    tab.goto(portal + "/sandbox/tokens/")
    tab.get_by_label("Sign in to Microsoft with").select_option(label=f"{PATTI_NEVER} (Patti Fernandez)")
    tab.get_by_role("button", name="Sign in with its code").click()
    expect(tab.get_by_text(f"Patti Fernandez signed in with token {PATTI_NEVER}")).to_be_visible()

    # Held by a deleted account → restored in Entra (the sandbox's directory page), as the item says.
    page.goto(portal + "/admin/")
    deleted = page.locator(".attention-group", has=page.locator("#rule-holder_deleted"))
    expect(deleted).to_contain_text("Restore the account in Microsoft Entra")
    expect(item(page, "holder_deleted", "Lee Gu").get_by_role("button")).to_have_count(0)
    tab.goto(portal + "/sandbox/users/")
    tab.get_by_role("button", name="Restore Lee Gu").click()
    tab.close()

    # Code entry paused → lift the pause (audited).
    page.goto(portal + "/admin/")
    item(page, "locked_out", "Adele Vance").get_by_role("button", name=re.compile("Lift the pause")).click()
    expect(page.get_by_text("The pause was lifted")).to_be_visible()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT_LIFT, outcome="success").count() == 1
    attempt_begin(person_oid=seed.ADELE, serial=LOCKED_SERIAL)  # no longer refused

    # After the next refresh, nothing of it is left.
    snapshot_refresh(page, portal)
    expect(page.locator(".attention-item")).to_have_count(0)
    expect(page.get_by_text("Nothing needs you right now.")).to_be_visible()
    check_page(page, "program-03-queue-empty")


def test_a_global_reader_sees_the_queue_without_buttons(
    portal: str, browser: object, page: Page, check_page: PageChecker
) -> None:
    lock_out(LOCKED_SERIAL)
    sign_in_as(page, portal, "Lynne Robbins", start="/admin/")
    snapshot_refresh(page, portal)
    page.context.clear_cookies()
    sign_in_as(page, portal, "Grady Archie", start="/admin/")
    for rule in ("failed_activation", "not_activated", "not_used", "never_used", "holder_disabled", "holder_deleted"):
        expect(page.locator(f'.attention-item[data-rule="{rule}"]')).not_to_have_count(0)
    # The lockout is shown, who and which token, without the button that lifts it.
    locked = item(page, "locked_out", "Adele Vance").filter(has_text=LOCKED_SERIAL)
    expect(locked).to_have_count(1)
    expect(locked).to_contain_text("5 wrong codes")
    expect(locked.get_by_role("button")).to_have_count(0)
    expect(page.locator(".attention").get_by_role("button")).to_have_count(0)
    expect(page.locator(".attention").get_by_role("link", name=re.compile("^Open "))).to_have_count(0)
    check_page(page, "program-04-queue-reader")


def test_the_reports_page_and_its_exports(portal: str, page: Page, check_page: PageChecker) -> None:
    sign_in_as(page, portal, "Lynne Robbins", start="/admin/")
    snapshot_refresh(page, portal)
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Stock by make and model")).to_be_visible()
    check_page(page, "program-05-reports")
    page.set_viewport_size({"width": 390, "height": 844})
    content_fits(page)
    check_page(page, "program-06-reports-390")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Tokens by department” as CSV").click()
    assert download.value.suggested_filename == "departments.csv"


def more_failed_activations(count: int) -> None:
    """Besides Alex's: `count` older failed activations in the snapshot, held by people of the tenant."""
    long_ago = timezone.now() - timedelta(days=100)
    ProgramToken.objects.bulk_create(
        ProgramToken(
            device_id=str(uuid.uuid4()),
            serial_number=f"FAIL{n:04d}",
            status="failedActivation",
            holder_id=seed.JOHANNA,
            holder_name="Johanna Lorenz",
            holder_upn=f"johanna.lorenz@{seed.DOMAIN}",
            holder_exists=True,
            holder_enabled=True,
            assigned_at=long_ago + timedelta(hours=n),
        )
        for n in range(count)
    )


def test_and_n_more_opens_the_rules_whole_list(
    portal: str, browser: Browser, page: Page, check_page: PageChecker
) -> None:
    lock_out(LOCKED_SERIAL)
    sign_in_as(page, portal, "Lynne Robbins", start="/admin/")
    snapshot_refresh(page, portal)
    more_failed_activations(60)  # 61 in all: 20 on the overview, 50 on the list's first page
    page.goto(portal + "/admin/")
    failed = page.locator(".attention-group", has=page.locator("#rule-failed_activation"))
    expect(failed.locator(".attention-item")).to_have_count(20)
    failed.get_by_role("link", name=re.compile("^And 41 more")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Activation failed")
    expect(page.get_by_text("Items 1 to 50 of 61, oldest first.")).to_be_visible()
    expect(page.locator(".attention-item")).to_have_count(50)
    check_page(page, "program-07-rule-list")
    page.set_viewport_size({"width": 390, "height": 844})
    content_fits(page)
    check_page(page, "program-08-rule-list-390")
    page.get_by_role("link", name="Next page").click()
    expect(page.locator(".attention-item")).to_have_count(11)
    expect(item(page, "failed_activation", "Alex Wilber").filter(has_text=ALEX_FAILED)).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Activation failed” as CSV").click()
    assert download.value.suggested_filename == "needs-attention-failed_activation.csv"
    # The same fix as on the overview: Alex's page.
    item(page, "failed_activation", "Alex Wilber").get_by_role("link", name="Open Alex Wilber's tokens").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alex Wilber")

    # The lockouts' list, without JavaScript, at 390 px: lifting one comes back to the list.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    plain = context.new_page()
    try:
        sign_in_as(plain, portal, "Lynne Robbins", start="/admin/attention/locked_out/")
        expect(item(plain, "locked_out", "Adele Vance").filter(has_text=LOCKED_SERIAL)).to_have_count(1)
        check_page(plain, "program-09-lockouts-no-js-390", javascript=False)
        item(plain, "locked_out", "Adele Vance").get_by_role("button", name=re.compile("Lift the pause")).click()
        expect(plain.get_by_text("The pause was lifted")).to_be_visible()
        assert plain.url.endswith("/admin/attention/locked_out/")
        expect(plain.get_by_text("Nothing needs you here right now.")).to_be_visible()
    finally:
        context.close()
