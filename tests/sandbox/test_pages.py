"""The sandbox tenant's browser pages: sign-in, sign-out, virtual tokens, index, and the Graph relay."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from portal.sandbox import seed
from portal.sandbox.models import AuthorizationCode, HardwareToken
from portal.sandbox.totp import current_code
from tests.sandbox.fixtures_identity import authorize_path, authorize_url, redirect_uri, tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_tenant")]

LOGOUT = f"/sandbox/login/{tenant()}/oauth2/v2.0/logout"


def callback_params(response: object) -> dict[str, list[str]]:
    location = urlsplit(response["Location"])  # type: ignore[index]
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri()
    return parse_qs(location.query)


def assert_csp_clean(html: str) -> None:
    """No inline script or style: the Content-Security-Policy forbids both."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert " style=" not in html
    assert "<style" not in html


# --- Sign-in page ------------------------------------------------------------------------------------


def test_sign_in_page_lists_the_enabled_demo_users(client: Client) -> None:
    page = client.get(authorize_url())

    html = page.content.decode()
    assert page.status_code == 200
    assert "Sandbox tenant — not Microsoft" in html
    assert 'lang="en"' in html
    assert "Sign in as Adele Vance" in html
    assert "adele.vance@contoso-sandbox.example" in html
    assert "Privileged Authentication Administrator" in html
    assert seed.USERS[0].description in html
    assert "Diego Siciliani" not in html  # disabled: cannot sign in
    assert 'name="csrfmiddlewaretoken"' in html
    assert_csp_clean(html)
    assert page["Cache-Control"].startswith("max-age=0")


def test_picking_a_user_returns_a_code_to_the_app(client: Client) -> None:
    page = client.get(authorize_url(state="s-123", nonce="n-hash"))
    answer = client.post(authorize_path(), {"request": page.context["carried"], "user": seed.ALEX})

    assert answer.status_code == 302
    params = callback_params(answer)
    assert params["state"] == ["s-123"]
    assert params["code"][0]
    assert params["client_info"][0]
    assert params["session_state"][0]
    stored = AuthorizationCode.objects.get()
    assert str(stored.user_id) == seed.ALEX
    assert stored.nonce == "n-hash"
    assert stored.redirect_uri == redirect_uri()


def test_the_pick_form_is_csrf_protected() -> None:
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(authorize_url())

    refused = strict.post(authorize_path(), {"request": page.context["carried"], "user": seed.ADELE})

    assert refused.status_code == 403
    assert not AuthorizationCode.objects.exists()


def test_tampered_request_is_refused(client: Client) -> None:
    page = client.get(authorize_url())
    carried = page.context["carried"]

    answer = client.post(authorize_path(), {"request": carried[:-2] + "xx", "user": seed.ADELE})

    assert answer.status_code == 400
    assert not answer.has_header("Location")


def test_a_disabled_user_cannot_be_picked(client: Client) -> None:
    page = client.get(authorize_url())

    answer = client.post(authorize_path(), {"request": page.context["carried"], "user": seed.DIEGO})

    assert answer.status_code == 400
    assert not AuthorizationCode.objects.exists()


def test_cancel_returns_access_denied(client: Client) -> None:
    page = client.get(authorize_url(state="s-9"))

    answer = client.post(authorize_path(), {"request": page.context["carried"], "cancel": "1"})

    params = callback_params(answer)
    assert params["error"] == ["access_denied"]
    assert params["error_description"][0].startswith("AADSTS65004:")
    assert params["state"] == ["s-9"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": "http://127.0.0.1:8000/auth/callback/extra"},
        {"redirect_uri": ""},
        {"client_id": "00000000-0000-0000-0000-000000000001"},
    ],
)
def test_untrustworthy_requests_get_an_error_page_never_a_redirect(client: Client, overrides: dict[str, str]) -> None:
    page = client.get(authorize_url(**overrides))

    assert page.status_code == 400
    assert not page.has_header("Location")
    assert "AADSTS" in page.content.decode()


def test_unknown_tenant_gets_an_error_page(client: Client) -> None:
    page = client.get(authorize_url().replace(tenant(), "contoso.onmicrosoft.com"))

    assert page.status_code == 400
    assert "AADSTS90002" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"code_challenge": ""}, "invalid_request", "AADSTS9002325"),
        ({"code_challenge_method": "plain"}, "invalid_request", "AADSTS900144"),
        ({"response_type": "token"}, "unsupported_response_type", "AADSTS700054"),
        ({"scope": "Mail.Send openid"}, "consent_required", "AADSTS65001"),
        ({"prompt": "none"}, "login_required", "AADSTS50058"),
    ],
)
def test_other_problems_go_back_to_the_app(client: Client, overrides: dict[str, str], error: str, code: str) -> None:
    answer = client.get(authorize_url(state="s-1", **overrides))

    assert answer.status_code == 302
    params = callback_params(answer)
    assert params["error"] == [error]
    assert params["error_description"][0].startswith(code + ":")
    assert params["state"] == ["s-1"]


def test_form_post_response_mode(client: Client) -> None:
    page = client.get(authorize_url(response_mode="form_post", state="s-2"))
    answer = client.post(authorize_path(), {"request": page.context["carried"], "user": seed.ADELE})

    html = answer.content.decode()
    assert answer.status_code == 200
    assert f'action="{redirect_uri()}"' in html
    assert 'name="code"' in html
    assert 'name="state" value="s-2"' in html
    assert_csp_clean(html)


def test_fresh_authentication_is_explained(client: Client) -> None:
    page = client.get(authorize_url(claims='{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'))

    assert "sign in again to prove it" in page.content.decode()


# --- Sign-out page -----------------------------------------------------------------------------------


def test_logout_redirects_to_a_registered_address(client: Client) -> None:
    answer = client.get(LOGOUT, {"post_logout_redirect_uri": "http://127.0.0.1:8000/auth/signed-out", "state": "x"})

    assert answer.status_code == 302
    assert answer["Location"] == "http://127.0.0.1:8000/auth/signed-out?state=x"


@pytest.mark.parametrize("target", ["https://evil.example/", "http://127.0.0.1:8000/elsewhere", ""])
def test_logout_never_redirects_elsewhere(client: Client, target: str) -> None:
    page = client.get(LOGOUT, {"post_logout_redirect_uri": target} if target else {})

    assert page.status_code == 200
    assert not page.has_header("Location")
    html = page.content.decode()
    assert "You signed out of the sandbox tenant" in html
    if target:
        assert target not in html
    assert_csp_clean(html)


# --- Virtual tokens ------------------------------------------------------------------------------------


def test_virtual_tokens_show_the_current_code(client: Client) -> None:
    token = HardwareToken.objects.get(serial_number="60200101")
    before = current_code(token.secret_key, token.time_interval, token.hash_function)
    page = client.get("/sandbox/tokens/")
    after = current_code(token.secret_key, token.time_interval, token.hash_function)

    html = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    shown = {f"{code[:3]} {code[3:]}" for code in (before, after)}
    row = html[html.index("60200101") :]
    row = row[: row.index("</tr>")]
    assert any(code in row for code in shown), row
    assert "Adele Vance" in row
    assert html.count("<tr>") == HardwareToken.objects.count() + 1
    assert 'hx-trigger="every 5s"' in html
    assert "Refresh the codes" in html
    assert_csp_clean(html)


def test_virtual_tokens_filter_by_serial(client: Client) -> None:
    page = client.get("/sandbox/tokens/", {"serial": "SI-0100"})

    serials = [row.token.serial_number for row in page.context["rows"]]
    assert serials
    assert all(serial.startswith("SI-0100") for serial in serials)


def test_virtual_tokens_partial_for_htmx(client: Client) -> None:
    partial = client.get("/sandbox/tokens/", {"serial": "60200101"}, headers={"HX-Request": "true"})

    html = partial.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="token-list"')
    assert "serial=60200101" in html


# --- Index -------------------------------------------------------------------------------------------


def test_index_explains_the_sandbox(client: Client) -> None:
    page = client.get("/sandbox/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Sandbox tenant — not Microsoft" in html
    assert "manage.py sandbox_token" in html
    assert "Global Administrator" in html
    assert "Emulation settings in force" in html
    assert "/sandbox/graph/beta" in html
    assert_csp_clean(html)


# --- Directory page and sign-in with a token --------------------------------------------------------


def test_directory_page_blocks_deletes_and_restores_accounts(client: Client) -> None:
    page = client.get("/sandbox/users/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lee Gu" in html and "Deleted" in html  # the seeded leaver
    assert "Sign-in blocked" in html  # Diego
    assert_csp_clean(html)

    client.post(f"/sandbox/users/{seed.ADELE}/", {"action": "delete"})
    assert "Sign in as Adele Vance" not in client.get(authorize_url()).content.decode()
    client.post(f"/sandbox/users/{seed.ADELE}/", {"action": "restore"})
    client.post(f"/sandbox/users/{seed.ADELE}/", {"action": "disable"})
    assert "Sign in as Adele Vance" not in client.get(authorize_url()).content.decode()
    answer = client.post(f"/sandbox/users/{seed.ADELE}/", {"action": "enable"}, follow=True)
    assert "Adele Vance: account enabled." in answer.content.decode()
    assert "Sign in as Adele Vance" in client.get(authorize_url()).content.decode()


def test_signing_in_with_a_token_from_the_virtual_tokens_page(client: Client) -> None:
    token = HardwareToken.objects.get(serial_number="2100040003")  # Patti's: activated, never used
    assert token.last_used_at is None
    page = client.get("/sandbox/tokens/").content.decode()
    assert f'value="{token.pk}"' in page

    answer = client.post("/sandbox/tokens/sign-in", {"token": str(token.pk)}, follow=True)

    assert "Patti Fernandez signed in with token 2100040003" in answer.content.decode()
    token.refresh_from_db()
    assert token.last_used_at is not None
    refused = client.post("/sandbox/tokens/sign-in", {"token": str(token.pk).replace("-", "x")}, follow=True)
    assert "Pick one of the activated tokens." in refused.content.decode()
