"""The add and activate pages after wrong codes (issue 12, point 4), without JavaScript and in place
(htmx): the tries left in the error summary and next to the field, then the pause: when it ends in
the reader's time zone, a disabled form whose button says why, and the way to the helpdesk."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings

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
