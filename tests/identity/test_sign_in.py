"""Sign-in and sign-out through unmodified MSAL and the sandbox tenant."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from portal.identity.models import User
from portal.sandbox.models import DirectoryUser
from tests.conftest import EMPLOYEE
from tests.support.signin import local_path, sign_in

pytestmark = pytest.mark.django_db


def test_sign_in_keys_the_user_on_oid_and_refreshes_name_and_upn(demo_tenant: None) -> None:
    directory_user = DirectoryUser.objects.get(user_principal_name=EMPLOYEE)
    assert sign_in(Client(), EMPLOYEE) == "/tokens/"
    user = User.objects.get(username=str(directory_user.id))
    assert (user.upn, user.display_name) == (EMPLOYEE, "Adele Vance")

    directory_user.display_name = "Adele Vance-Smith"
    directory_user.user_principal_name = "adele.smith@contoso-sandbox.example"
    directory_user.save()
    sign_in(Client(), "adele.smith@contoso-sandbox.example")
    again = User.objects.get(username=str(directory_user.id))
    assert again.pk == user.pk
    assert (again.upn, again.display_name) == ("adele.smith@contoso-sandbox.example", "Adele Vance-Smith")


def test_session_id_rotates_at_sign_in(demo_tenant: None) -> None:
    client = Client()
    client.get("/auth/sign-in?next=/tokens/")
    before = client.cookies["portal-session"].value
    sign_in(client, EMPLOYEE)
    after = client.cookies["portal-session"].value
    assert before != after
    assert not Session.objects.filter(session_key=before).exists()


def test_only_the_employee_scopes_are_asked_at_sign_in(db: None) -> None:
    location = Client().get("/auth/sign-in?next=/")["Location"]
    scope = re.search(r"scope=([^&]+)", location)
    assert scope
    asked = scope.group(1).replace("+", " ").replace("%20", " ")
    assert "UserAuthenticationMethod.ReadWrite" in asked and "User.Read" in asked
    assert ".All" not in asked and "Policy" not in asked
    assert "code_challenge_method=S256" in location


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example/",
        "https://evil.example/",
        "https:evil.example",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "http://127.0.0.1:8000.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_portal(demo_tenant: None, next_url: str) -> None:
    assert sign_in(Client(), EMPLOYEE, next_url=next_url) == "/"


def test_next_inside_the_portal_is_kept(demo_tenant: None) -> None:
    assert sign_in(Client(), EMPLOYEE, next_url="/tokens/add") == "/tokens/add"


def test_forged_callback_is_refused_with_a_way_back(db: None) -> None:
    client = Client()
    client.get("/auth/sign-in?next=/")
    response = client.get("/auth/callback?code=forged&state=not-ours")
    text = response.content.decode()
    assert response.status_code == 400
    assert "Sign-in did not complete" in text and "Sign in again" in text
    assert "_auth_user_id" not in client.session


def test_cancelled_sign_in(demo_tenant: None) -> None:
    client = Client()
    authorize = client.get("/auth/sign-in?next=/")["Location"]
    page = client.get(local_path(authorize)).content.decode()
    carried = re.search(r'name="request" value="([^"]+)"', page)
    assert carried
    back = client.post(local_path(authorize), {"request": carried.group(1), "cancel": "1"})
    response = client.get(local_path(back["Location"]))
    assert response.status_code == 400
    assert "You cancelled sign-in" in response.content.decode()


def test_sign_out_ends_the_session_server_side_and_at_entra(employee_client: Client) -> None:
    session_key = employee_client.cookies["portal-session"].value
    assert employee_client.get("/auth/sign-out").status_code == 405  # a link can't sign you out
    response = employee_client.post("/auth/sign-out")
    assert response.status_code == 302
    assert "/sandbox/login/" in response["Location"] and "/oauth2/v2.0/logout" in response["Location"]
    assert "post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fauth%2Fsigned-out" in response["Location"]
    assert not Session.objects.filter(session_key=session_key).exists()
    back = employee_client.get(local_path(response["Location"]))
    assert back.status_code == 302 and back["Location"].endswith("/auth/signed-out")
    assert employee_client.get("/tokens/").status_code == 302


def test_replaying_an_old_session_cookie_after_sign_out_fails(employee_client: Client) -> None:
    stolen = employee_client.cookies["portal-session"].value
    employee_client.post("/auth/sign-out")
    thief = Client()
    thief.cookies["portal-session"] = stolen
    assert thief.get("/tokens/").status_code == 302


@override_settings(SESSION_IDLE_SECONDS=60)
def test_idle_session_expires(employee_client: Client) -> None:
    session = employee_client.session
    session["identity.last_seen"] -= 61
    session.save()
    response = employee_client.get("/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/auth/sign-in")


@override_settings(SESSION_ABSOLUTE_SECONDS=3600)
def test_absolute_session_lifetime(employee_client: Client) -> None:
    session = employee_client.session
    session["identity.signed_in_at"] -= 3601
    session.save()
    assert employee_client.get("/tokens/").status_code == 302


def _authorize_and_pick(client: Client, authorize: str, upn: str = EMPLOYEE):  # type: ignore[no-untyped-def]
    page = client.get(local_path(authorize))
    carried = re.search(r'name="request" value="([^"]+)"', page.content.decode())
    if carried is None:  # the identity provider answered straight back to the portal
        return page
    user = DirectoryUser.objects.get(user_principal_name=upn)
    return client.post(local_path(authorize), {"request": carried.group(1), "user": str(user.id)})


def test_nonce_mismatch_is_refused(demo_tenant: None) -> None:
    client = Client()
    authorize = client.get("/auth/sign-in?next=/")["Location"]
    session = client.session
    flows = session["identity.auth_flows"]
    for pending in flows.values():
        pending["flow"]["nonce"] = "not-the-nonce-the-idp-saw"
    session["identity.auth_flows"] = flows
    session.save()
    back = _authorize_and_pick(client, authorize)
    response = client.get(local_path(back["Location"]))
    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_missing_consent_is_explained(demo_tenant: None) -> None:
    # What Entra redirects back with when an administrator has not consented to the app's scopes.
    client = Client()
    authorize = client.get("/auth/sign-in?next=/")["Location"]
    state = re.search(r"state=([^&]+)", authorize)
    assert state
    response = client.get(
        "/auth/callback",
        {
            "error": "consent_required",
            "error_description": "AADSTS65001: The user or administrator has not consented",
            "state": state.group(1),
        },
    )
    assert response.status_code == 400
    assert "administrator's consent" in response.content.decode()
