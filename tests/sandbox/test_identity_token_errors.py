"""The token endpoint's refusals, in Entra's error shape, each for the reason Entra gives."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from portal.graph.transport import build_session
from portal.sandbox import seed
from portal.sandbox.models import AuthorizationCode, RefreshToken
from tests.sandbox.fixtures_identity import (
    assert_entra_error,
    client_id,
    client_secret,
    get_code,
    redeem,
    token_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_tenant")]


def test_a_code_is_redeemed_once(client: Client) -> None:
    code = get_code(client, seed.ADELE)
    first = redeem(code)
    assert first.status_code == 200, first.text
    assert {
        "access_token",
        "refresh_token",
        "id_token",
        "client_info",
        "expires_in",
        "ext_expires_in",
    } <= set(first.json())

    assert_entra_error(redeem(code), status=400, error="invalid_grant", code=54005)


def test_unknown_code(client: Client) -> None:
    assert_entra_error(redeem("not-a-code"), status=400, error="invalid_grant", code=70000)


def test_expired_code(client: Client) -> None:
    code = get_code(client, seed.ADELE)
    AuthorizationCode.objects.update(created_at=AuthorizationCode.objects.get().created_at - timedelta(minutes=11))

    assert_entra_error(redeem(code), status=400, error="invalid_grant", code=70008)


def test_pkce_verifier_must_match_the_challenge(client: Client) -> None:
    code = get_code(client, seed.ADELE, verifier="a" * 64)

    assert_entra_error(redeem(code, verifier="b" * 64), status=400, error="invalid_grant", code=501481)
    assert_entra_error(redeem(code, verifier=None), status=400, error="invalid_grant", code=501481)  # type: ignore[arg-type]
    # The right verifier still works: a failed attempt doesn't burn the code.
    assert redeem(code, verifier="a" * 64).status_code == 200


def test_wrong_secret_is_401_invalid_client(client: Client) -> None:
    code = get_code(client, seed.ADELE)

    body = assert_entra_error(redeem(code, client_secret="guess"), status=401, error="invalid_client", code=7000215)
    assert "guess" not in body["error_description"]


@pytest.mark.parametrize(
    ("wrong", "status", "error", "code"),
    [
        pytest.param(
            {"redirect_uri": "http://127.0.0.1:8000/elsewhere"},
            400,
            "invalid_grant",
            500112,
            id="redirect_uri must equal the one at authorize",
        ),
        pytest.param({"client_secret": None}, 401, "invalid_client", 7000218, id="missing secret"),
        pytest.param(
            {"client_id": "00000000-0000-0000-0000-000000000001"},
            400,
            "unauthorized_client",
            700016,
            id="unknown client",
        ),
    ],
)
def test_a_redemption_with_one_field_wrong_is_refused(
    client: Client, wrong: dict[str, Any], status: int, error: str, code: int
) -> None:
    auth_code = get_code(client, seed.ADELE)

    assert_entra_error(redeem(auth_code, **wrong), status=status, error=error, code=code)


def test_client_secret_basic_is_accepted(client: Client) -> None:
    code = get_code(client, seed.ADELE)
    basic = base64.b64encode(f"{client_id()}:{client_secret()}".encode()).decode()
    answer = build_session().post(
        token_url(),
        headers={"Authorization": f"Basic {basic}"},
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:8000/auth/callback",
            "code_verifier": "v" * 50,
            "scope": "User.Read openid",
        },
    )
    assert answer.status_code == 200, answer.text


def test_unsupported_grant_type() -> None:
    answer = build_session().post(
        token_url(),
        data={"client_id": client_id(), "client_secret": client_secret(), "grant_type": "password"},
    )
    assert_entra_error(answer, status=400, error="unsupported_grant_type", code=70003)


def test_scope_without_consent(client: Client) -> None:
    code = get_code(client, seed.ADELE)

    body = assert_entra_error(redeem(code, scope="Mail.Read openid"), status=400, error="invalid_grant", code=65001)
    assert body["suberror"] == "consent_required"


def refresh(refresh_token: str) -> Any:
    """POST the refresh-token grant through the portal's transport; returns the response."""
    return build_session().post(
        token_url(),
        data={
            "client_id": client_id(),
            "client_secret": client_secret(),
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "scope": "User.Read openid offline_access",
        },
    )


def test_unknown_refresh_token() -> None:
    answer = refresh("nope")
    assert_entra_error(answer, status=400, error="invalid_grant", code=9002313)


def test_refresh_token_of_a_disabled_user(client: Client) -> None:
    tokens = redeem(get_code(client, seed.ADELE)).json()
    RefreshToken.objects.get().user.__class__.objects.filter(id=seed.ADELE).update(account_enabled=False)

    answer = refresh(tokens["refresh_token"])
    assert_entra_error(answer, status=400, error="invalid_grant", code=50057)


def test_only_the_hash_of_codes_and_refresh_tokens_is_stored(client: Client) -> None:
    code = get_code(client, seed.ADELE)
    refresh_token = redeem(code).json()["refresh_token"]

    stored = AuthorizationCode.objects.get()
    assert stored.code_hash != code
    assert len(stored.code_hash) == 64
    assert not RefreshToken.objects.filter(token_hash=refresh_token).exists()


def test_client_request_id_becomes_the_correlation_id() -> None:
    answer = build_session().post(
        token_url(),
        headers={"client-request-id": "c0ffee00-1111-2222-3333-444455556666"},
        data={
            "client_id": client_id(),
            "client_secret": "wrong",
            "grant_type": "authorization_code",
            "code": "x",
        },
    )
    body = assert_entra_error(answer, status=401, error="invalid_client", code=7000215)
    assert body["correlation_id"] == "c0ffee00-1111-2222-3333-444455556666"
    assert answer.headers["client-request-id"] == "c0ffee00-1111-2222-3333-444455556666"


def test_token_endpoint_only_accepts_post() -> None:
    answer = build_session().get(token_url())
    assert_entra_error(answer, status=400, error="invalid_request", code=900561)
