"""One name for each thing, everywhere (issue 12, point 9): a token's status, its title, its code."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from portal.core.labels import TOKEN_STATUS
from portal.core.reasons import Reason
from portal.core.wording import EMPLOYEE
from tests.support.admins import GLOBAL_ADMIN, SignedIn, text_of

pytestmark = pytest.mark.django_db


def test_a_status_has_one_name_on_the_badges_and_in_the_filter(signed_in: SignedIn) -> None:
    page = text_of(signed_in(GLOBAL_ADMIN).get("/admin/inventory/"))
    options = set(re.findall(r'<option value="(?:available|assigned|activated|failedActivation)"[^>]*>([^<]+)<', page))
    badges = set(
        re.findall(r'<span class="badge badge-(?:available|assigned|activated|failedActivation)">([^<]+)<', page)
    )
    names = {str(label.name) for label in TOKEN_STATUS.values()}
    assert options == names
    assert badges <= names and badges
    assert "Assigned, not activated" not in page
    # The column says what it holds, in words.
    assert '<th scope="col">New code every</th>' in page and "30 seconds <small>(SHA-1)</small>" in page


def test_an_unnamed_token_is_titled_by_its_make_and_model(employee_client: Client) -> None:
    page = employee_client.get("/tokens/").content.decode()
    assert '<h2 class="token-title">Token2 C202 ' in page  # 60200101 has no name of its own
    assert "Hardware token <span" not in page


def test_the_unknown_serial_advice_agrees_with_the_field_that_accepts_spaces() -> None:
    advice = str(EMPLOYEE[Reason.UNKNOWN_SERIAL].next_step)
    assert "no spaces" not in advice
