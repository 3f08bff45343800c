"""Temporary Access Pass in the Graph emulator (T1-T5): roles and scopes, one pass per user, the
tenant's policy, the pass shown only by create, and usability over (shifted) time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.sandbox.models import TemporaryAccessPass
from tests.sandbox.conftest import EMPLOYEE_SCOPES, READER_SCOPES, Directory, GraphClient, json_of
from tests.support.sandbox import sandbox

pytestmark = pytest.mark.django_db

POLICY = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"
ME = "/me/authentication/temporaryAccessPassMethods"
HOUR = 3600


def passes_of(user_ref: object) -> str:
    return f"/users/{user_ref}/authentication/temporaryAccessPassMethods"


@pytest.fixture
def admin(directory: Directory, graph: Callable[..., GraphClient]) -> GraphClient:
    return graph(directory.auth_admin)


def create(client: GraphClient, user: object, **body: Any) -> Any:
    return client.post(passes_of(user), json=body)


# --- create ----------------------------------------------------------------------------------------


def test_create_returns_the_pass_once_and_reads_never_do(admin: GraphClient, directory: Directory) -> None:
    response = create(admin, directory.employee.id, lifetimeInMinutes=120, isUsableOnce=True)

    assert response.status_code == 201
    body = json_of(response)
    value = body["temporaryAccessPass"]
    assert isinstance(value, str) and len(value) == 8
    assert body["@odata.type"] == "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
    assert body["lifetimeInMinutes"] == 120
    assert body["isUsableOnce"] is True
    assert body["isUsable"] is True
    assert body["methodUsabilityReason"] == "EnabledByPolicy"
    assert response.headers["Location"].endswith(f"/temporaryAccessPassMethods/{body['id']}")

    listed = json_of(admin.get(passes_of(directory.employee.user_principal_name)))["value"]
    single = json_of(admin.get(passes_of(directory.employee.id) + "/" + body["id"]))
    assert [item["id"] for item in listed] == [body["id"]]
    assert listed[0]["temporaryAccessPass"] is None
    assert single["temporaryAccessPass"] is None
    for read in (admin.seen[1], admin.seen[2]):
        assert value not in read.text
    # The sandbox keeps only a hash.
    stored = TemporaryAccessPass.objects.get(pk=body["id"])
    assert value not in {stored.pass_hash, str(stored.__dict__)}


def test_defaults_come_from_the_policy(admin: GraphClient, directory: Directory, settings: Any) -> None:
    sandbox(settings, TAP_DEFAULT_LIFETIME_MINUTES=90, TAP_DEFAULT_LENGTH=12, TAP_USABLE_ONCE=True)

    body = json_of(create(admin, directory.employee.id, isUsableOnce=False))

    assert body["lifetimeInMinutes"] == 90
    assert len(body["temporaryAccessPass"]) == 12
    assert body["isUsableOnce"] is True  # the policy makes every pass one-time


@pytest.mark.parametrize("lifetime", [59, 481, 9, 43201])
def test_lifetime_outside_the_policy_is_refused(admin: GraphClient, directory: Directory, lifetime: int) -> None:
    response = create(admin, directory.employee.id, lifetimeInMinutes=lifetime)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "temporaryAccessPassLifetimeOutOfRange"
    assert not TemporaryAccessPass.objects.exists()


def test_a_disabled_policy_refuses_create(admin: GraphClient, directory: Directory, settings: Any) -> None:
    sandbox(settings, TAP_STATE="disabled")

    response = create(admin, directory.employee.id)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "temporaryAccessPassDisabledByPolicy"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"temporaryAccessPass": "MyOwnPass1"}, "temporaryAccessPass"),
        ({"isUsable": True}, "isUsable"),
        ({"colour": "blue"}, "colour"),
        ({"lifetimeInMinutes": "60"}, "lifetimeInMinutes"),
        ({"isUsableOnce": "yes"}, "isUsableOnce"),
        ({"startDateTime": "tomorrow"}, "startDateTime"),
    ],
)
def test_malformed_create_bodies(admin: GraphClient, directory: Directory, body: dict[str, Any], field: str) -> None:
    response = create(admin, directory.employee.id, **body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidRequest"
    assert field in response.json()["error"]["message"]


def test_one_pass_per_user_a_new_one_replaces_the_old(admin: GraphClient, directory: Directory) -> None:
    first = json_of(create(admin, directory.employee.id))
    second = json_of(create(admin, directory.employee.id))

    listed = json_of(admin.get(passes_of(directory.employee.id)))["value"]
    assert [item["id"] for item in listed] == [second["id"]]
    assert admin.get(passes_of(directory.employee.id) + "/" + first["id"]).status_code == 404


def test_replacing_can_be_switched_off(admin: GraphClient, directory: Directory, settings: Any) -> None:
    sandbox(settings, TAP_REPLACE_EXISTING=False)
    create(admin, directory.employee.id)

    response = create(admin, directory.employee.id)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "temporaryAccessPassAlreadyExists"
    # Once the first is no longer usable, a new one may be created.
    sandbox(settings, CLOCK_OFFSET_SECONDS=2 * HOUR)
    assert create(admin, directory.employee.id).status_code == 201


# --- usability over time ------------------------------------------------------------------------------


def reason(client: GraphClient, user: object) -> tuple[bool, str]:
    [item] = json_of(client.get(passes_of(user)))["value"]
    return item["isUsable"], item["methodUsabilityReason"]


def test_usability_follows_the_clock(admin: GraphClient, directory: Directory, settings: Any) -> None:
    body = json_of(create(admin, directory.employee.id, startDateTime="2999-01-01T00:00:00Z"))
    assert (body["isUsable"], body["methodUsabilityReason"]) == (False, "NotYetValid")
    assert body["startDateTime"] == "2999-01-01T00:00:00Z"

    create(admin, directory.employee.id, lifetimeInMinutes=60)
    assert reason(admin, directory.employee.id) == (True, "EnabledByPolicy")
    sandbox(settings, CLOCK_OFFSET_SECONDS=59 * 60)
    assert reason(admin, directory.employee.id) == (True, "EnabledByPolicy")
    sandbox(settings, CLOCK_OFFSET_SECONDS=61 * 60)
    assert reason(admin, directory.employee.id) == (False, "Expired")


def test_a_disabled_policy_makes_existing_passes_unusable(
    admin: GraphClient, directory: Directory, settings: Any
) -> None:
    create(admin, directory.employee.id)
    sandbox(settings, TAP_STATE="disabled")

    assert reason(admin, directory.employee.id) == (False, "DisabledByPolicy")


# --- roles and scopes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "target", "allowed"),
    [
        ("auth_admin", "employee", True),
        ("auth_admin", "helpdesk", False),  # holds a directory role: privileged admins only
        ("priv_auth_admin", "helpdesk", True),
        ("global_admin", "helpdesk", True),
        ("global_reader", "employee", False),
        ("policy_admin", "employee", False),
        ("employee", "colleague", False),
    ],
)
def test_who_may_create_a_pass_for_whom(
    directory: Directory, graph: Callable[..., GraphClient], caller: str, target: str, allowed: bool
) -> None:
    client = graph(getattr(directory, caller))

    response = create(client, getattr(directory, target).id)

    assert response.status_code == (201 if allowed else 403)
    if not allowed:
        assert response.json()["error"]["code"] == "accessDenied"


def test_create_needs_read_write_all(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    reader_scoped = graph(directory.priv_auth_admin, ["UserAuthenticationMethod.Read.All"])
    tap_scoped = graph(directory.priv_auth_admin, ["UserAuthMethod-TAP.ReadWrite.All"])

    assert create(reader_scoped, directory.employee.id).status_code == 403
    assert create(tap_scoped, directory.employee.id).status_code == 201


def test_nobody_creates_their_own_pass(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    admin = graph(directory.global_admin)

    assert admin.post(ME, json={}).status_code == 403
    assert create(admin, directory.global_admin.id).status_code == 403


def test_global_reader_reads_but_cannot_delete(
    admin: GraphClient, directory: Directory, graph: Callable[..., GraphClient]
) -> None:
    created = json_of(create(admin, directory.employee.id))
    reader = graph(directory.global_reader, READER_SCOPES)

    assert reader.get(passes_of(directory.employee.id)).status_code == 200
    response = reader.delete(passes_of(directory.employee.id) + "/" + created["id"])
    assert response.status_code == 403


def test_the_person_reads_and_deletes_their_own_pass(
    admin: GraphClient, directory: Directory, graph: Callable[..., GraphClient]
) -> None:
    created = json_of(create(admin, directory.employee.id))
    amy = graph(directory.employee, EMPLOYEE_SCOPES)

    [mine] = json_of(amy.get(ME))["value"]
    assert mine["id"] == created["id"]
    assert mine["temporaryAccessPass"] is None
    assert amy.delete(f"{ME}/{created['id']}").status_code == 204
    assert json_of(admin.get(passes_of(directory.employee.id)))["value"] == []


def test_delete_by_the_helpdesk_and_unknown_ids(admin: GraphClient, directory: Directory) -> None:
    created = json_of(create(admin, directory.employee.id))

    assert admin.delete(passes_of(directory.employee.id) + "/" + created["id"]).status_code == 204
    missing = admin.delete(passes_of(directory.employee.id) + "/" + created["id"])
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "itemNotFound"
    assert admin.get(passes_of(directory.employee.id) + "/not-a-guid").status_code == 404


# --- policy -------------------------------------------------------------------------------------------


def test_policy_reflects_the_sandbox_settings(admin: GraphClient, settings: Any) -> None:
    sandbox(settings, TAP_MAX_LIFETIME_MINUTES=240, TAP_USABLE_ONCE=True)

    body = json_of(admin.get(POLICY))

    assert body["@odata.type"] == "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
    assert body["id"] == "TemporaryAccessPass"
    assert body["state"] == "enabled"
    assert (body["minimumLifetimeInMinutes"], body["defaultLifetimeInMinutes"], body["maximumLifetimeInMinutes"]) == (
        60,
        60,
        240,
    )
    assert body["defaultLength"] == 8
    assert body["isUsableOnce"] is True


def test_policy_disabled_and_access(directory: Directory, graph: Callable[..., GraphClient], settings: Any) -> None:
    sandbox(settings, TAP_STATE="disabled")
    employee = graph(directory.employee, ["User.Read", "UserAuthenticationMethod.ReadWrite"])
    policy_admin = graph(directory.policy_admin)

    assert json_of(policy_admin.get(POLICY))["state"] == "disabled"
    assert employee.get(POLICY).status_code == 403
    unknown = policy_admin.get(POLICY.replace("TemporaryAccessPass", "Fido2"))
    assert unknown.status_code == 404
