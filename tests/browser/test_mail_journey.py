"""An "assigned to you" mail, read in the sandbox outbox, takes the person to the token's activation page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from portal.sandbox import seed
from tests.browser.conftest import PageChecker, read_code
from tests.support.imports import run_worker
from tests.support.tokens import token_id

pytestmark = pytest.mark.django_db(transaction=True)

SERIAL = "60200106"


def test_the_link_in_the_mail_opens_the_activation_page(
    portal: str, context: BrowserContext, page: Page, check_page: PageChecker, settings: object
) -> None:
    from django.test import Client

    from tests.support.signin import sign_in

    # The mail goes out as in the sandbox demo: Graph sendMail as the app (pytest-django uses locmem).
    settings.EMAIL_BACKEND = "portal.notifications.graph_backend.GraphMailBackend"  # type: ignore[attr-defined]
    admin = Client()
    sign_in(admin, f"isaiah.langer@{seed.DOMAIN}", admin=True)
    assert admin.post(f"/admin/users/{seed.MEGAN}/assign", {"serial_number": SERIAL}).status_code == 302
    run_worker()  # the background worker sends it

    page.goto(f"{portal}/sandbox/outbox/?to=megan")
    mail = page.get_by_role("article").filter(has_text=SERIAL).first
    expect(mail.get_by_role("heading", level=2)).to_contain_text("A hardware token is waiting for you")
    expect(mail).to_contain_text(f"megan.bowen@{seed.DOMAIN}")
    check_page(page, "mail-01-outbox")

    # In the message as Megan sees it: the button takes her to the portal, which asks her to sign in.
    message = mail.frame_locator("iframe")
    expect(message.get_by_text("serial number")).to_be_visible()
    message.get_by_role("link", name=f"Activate token {SERIAL}").click()
    page.get_by_role("button", name="Sign in as Megan Bowen").click()
    page.wait_for_url(f"{portal}/tokens/{token_id(SERIAL)}/activate")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Activate", re.IGNORECASE))
    expect(page.get_by_text(SERIAL).first).to_be_visible()
    check_page(page, "mail-02-activation-page")

    page.get_by_label(re.compile("code", re.IGNORECASE)).first.fill(read_code(context, portal, SERIAL))
    page.get_by_role("button", name=re.compile("Activate", re.IGNORECASE)).click()
    page.wait_for_url(f"{portal}/tokens/")
    expect(page.locator(".token").filter(has_text=SERIAL)).to_contain_text("Active")


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"))


def test_outbox_and_undelivered_mail_fit_a_phone(
    portal: str, browser: object, check_page: PageChecker, settings: object
) -> None:
    from django.test import Client

    from portal.notifications.models import Kind, Notification
    from tests.browser.conftest import sign_in_as

    settings.EMAIL_BACKEND = "portal.notifications.graph_backend.GraphMailBackend"  # type: ignore[attr-defined]
    admin = Client()
    from tests.support.signin import sign_in

    sign_in(admin, f"isaiah.langer@{seed.DOMAIN}", admin=True)
    admin.post(f"/admin/users/{seed.MEGAN}/assign", {"serial_number": SERIAL})
    run_worker()
    Notification.objects.create(
        kind=Kind.TOKEN_REMOVED,
        to_address="someone.with.a.very.long.address.indeed@subsidiary.contoso-sandbox.example",
        idempotency_key="phone-test",
        state=Notification.State.FAILED,
        attempts=6,
        last_error="Microsoft Graph refused the message: HTTP 404 MailboxNotEnabledForRESTAPI",
        context={"serial": "SI-01000103"},
    )
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")  # type: ignore[attr-defined]
    page = phone.new_page()
    page.goto(f"{portal}/sandbox/outbox/")
    expect(page.get_by_role("article").first.frame_locator("iframe").get_by_role("heading")).to_be_visible()
    assert fits(page)
    check_page(page, "mail-03-outbox-390px")
    sign_in_as(page, portal, "Grady Archie", start="/admin/mail/")
    page.goto(f"{portal}/admin/mail/")
    expect(page.get_by_role("heading", name="Mail that could not be delivered")).to_be_visible()
    expect(page.get_by_text("MailboxNotEnabledForRESTAPI")).to_be_visible()
    check_page(page, "mail-04-undelivered-390px")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 8)"
    )
    assert fits(page), wide
    phone.close()
