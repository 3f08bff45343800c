"""The add and activate pages after wrong codes (issue 12, point 4), without JavaScript and in place
(htmx): the tries left in the error summary and next to the field, then the pause: when it ends in
the reader's time zone, a disabled form whose button says why, and the way to the helpdesk."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from portal.core.attempts import attempt_begin, attempt_finish
from portal.core.models import CodeAttempt
from portal.program.models import ProgramToken, SnapshotRun
from portal.sandbox import seed
from portal.sandbox.requestlog import count_graph_calls
from tests.support.tokens import token_id, wrong_code_for

pytestmark = pytest.mark.django_db

FREE_SERIAL = "60200104"  # in the demo inventory, unassigned
PRE_ASSIGNED = "60200101"  # Adele's, assigned by IT, not activated yet


def add(client: Client, *, htmx: bool) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"serial_number": FREE_SERIAL, "code": wrong_code_for(FREE_SERIAL), "display_name": ""}
    return client.post("/tokens/add", data, headers=headers)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def summary_of(html: str) -> str:
    found = re.search(r'<div class="form-error error-summary".*?</ul>', html, re.S)
    assert found, "no error summary"
    return text(found.group(0))


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="id_{field}-error">(.*?)</p>', html, re.S)
    assert found, f"no error next to {field}"
    return text(found.group(1))


def fieldset_disabled(html: str) -> bool:
    found = re.search(r'<fieldset class="form-fields"( disabled)?>', html)
    assert found, "no fieldset"
    return bool(found.group(1))


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@override_settings(CODE_ATTEMPT_LIMIT=3, CODE_ATTEMPT_WINDOW_SECONDS=15 * 60, CODE_ATTEMPT_DAILY_LIMIT=10)
def test_each_wrong_code_says_how_many_tries_are_left(employee_client: Client, htmx: bool) -> None:
    first = add(employee_client, htmx=htmx)
    assert first.status_code == (200 if htmx else 400)
    page = first.content.decode()
    assert ("<html" in page) is not htmx
    said = "That code was not accepted. You have 2 tries left before code entry pauses. The pause lasts 15 minutes."
    assert said in summary_of(page)
    assert field_error(page, "code") == said
    assert not fieldset_disabled(page) and "data-code-pause" not in page
    second = add(employee_client, htmx=htmx).content.decode()
    assert "You have 1 try left before code entry pauses. The pause lasts 15 minutes." in field_error(second, "code")


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@override_settings(
    CODE_ATTEMPT_LIMIT=2,
    TIME_ZONE="Asia/Kolkata",  # UTC+5:30: a time shown in UTC would be off by hours and half an hour
    HELPDESK_CONTACT="the Service Desk",
    HELPDESK_URL="https://help.contoso-sandbox.example/tokens",
)
def test_the_last_wrong_code_pauses_the_form_and_says_until_when_and_who_helps(
    employee_client: Client, htmx: bool
) -> None:
    add(employee_client, htmx=htmx)
    page = add(employee_client, htmx=htmx).content.decode()
    assert "That was the last try: code entry is paused until" in summary_of(page)
    # The time, in the reader's zone (+05:30) and machine-readable for the countdown.
    when = re.search(r'<time datetime="([^"]+)" data-countdown>([^<]+)</time>', page)
    assert when and when.group(1).endswith("+05:30")
    assert "UTC" not in text(page)
    assert fieldset_disabled(page)
    button = re.search(r'<button type="submit" class="primary" data-label="Add token">([^<]+)</button>', page)
    assert button and button.group(1) == f"Paused until {when.group(2)}"
    assert '<a href="https://help.contoso-sandbox.example/tokens">Contact the Service Desk</a>' in page
    # Sending again while paused: the same, and the code goes nowhere (tests/security/test_code_pause.py).
    again = add(employee_client, htmx=htmx).content.decode()
    assert "Too many wrong codes" in summary_of(again) and fieldset_disabled(again)


@override_settings(CODE_ATTEMPT_LIMIT=1)
def test_the_activate_page_pauses_the_same_way_and_names_the_helpdesk_without_a_link(
    employee_client: Client,
) -> None:
    url = f"/tokens/{token_id(PRE_ASSIGNED)}/activate"
    page = employee_client.post(url, {"code": wrong_code_for(PRE_ASSIGNED)}).content.decode()
    assert "That was the last try" in field_error(page, "code")
    assert fieldset_disabled(page)
    assert re.search(r'data-label="Activate">Paused until [^<]+</button>', page)
    assert "Can't wait? Contact your IT helpdesk: they can check the token and lift the pause." in text(page)


# -- opening a page while paused (before anything is typed) --------------------------------------

ADELE = seed.ADELE


def wrong_codes(person: str, serial: str, count: int, *, at: datetime) -> None:
    """`count` wrong codes typed at `at` (the attempt code's own clock: no waiting in tests)."""
    for n in range(count):
        attempt_finish(attempt_begin(person_oid=person, serial=serial, now=at + timedelta(seconds=n)), wrong_code=True)


@pytest.mark.parametrize("htmx", [False, True], ids=["no-js", "htmx"])
@override_settings(
    CODE_ATTEMPT_LIMIT=2,
    CODE_ATTEMPT_WINDOW_SECONDS=15 * 60,
    TIME_ZONE="Asia/Kolkata",
    HELPDESK_CONTACT="the Service Desk",
    HELPDESK_URL="https://help.contoso-sandbox.example/tokens",
)
def test_opening_the_add_page_while_paused_shows_the_pause_before_anything_is_typed(
    employee_client: Client, htmx: bool
) -> None:
    wrong_codes(ADELE, FREE_SERIAL, 2, at=timezone.now() - timedelta(minutes=1))
    headers = {"HX-Request": "true"} if htmx else {}
    with count_graph_calls() as graph:
        response = employee_client.get("/tokens/add", headers=headers)
    assert graph.requests == []  # the pause is the portal's own record
    assert response.status_code == 200
    page = response.content.decode()
    assert "Too many wrong codes" in summary_of(page)
    # Without JavaScript the page still says when to come back, in the reader's zone.
    when = re.search(r'<time datetime="([^"]+)" data-countdown>([^<]+)</time>', page)
    assert when and when.group(1).endswith("+05:30")
    assert f"At {when.group(2)} code entry opens again." in text(page) and "UTC" not in text(page)
    assert fieldset_disabled(page)
    button = re.search(r'<button type="submit" class="primary" data-label="Add token">([^<]+)</button>', page)
    assert button and button.group(1) == f"Paused until {when.group(2)}"
    assert '<a href="https://help.contoso-sandbox.example/tokens">Contact the Service Desk</a>' in page


@override_settings(CODE_ATTEMPT_LIMIT=2, CODE_ATTEMPT_WINDOW_SECONDS=15 * 60)
def test_the_add_page_is_open_before_the_limit_and_again_once_the_pause_has_passed(employee_client: Client) -> None:
    wrong_codes(ADELE, FREE_SERIAL, 1, at=timezone.now() - timedelta(minutes=1))  # one try left
    page = employee_client.get("/tokens/add").content.decode()
    assert not fieldset_disabled(page) and "data-code-pause" not in page and "There is a problem" not in page
    wrong_codes(ADELE, FREE_SERIAL, 1, at=timezone.now() - timedelta(minutes=16))  # the limit, 16 minutes ago
    page = employee_client.get("/tokens/add").content.decode()
    assert not fieldset_disabled(page) and "data-code-pause" not in page
    assert '<button type="submit" class="primary" data-label="Add token">Add token</button>' in page


@override_settings(CODE_ATTEMPT_LIMIT=2)
def test_a_paused_add_page_still_answers_a_serial_the_inventory_does_not_hold(employee_client: Client) -> None:
    # The pause is the person's, not a token's: whether a serial exists is not a code attempt (SECURITY.md).
    SnapshotRun.objects.create(outcome=SnapshotRun.Outcome.SUCCESS, finished_at=timezone.now())
    ProgramToken.objects.create(device_id="device-1", serial_number=FREE_SERIAL, status="available")
    wrong_codes(ADELE, FREE_SERIAL, 2, at=timezone.now() - timedelta(minutes=1))
    assert fieldset_disabled(employee_client.get("/tokens/add").content.decode())
    answer = employee_client.post("/tokens/add", {"serial_number": "NO-SUCH-7", "code": "123456"}).content.decode()
    assert "No token with that serial number is in your organisation" in answer
    assert not fieldset_disabled(answer) and "data-code-pause" not in answer


@override_settings(CODE_ATTEMPT_LIMIT=2, CODE_ATTEMPT_WINDOW_SECONDS=15 * 60)
def test_opening_the_activate_page_of_a_paused_token_shows_the_pause(employee_client: Client) -> None:
    # Someone else's wrong codes for Adele's token: the token is paused, Adele herself is not.
    wrong_codes("someone-else", PRE_ASSIGNED, 2, at=timezone.now() - timedelta(minutes=1))
    url = f"/tokens/{token_id(PRE_ASSIGNED)}/activate"
    response = employee_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and "Too many wrong codes" in summary_of(page)
    assert fieldset_disabled(page) and re.search(r'data-label="Activate">Paused until [^<]+</button>', page)
    assert "Can't wait? Contact your IT helpdesk" in text(page)
    # Her other pages are not about a code: nothing paused there.
    report = employee_client.get(f"/tokens/{token_id(PRE_ASSIGNED)}/report").content.decode()
    assert "data-code-pause" not in report and "Too many wrong codes" not in report
    # Once the pause has passed, the page is normal again.
    CodeAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))
    again = employee_client.get(url).content.decode()
    assert not fieldset_disabled(again) and "data-code-pause" not in again


@override_settings(CODE_ATTEMPT_LIMIT=2)
def test_the_activate_page_is_open_when_another_token_is_paused(employee_client: Client) -> None:
    wrong_codes("someone-else", FREE_SERIAL, 2, at=timezone.now() - timedelta(minutes=1))
    page = employee_client.get(f"/tokens/{token_id(PRE_ASSIGNED)}/activate").content.decode()
    assert not fieldset_disabled(page) and "data-code-pause" not in page
