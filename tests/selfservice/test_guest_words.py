"""A guest account can never hold a hardware token (a Microsoft Entra rule): nobody tells a guest to
add or assign one, nor offers an administrator to give them one."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from portal.sandbox.models import DirectoryUser
from tests.support.admins import SignedIn
from tests.support.signin import sign_in

pytestmark = pytest.mark.django_db

GUEST = "pradeep.gupta_fabrikam.example#EXT#@contoso-sandbox.example"
ISAIAH = "isaiah.langer@contoso-sandbox.example"  # Authentication Administrator


def words_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_guest_is_told_why_and_never_asked_to_add_or_assign_a_token(demo_tenant: None) -> None:
    client = Client()
    sign_in(client, GUEST)
    page = client.get("/tokens/")
    assert page.status_code == 200
    text = words_of(page.content.decode())
    assert "Guest accounts cannot hold hardware tokens (a Microsoft Entra rule)." in text
    assert "Ask the IT helpdesk of your own organisation" in text
    assert "Add a token" not in text and "Assign" not in text and "You have no hardware tokens yet" not in text


def test_an_administrator_is_not_offered_to_give_a_guest_a_token(signed_in: SignedIn) -> None:
    guest = DirectoryUser.objects.get(user_principal_name=GUEST)
    text = words_of(signed_in(ISAIAH).get(f"/admin/users/{guest.id}/").content.decode())
    assert "Hardware tokens can't be given to guest users." in text
    assert "Give a token" not in text and "assign one from the inventory" not in text


def test_an_employee_still_is_shown_how_to_add_one(signed_in: SignedIn) -> None:
    client = Client()
    sign_in(client, "megan.bowen@contoso-sandbox.example")
    text = words_of(client.get("/tokens/").content.decode())
    assert "Guest accounts" not in text and "Add a token" in text
