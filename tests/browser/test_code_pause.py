"""A person who runs out of tries for a code, on a phone (issue 12, point 4): the tries left after
each wrong code, then the pause: a countdown to a time in their own zone, a form that can't be
sent and says why, the way to the helpdesk; the form comes back when the countdown ends."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal.core.attempts import attempt_begin, attempt_finish
from portal.identity.models import User
from portal.sandbox import seed
from portal.sandbox.models import HardwareToken
from tests.browser.conftest import SHOTS, read_code, screenshot, sign_in_as

FREE = "60200106"
ASSIGNED_TO_ADELE = "60200101"  # assigned by IT, not activated yet
HELPDESK = "https://help.contoso-sandbox.example/tokens"

pytestmark = pytest.mark.django_db(transaction=True)


def phone_then_desktop(page: Page, name: str) -> None:
    """At 390 px the page fits the phone and axe finds nothing at all (any impact); a screenshot at
    390 and at 1280 px for a person to look at."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    screenshot(page, SHOTS / f"{name}-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, SHOTS / f"{name}-1280.png")


def wrong_code(context: BrowserContext, portal: str) -> str:
    return "000000" if read_code(context, portal, FREE) != "000000" else "111111"


def test_running_out_of_tries_shows_a_countdown_a_disabled_form_and_the_helpdesk(
    portal: str, context: BrowserContext, page: Page, settings: Any
) -> None:
    settings.CODE_ATTEMPT_LIMIT, settings.CODE_ATTEMPT_WINDOW_SECONDS = 2, 15 * 60
    settings.HELPDESK_CONTACT, settings.HELPDESK_URL = "the Service Desk", HELPDESK
    page.set_viewport_size({"width": 390, "height": 844})
    page.clock.install()  # the countdown's clock: time flows, and the test can move it on
    sign_in_as(page, portal, "Adele Vance")
    page.goto(portal + "/tokens/add")
    page.get_by_label("Serial number").fill(FREE)
    code = page.get_by_label("Code shown on the token")

    code.fill(wrong_code(context, portal))
    page.get_by_role("button", name="Add token").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "That code was not accepted. You have 1 try left before code entry pauses. The pause lasts 15 minutes."
    )
    expect(page.locator("#id_code-error")).to_have_text(
        "That code was not accepted. You have 1 try left before code entry pauses. The pause lasts 15 minutes."
    )

    code.fill(wrong_code(context, portal))
    page.get_by_role("button", name="Add token").click()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("That was the last try: code entry is paused until")
    pause = page.locator("[data-code-pause]")
    expect(pause.locator("[data-countdown-left]")).to_have_text(re.compile(r"^Time left: 1[45]:\d\d$"))
    unlock = pause.locator("time[data-countdown]").inner_text()
    for field in ("Serial number", "Name for this token (optional)", "Code shown on the token"):
        expect(page.get_by_label(field)).to_be_disabled()
    expect(page.locator("button[data-label='Add token']")).to_have_text(f"Paused until {unlock}")
    expect(page.locator("button[data-label='Add token']")).to_be_disabled()
    help_link = pause.get_by_role("link", name="Contact the Service Desk")
    expect(help_link).to_have_attribute("href", HELPDESK)

    phone_then_desktop(page, "code-pause")

    # When the countdown ends, the form is given back.
    page.clock.fast_forward("15:01")
    expect(pause.locator("[data-countdown-open]")).to_have_text("You can try again now.")
    expect(pause.locator("[data-countdown-left]")).to_be_hidden()
    expect(page.get_by_label("Code shown on the token")).to_be_enabled()
    expect(page.get_by_role("button", name="Add token")).to_be_enabled()


def test_the_helpdesk_lifts_the_pause_from_the_persons_page(
    portal: str, browser: Browser, page: Page, settings: Any
) -> None:
    settings.CODE_ATTEMPT_LIMIT = 1
    adele = User.objects.create(username=seed.ADELE, display_name="Adele Vance", upn=f"adele.vance@{seed.DOMAIN}")
    attempt_finish(attempt_begin(person_oid=adele.oid, serial=FREE), wrong_code=True)
    helpdesk = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    admin = helpdesk.new_page()
    sign_in_as(admin, portal, "Isaiah Langer", start=f"/admin/users/{seed.ADELE}/")
    panel = admin.locator("section.code-pause")
    expect(panel).to_contain_text(re.compile(r"Adding tokens is paused until .+ \(1 wrong code today\)\."))
    phone_then_desktop(admin, "admin-user-lockout")
    admin.get_by_role("button", name="Lift the pause").click()
    expect(admin.get_by_text("The pause was lifted; they can type a code again.")).to_be_visible()
    expect(panel).to_have_count(0)
    helpdesk.close()


def test_opening_the_add_page_while_paused_shows_the_pause_before_anything_is_typed(
    portal: str, browser: Browser, context: BrowserContext, page: Page, settings: Any
) -> None:
    settings.CODE_ATTEMPT_LIMIT, settings.CODE_ATTEMPT_WINDOW_SECONDS = 2, 15 * 60
    settings.HELPDESK_CONTACT, settings.HELPDESK_URL = "the Service Desk", HELPDESK
    # Two wrong codes a minute ago (the attempt code's own clock): about 14 minutes of pause left.
    earlier = timezone.now() - timedelta(minutes=1)
    for n in range(2):
        attempt_finish(
            attempt_begin(person_oid=seed.ADELE, serial=FREE, now=earlier + timedelta(seconds=n)), wrong_code=True
        )
    page.set_viewport_size({"width": 390, "height": 844})
    page.clock.install()
    sign_in_as(page, portal, "Adele Vance", start="/tokens/add")
    page.goto(portal + "/tokens/add")
    pause = page.locator("[data-code-pause]")
    expect(pause.locator("[data-countdown-left]")).to_have_text(re.compile(r"^Time left: 1[34]:\d\d$"))
    unlock = pause.locator("time[data-countdown]").inner_text()
    expect(pause).to_contain_text(f"At {unlock} code entry opens again.")
    expect(page.locator("[data-error-summary]")).to_contain_text("Too many wrong codes")
    for field in ("Serial number", "Name for this token (optional)", "Code shown on the token"):
        expect(page.get_by_label(field)).to_be_disabled()
    expect(page.locator("button[data-label='Add token']")).to_have_text(f"Paused until {unlock}")
    expect(pause.get_by_role("link", name="Contact the Service Desk")).to_have_attribute("href", HELPDESK)

    phone_then_desktop(page, "code-pause-on-opening")

    page.clock.fast_forward("15:01")
    expect(pause.locator("[data-countdown-open]")).to_have_text("You can try again now.")
    expect(page.get_by_label("Serial number")).to_be_enabled()

    # Without JavaScript the page still says when to come back (and the form stays shut until then).
    still = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", java_script_enabled=False)
    still.add_cookies(context.cookies())
    plain = still.new_page()
    plain.goto(portal + "/tokens/add")
    expect(plain.locator("[data-code-pause]")).to_contain_text(f"At {unlock} code entry opens again.")
    expect(plain.get_by_label("Code shown on the token")).to_be_disabled()
    screenshot(plain, SHOTS / "code-pause-on-opening-nojs-390.png")
    still.close()


def test_an_administrator_opening_a_paused_tokens_activate_page_sees_the_pause_and_the_lift(
    portal: str, browser: Browser, page: Page, settings: Any
) -> None:
    settings.CODE_ATTEMPT_LIMIT = 1
    User.objects.create(username=seed.ADELE, display_name="Adele Vance", upn=f"adele.vance@{seed.DOMAIN}")
    attempt_finish(attempt_begin(person_oid=seed.ADELE, serial=ASSIGNED_TO_ADELE), wrong_code=True)
    method_id = HardwareToken.objects.get(serial_number=ASSIGNED_TO_ADELE).id
    helpdesk = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    admin = helpdesk.new_page()
    sign_in_as(admin, portal, "Isaiah Langer", start=f"/admin/users/{seed.ADELE}/tokens/{method_id}/activate")
    pause = admin.locator("[data-code-pause]")
    expect(pause).to_contain_text("code entry opens again")
    expect(admin.get_by_label("Code shown on the token")).to_be_disabled()
    phone_then_desktop(admin, "admin-activate-paused")
    admin.set_viewport_size({"width": 390, "height": 844})
    pause.get_by_role("button", name="Lift the pause").click()
    expect(admin.get_by_text("The pause was lifted; they can type a code again.")).to_be_visible()
    admin.goto(f"{portal}/admin/users/{seed.ADELE}/tokens/{method_id}/activate")
    expect(admin.get_by_label("Code shown on the token")).to_be_enabled()
    helpdesk.close()
