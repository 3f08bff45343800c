"""Who may do what (reference §4): the role x operation matrix, missing scopes, app-only tokens,
bad tokens and the self-service step-up (claims challenge)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from django.conf import settings

from portal.graph.transport import build_session
from portal.sandbox.keys import GRAPH_AUDIENCE, signing_key
from portal.sandbox.models import DirectoryUser, HardwareToken
from tests.sandbox.conftest import (
    ADMIN_SCOPES,
    EMPLOYEE_SCOPES,
    READER_SCOPES,
    Directory,
    GraphClient,
    random_secret,
)
from tests.support.sandbox import sandbox
from tests.support.tokens import code_of

pytestmark = pytest.mark.django_db

DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"
OPERATIONS = (
    "self_read",
    "self_write",
    "user_read",
    "user_write",
    "admin_read",
    "admin_write",
    "inventory_read",
    "inventory_write",
    "directory_read",
)


def _statuses(*statuses: int) -> dict[str, int]:
    return dict(zip(OPERATIONS, statuses, strict=True))


# caller → expected status per operation, in OPERATIONS' order (self read/write, user read/write,
# admin read/write, inventory read/write, directory read). 2xx means allowed.
MATRIX: dict[str, tuple[str, list[str], dict[str, int]]] = {
    "employee": ("employee", EMPLOYEE_SCOPES, _statuses(200, 201, 403, 403, 403, 403, 403, 403, 403)),
    "authentication administrator": (
        "auth_admin",
        ADMIN_SCOPES,
        _statuses(200, 201, 200, 201, 403, 403, 200, 403, 200),
    ),
    "privileged authentication administrator": (
        "priv_auth_admin",
        ADMIN_SCOPES,
        _statuses(200, 201, 200, 201, 200, 201, 200, 403, 200),
    ),
    "authentication policy administrator": (
        "policy_admin",
        ADMIN_SCOPES,
        _statuses(200, 201, 403, 403, 403, 403, 200, 201, 200),
    ),
    "global reader": ("global_reader", READER_SCOPES, _statuses(200, 403, 200, 403, 200, 403, 200, 403, 200)),
    "global reader with write scopes": (
        "global_reader",
        ADMIN_SCOPES,
        _statuses(200, 201, 200, 403, 200, 403, 200, 403, 200),
    ),
    "global administrator": ("global_admin", ADMIN_SCOPES, _statuses(200, 201, 200, 201, 200, 201, 200, 201, 200)),
    "privileged admin without scopes": (
        "priv_auth_admin",
        ["User.Read"],
        _statuses(403, 403, 403, 403, 403, 403, 403, 403, 403),
    ),
}


def _methods(user: DirectoryUser) -> str:
    return f"/users/{user.id}/authentication/hardwareOathMethods"


def _run(operation: str, client: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]) -> int:
    if operation == "self_read":
        return client.get("/me/authentication/hardwareOathMethods").status_code
    if operation == "self_write":
        return client.post(
            "/me/authentication/hardwareOathMethods", json={"device": {"id": str(make_token().id)}}
        ).status_code
    if operation in {"user_read", "admin_read"}:
        target = directory.colleague if operation == "user_read" else directory.helpdesk
        return client.get(_methods(target)).status_code
    if operation in {"user_write", "admin_write"}:
        target = directory.colleague if operation == "user_write" else directory.helpdesk
        return client.post(_methods(target), json={"device": {"id": str(make_token().id)}}).status_code
    if operation == "inventory_read":
        return client.get(DEVICES).status_code
    if operation == "inventory_write":
        return client.post(
            DEVICES,
            json={
                "serialNumber": uuid.uuid4().hex,
                "manufacturer": "C",
                "model": "M",
                "secretKey": random_secret(),
                "timeIntervalInSeconds": 30,
            },
        ).status_code
    assert operation == "directory_read"
    return client.get(f"/users/{directory.colleague.id}").status_code


@pytest.mark.parametrize("caller", list(MATRIX))
def test_role_operation_matrix(
    caller: str,
    directory: Directory,
    graph: Callable[..., GraphClient],
    make_token: Callable[..., HardwareToken],
) -> None:
    user_key, scopes, expected = MATRIX[caller]
    client = graph(getattr(directory, user_key), scopes)
    actual = {operation: _run(operation, client, directory, make_token) for operation in OPERATIONS}
    assert actual == expected


def test_denials_use_graphs_codes(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    client = graph(directory.employee)
    method_denied = client.get(_methods(directory.colleague)).json()["error"]
    directory_denied = client.get(f"/users/{directory.colleague.id}").json()["error"]
    assert (method_denied["code"], method_denied["message"]) == (
        "accessDenied",
        "Request Authorization failed",
    )
    assert directory_denied["code"] == "Authorization_RequestDenied"


def test_denied_write_changes_nothing(
    directory: Directory, graph: Callable[..., GraphClient], make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token()
    client = graph(directory.auth_admin)
    assert client.post(_methods(directory.helpdesk), json={"device": {"id": str(token.id)}}).status_code == 403
    token.refresh_from_db()
    assert token.assigned_to_id is None


def test_self_via_users_path_counts_as_self(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    client = graph(directory.employee)
    assert client.get(_methods(directory.employee)).status_code == 200
    assert client.get(f"/users/{directory.employee.user_principal_name}").status_code == 200


@pytest.mark.parametrize(
    ("scope", "accepted"),
    [("UserAuthMethod-HardwareOATH.ReadWrite", True), ("UserAuthMethod-HardwareOATH.Read", False)],
)
def test_per_method_scopes(
    directory: Directory,
    graph: Callable[..., GraphClient],
    make_token: Callable[..., HardwareToken],
    settings: Any,
    scope: str,
    accepted: bool,
) -> None:
    client = graph(directory.employee, [scope])
    assert client.get("/me/authentication/hardwareOathMethods").status_code == 200
    write = client.post("/me/authentication/hardwareOathMethods", json={"device": {"id": str(make_token().id)}})
    assert write.status_code == (201 if accepted else 403)
    sandbox(settings, ACCEPT_PER_METHOD_SCOPES=False)
    assert client.get("/me/authentication/hardwareOathMethods").status_code == 403


# --- authentication ------------------------------------------------------------------------------


def _raw_get(path: str, headers: dict[str, str]) -> Any:
    return build_session().get(f"https://graph.microsoft.com/beta{path}", headers=headers)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln"],
)
def test_bad_tokens_are_401(directory: Directory, authorization: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = _raw_get("/me", headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm=""')


def _app_token(roles: list[str], *, expired: bool = False, tenant: str | None = None) -> str:
    key = signing_key()
    now = int(time.time())
    claims = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"https://sts.windows.net/{settings.SANDBOX['TENANT_ID']}/",
        "iat": now - 7200 if expired else now,
        "nbf": now - 7200 if expired else now,
        "exp": now - 3600 if expired else now + 3600,
        "appid": str(settings.SANDBOX["CLIENT_ID"]),
        "oid": str(uuid.uuid4()),
        "tid": tenant or settings.SANDBOX["TENANT_ID"],
        "roles": roles,
        "ver": "1.0",
    }
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def test_expired_and_foreign_tenant_tokens_are_401(directory: Directory) -> None:
    expired = _raw_get("/users", {"Authorization": f"Bearer {_app_token(['User.Read.All'], expired=True)}"})
    foreign = _raw_get("/users", {"Authorization": f"Bearer {_app_token(['User.Read.All'], tenant=str(uuid.uuid4()))}"})
    assert (expired.status_code, foreign.status_code) == (401, 401)
    assert "expired" in expired.json()["error"]["message"]


def test_me_with_app_only_token_is_400(directory: Directory) -> None:
    headers = {"Authorization": f"Bearer {_app_token(['UserAuthenticationMethod.ReadWrite.All', 'User.Read.All'])}"}
    for path in ("/me", "/me/authentication/hardwareOathMethods"):
        response = _raw_get(path, headers)
        assert response.status_code == 400
        assert response.json()["error"] == {
            **response.json()["error"],
            "code": "BadRequest",
            "message": "/me request is only valid with delegated authentication flow.",
        }


def test_app_only_token_uses_application_permissions(
    directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    make_token(status="assigned", assigned_to=directory.helpdesk)
    allowed = {"Authorization": f"Bearer {_app_token(['UserAuthenticationMethod.Read.All'])}"}
    denied = {"Authorization": f"Bearer {_app_token(['User.Read.All'])}"}
    # No directory role check for applications: even an admin target is readable.
    assert _raw_get(_methods(directory.helpdesk), allowed).status_code == 200
    assert _raw_get(_methods(directory.helpdesk), denied).status_code == 403
    assert _raw_get(f"/users/{directory.helpdesk.id}", denied).status_code == 200


# --- step-up ------------------------------------------------------------------------------------


def test_stale_sign_in_gets_a_claims_challenge_on_self_writes(
    directory: Directory, graph: Callable[..., GraphClient], make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(serial="STEP-1")
    client = graph(directory.employee, signed_in_ago=11 * 60)

    response = client.post(
        "/me/authentication/hardwareOathMethods/assignAndActivateBySerialNumber",
        json={"serialNumber": "STEP-1", "verificationCode": code_of(token)},
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert "claims" in response.json()["error"]["message"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith(
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'
    )
    assert 'client_id="00000003-0000-0000-c000-000000000000"' in challenge
    assert 'error="insufficient_claims"' in challenge
    claims = challenge.split('claims="', 1)[1].rstrip('"')
    assert json.loads(base64.b64decode(claims)) == {"access_token": {"acrs": {"essential": True, "value": "c1"}}}
    token.refresh_from_db()
    assert token.assigned_to_id is None  # the challenged write did not happen
    # Reads are not challenged.
    assert client.get("/me/authentication/hardwareOathMethods").status_code == 200


def test_step_up_is_for_self_service_only_and_switchable(
    directory: Directory,
    graph: Callable[..., GraphClient],
    make_token: Callable[..., HardwareToken],
    settings: Any,
) -> None:
    admin = graph(directory.auth_admin, signed_in_ago=3600)
    assert admin.post(_methods(directory.employee), json={"device": {"id": str(make_token().id)}}).status_code == 201
    employee = graph(directory.employee, signed_in_ago=3600)
    assert (
        employee.post(
            "/me/authentication/hardwareOathMethods", json={"device": {"id": str(make_token().id)}}
        ).status_code
        == 401
    )
    sandbox(settings, STEP_UP_AFTER_SECONDS=0)
    assert (
        employee.post(
            "/me/authentication/hardwareOathMethods", json={"device": {"id": str(make_token().id)}}
        ).status_code
        == 201
    )


def test_fresh_sign_in_passes_step_up(
    directory: Directory, graph: Callable[..., GraphClient], make_token: Callable[..., HardwareToken]
) -> None:
    client = graph(directory.employee, signed_in_ago=9 * 60)
    assert (
        client.post("/me/authentication/hardwareOathMethods", json={"device": {"id": str(make_token().id)}}).status_code
        == 201
    )
