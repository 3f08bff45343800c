"""Fixtures for the Graph emulator's tests: a small directory, tokens in every status, and a Graph
client that talks to the emulator exactly as the portal does (requests session from
portal.graph.transport, bearer tokens minted by the sandbox's own key).

Every response a `graph(...)` client receives is kept; at teardown the test fails if any response
body contains the secret of a token made with `make_token` (secretKey must never be returned).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from django.conf import settings

from portal.graph.transport import build_session
from portal.sandbox import roles
from portal.sandbox.graph import faults
from portal.sandbox.keys import mint_access_token, signing_key
from portal.sandbox.models import DirectoryUser, HardwareToken, SigningKey
from tests.support.sandbox import sandbox

GRAPH = "https://graph.microsoft.com/beta"

EMPLOYEE_SCOPES = ["User.Read", "UserAuthenticationMethod.ReadWrite"]
ADMIN_SCOPES = [
    "User.ReadBasic.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "Policy.ReadWrite.AuthenticationMethod",
]
READER_SCOPES = ["User.ReadBasic.All", "UserAuthenticationMethod.Read.All", "Policy.Read.All"]


@pytest.fixture(autouse=True)
def _quiet_sandbox(settings: Any) -> Iterator[None]:
    """Tests start with no injected faults and the documented defaults, whatever the environment says."""
    sandbox(
        settings,
        LATENCY_MS=0,
        THROTTLE_RATE=0.0,
        UNAVAILABLE_RATE=0.0,
        RETRY_AFTER_SECONDS=1.0,
        FAULT_SEED=None,
        TOTP_WINDOW_STEPS=1,
        ACTIVATION_WINDOW_STEPS=2880,
        DELETED_USER_RELEASES_TOKENS=False,
        PAGE_SIZE=100,
        MAX_TOP=999,
        BULK_STATUS=200,
        WRONG_CODE_SETS_FAILED_ACTIVATION=True,
        UNIQUE_SERIALS=True,
        MAX_METHODS_PER_USER=0,
        ACCEPT_PER_METHOD_SCOPES=True,
        STEP_UP_AFTER_SECONDS=600,
        REQUEST_LOG=True,
        TAP_STATE="enabled",
        TAP_DEFAULT_LIFETIME_MINUTES=60,
        TAP_MIN_LIFETIME_MINUTES=60,
        TAP_MAX_LIFETIME_MINUTES=480,
        TAP_DEFAULT_LENGTH=8,
        TAP_USABLE_ONCE=False,
        TAP_REPLACE_EXISTING=True,
        CLOCK_OFFSET_SECONDS=0,
    )
    faults.reset()
    yield
    faults.reset()


def random_secret() -> str:
    return base64.b32encode(os.urandom(20)).decode().rstrip("=")


# --- the directory ---------------------------------------------------------------------------------


@dataclass
class Directory:
    employee: DirectoryUser
    colleague: DirectoryUser
    guest: DirectoryUser
    helpdesk: DirectoryUser  # holds a directory role → an "admin" target
    auth_admin: DirectoryUser
    priv_auth_admin: DirectoryUser
    policy_admin: DirectoryUser
    global_reader: DirectoryUser
    global_admin: DirectoryUser


def _user(upn: str, name: str, *extra_roles: str, user_type: str = "Member") -> DirectoryUser:
    given, _, surname = name.partition(" ")
    return DirectoryUser.objects.create(
        user_principal_name=upn,
        display_name=name,
        given_name=given,
        surname=surname,
        mail=upn,
        job_title="Tester",
        department="QA",
        user_type=user_type,
        roles=[roles.MEMBER, *extra_roles],
    )


@pytest.fixture
def directory(db: None) -> Directory:
    return Directory(
        employee=_user("amy.employee@contoso.test", "Amy Employee"),
        colleague=_user("carl.colleague@contoso.test", "Carl Colleague"),
        guest=_user("gus_partner.test#EXT#@contoso.test", "Gus Guest", user_type="Guest"),
        helpdesk=_user("hana.helpdesk@contoso.test", "Hana Helpdesk", roles.HELPDESK_ADMINISTRATOR),
        auth_admin=_user("aaron.authadmin@contoso.test", "Aaron Authadmin", roles.AUTHENTICATION_ADMINISTRATOR),
        priv_auth_admin=_user(
            "petra.privileged@contoso.test", "Petra Privileged", roles.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR
        ),
        policy_admin=_user("paul.policy@contoso.test", "Paul Policy", roles.AUTHENTICATION_POLICY_ADMINISTRATOR),
        global_reader=_user("gloria.reader@contoso.test", "Gloria Reader", roles.GLOBAL_READER),
        global_admin=_user("greg.global@contoso.test", "Greg Global", roles.GLOBAL_ADMINISTRATOR),
    )


# --- tokens ------------------------------------------------------------------------------------------


@pytest.fixture
def known_secrets() -> list[str]:
    """Secrets handed to the emulator in this test (checked against every response by `graph`)."""
    return []


@pytest.fixture
def make_token(db: None, known_secrets: list[str]) -> Callable[..., HardwareToken]:
    counter = iter(range(1, 1_000_000))

    def make(
        *,
        serial: str | None = None,
        status: str = HardwareToken.Status.AVAILABLE,
        assigned_to: DirectoryUser | None = None,
        interval: int = 30,
        hash_function: str = "hmacsha1",
        display_name: str | None = None,
        secret: str | None = None,
    ) -> HardwareToken:
        secret = secret or random_secret()
        known_secrets.append(secret)
        return HardwareToken.objects.create(
            serial_number=serial or f"SN-{next(counter):06d}",
            manufacturer="Contoso",
            model="OTP-6",
            secret_key=secret,
            time_interval=interval,
            hash_function=hash_function,
            status=status,
            assigned_to=assigned_to,
            assigned_at=datetime.now(UTC) if assigned_to else None,
            display_name=display_name,
        )

    return make


# --- talking to Graph ----------------------------------------------------------------------------


@dataclass
class GraphClient:
    """A caller with one access token, using the portal's own requests session."""

    token: str
    session: requests.Session
    seen: list[requests.Response] = field(default_factory=list)

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        url = path if path.startswith("http") else GRAPH + path
        response = self.session.request(
            method, url, headers={"Authorization": f"Bearer {self.token}", **(headers or {})}, **kwargs
        )
        self.seen.append(response)
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


_KEY_CACHE: dict[str, str] = {}


def _reuse_signing_key() -> None:
    """Generating an RSA key takes ~0.1 s and every test's rollback drops it: keep one per session."""
    if SigningKey.objects.exists():
        return
    if not _KEY_CACHE:
        key = signing_key()  # generates and stores one
        row = SigningKey.objects.get(kid=key.kid)
        _KEY_CACHE.update(kid=row.kid, pem=row.private_key_pem)
        return
    SigningKey.objects.create(kid=_KEY_CACHE["kid"], private_key_pem=_KEY_CACHE["pem"])


def access_token(user: DirectoryUser, scopes: list[str], *, signed_in_ago: float = 0) -> str:
    return mint_access_token(
        user=user,
        scopes=scopes,
        client_id=str(settings.SANDBOX["CLIENT_ID"]),
        auth_time=datetime.now(UTC) - timedelta(seconds=signed_in_ago),
    )


@pytest.fixture
def graph(db: None, known_secrets: list[str]) -> Iterator[Callable[..., GraphClient]]:
    """graph(user, scopes=None, signed_in_ago=0) → a client; defaults to the portal's scopes for the user."""
    clients: list[GraphClient] = []
    _reuse_signing_key()

    def make(user: DirectoryUser, scopes: list[str] | None = None, *, signed_in_ago: float = 0) -> GraphClient:
        if scopes is None:
            scopes = EMPLOYEE_SCOPES if user.roles == [roles.MEMBER] else ADMIN_SCOPES
        client = GraphClient(token=access_token(user, scopes, signed_in_ago=signed_in_ago), session=build_session())
        clients.append(client)
        return client

    yield make
    secrets = {s.upper() for s in known_secrets} | {
        s.upper() for s in HardwareToken.objects.values_list("secret_key", flat=True)
    }
    for client in clients:
        for response in client.seen:
            body = response.content.decode("utf-8", "replace").upper()
            for secret in secrets:
                assert secret not in body, f"a token secret was returned by {response.request.method} {response.url}"


def json_of(response: requests.Response) -> Any:
    assert response.headers["Content-Type"].startswith("application/json"), response.headers["Content-Type"]
    return response.json()
