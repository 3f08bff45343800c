"""The ID token is checked for audience, tenant, issuer, expiry and object id (MSAL checks only
the nonce: test_sign_in::test_nonce_mismatch_is_refused)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings

from portal.identity.errors import SignInError
from portal.identity.signin import _check_id_token_claims


def good() -> dict[str, Any]:
    return {
        "aud": settings.ENTRA_CLIENT_ID,
        "tid": settings.ENTRA_TENANT_ID,
        "iss": f"{settings.ENTRA_AUTHORITY_HOST}/{settings.ENTRA_TENANT_ID}/v2.0",
        "exp": int(time.time()) + 3600,
        "oid": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    }


def test_a_token_for_this_app_from_this_tenant_is_accepted() -> None:
    _check_id_token_claims(good())


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("aud", "another-app"),
        ("tid", "another-tenant"),
        ("iss", "https://login.microsoftonline.com/another-tenant/v2.0"),
        ("exp", -3600),  # an hour ago (relative: the parameters must be the same in every worker)
        ("oid", ""),
    ],
)
def test_a_token_for_another_app_tenant_issuer_or_time_is_refused(claim: str, value: object) -> None:
    if claim == "exp":
        value = int(time.time()) + int(str(value))
    with pytest.raises(SignInError) as refused:
        _check_id_token_claims({**good(), claim: value})
    assert refused.value.kind == "invalid_token"
