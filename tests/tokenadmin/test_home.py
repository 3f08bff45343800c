"""The admin area's home page, and how an administrator gets the admin scopes."""

from __future__ import annotations

import re

import pytest

from portal.identity.msal_client import TOKEN_CACHE_SESSION_KEY
from portal.sandbox.requestlog import count_graph_calls
from portal.sandbox.seed import TOKENS
from tests.support.admins import AUTH_ADMIN, POLICY_ADMIN, READER, SignedIn
from tests.support.signin import complete_sign_in

pytestmark = pytest.mark.django_db


def test_home_shows_the_chart_in_one_round_trip_and_role_fitting_links(signed_in: SignedIn) -> None:
    client = signed_in(POLICY_ADMIN)
    with count_graph_calls() as graph:
        page = client.get("/admin/").content.decode()
    assert len(graph.requests) == 1
    assert len(graph.batch_items) == 5
    assert f"{len(TOKENS)} in total" in page
    assert re.search(r'<rect class="bar-available" width="\d+" height="10"/>', page)
    assert "Add a token to the inventory" in page
    assert "Find a user" not in page  # a Policy Administrator does not manage people's tokens
    assert "Authentication Policy Administrator" in page


def test_reader_home_is_read_only(signed_in: SignedIn) -> None:
    page = signed_in(READER).get("/admin/").content.decode()
    assert "read only" in page
    assert "Find a user" in page
    assert "Add a token" not in page
    assert "Assign, activate" not in page


def test_without_an_admin_token_the_admin_is_sent_through_sign_in_for_the_admin_scopes(
    signed_in: SignedIn,
) -> None:
    client = signed_in(AUTH_ADMIN, admin=False)
    session = client.session
    del session[TOKEN_CACHE_SESSION_KEY]  # no token the portal could refresh silently
    session.save()
    response = client.get("/admin/users/?q=alex")
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/sign-in?")
    assert "purpose=admin" in response["Location"]
    # Signing in again (incremental consent) brings the admin back to the page they asked for.
    start = client.get(response["Location"])
    assert "UserAuthenticationMethod.ReadWrite.All" in start["Location"]
    assert complete_sign_in(client, start["Location"], AUTH_ADMIN) == "/admin/users/?q=alex"
    assert client.get("/admin/users/?q=alex").status_code == 200
