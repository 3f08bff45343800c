"""A user's hardware OATH methods, U1-U12, in both /me and /users/{id} forms, and the state machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.sandbox.models import HardwareToken
from tests.sandbox.conftest import GRAPH, Directory, GraphClient, json_of
from tests.support.sandbox import sandbox
from tests.support.tokens import code_of, wrong_code_of

pytestmark = pytest.mark.django_db

ME = "/me/authentication/hardwareOathMethods"


def users_path(user_ref: str) -> str:
    return f"/users/{user_ref}/authentication/hardwareOathMethods"


@pytest.fixture
def amy(directory: Directory, graph: Callable[..., GraphClient]) -> GraphClient:
    return graph(directory.employee)


@pytest.fixture
def admin(directory: Directory, graph: Callable[..., GraphClient]) -> GraphClient:
    return graph(directory.auth_admin)


def status_of(token: HardwareToken) -> str:
    token.refresh_from_db()
    return token.status


# --- U1 / U2 / U10 / U11 / U12 reads -------------------------------------------------------------


def test_list_my_methods(amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]) -> None:
    mine = make_token(serial="SN-MINE", status="activated", assigned_to=directory.employee, display_name="Mine")
    make_token(serial="SN-OTHER", status="assigned", assigned_to=directory.colleague)
    make_token(serial="SN-FREE")

    response = amy.get(ME)

    assert response.status_code == 200
    body = json_of(response)
    assert body["@odata.context"] == (
        f"{GRAPH}/$metadata#users('{directory.employee.id}')/authentication/hardwareOathMethods"
    )
    [method] = body["value"]
    assert set(method) == {"@odata.type", "id", "createdDateTime", "lastUsedDateTime", "device"}
    assert method["@odata.type"] == "#microsoft.graph.hardwareOathAuthenticationMethod"
    assert method["id"] == method["device"]["id"] == str(mine.id)
    assert method["createdDateTime"].endswith("Z")
    assert method["device"]["serialNumber"] == "SN-MINE"
    assert method["device"]["secretKey"] is None
    assert method["device"]["status"] == "activated"
    assert method["device"]["assignedTo"] == {"id": str(directory.employee.id), "displayName": "Amy Employee"}


@pytest.mark.parametrize("ref", ["id", "upn"])
def test_list_another_users_methods(
    admin: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken], ref: str
) -> None:
    make_token(status="assigned", assigned_to=directory.employee)
    user_ref = str(directory.employee.id) if ref == "id" else "AMY.employee@contoso.test"
    response = admin.get(users_path(user_ref), params={"$count": "true"})
    assert response.status_code == 200
    assert response.json()["@odata.count"] == 1
    assert len(response.json()["value"]) == 1


def test_unknown_user_is_404(admin: GraphClient) -> None:
    response = admin.get(users_path("nobody@contoso.test"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "Request_ResourceNotFound"


def test_list_filter_and_select(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    make_token(serial="SN-1", status="activated", assigned_to=directory.employee)
    second = make_token(serial="SN-2", status="assigned", assigned_to=directory.employee)
    body = amy.get(ME, params={"$filter": "device/status eq 'assigned'", "$select": "id"}).json()
    assert body["value"] == [{"@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod", "id": str(second.id)}]
    assert amy.get(ME, params={"$expand": "device"}).status_code == 200
    assert amy.get(ME, params={"$expand": "owner"}).status_code == 400


def test_get_one_method_and_its_device_and_user(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(status="assigned", assigned_to=directory.employee)

    method = amy.get(f"{ME}/{token.id}")
    device = amy.get(f"{ME}/{token.id}/device")
    owner = amy.get(f"{ME}/{token.id}/device/assignTo")
    count = amy.get(f"{ME}/$count")

    assert method.status_code == device.status_code == owner.status_code == count.status_code == 200
    assert method.json()["@odata.context"].endswith("/authentication/hardwareOathMethods/$entity")
    assert method.json()["device"]["id"] == str(token.id)
    assert device.json()["@odata.type"] == "#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice"
    assert device.json()["secretKey"] is None
    assert owner.json()["userPrincipalName"] == "amy.employee@contoso.test"
    assert count.text == "1"


def test_someone_elses_token_is_not_my_method(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    theirs = make_token(status="assigned", assigned_to=directory.colleague)
    free = make_token()
    for token in (theirs, free):
        response = amy.get(f"{ME}/{token.id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "itemNotFound"
        assert amy.delete(f"{ME}/{token.id}").status_code == 404
    assert status_of(theirs) == "assigned"


# --- U3 assign / U4 unassign -----------------------------------------------------------------------


@pytest.mark.parametrize("body_form", ["device", "id"])
def test_assign_then_unassign(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken], body_form: str
) -> None:
    token = make_token()
    body: dict[str, Any] = {"device": {"id": str(token.id)}} if body_form == "device" else {"id": str(token.id)}

    response = amy.post(ME, json=body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["@odata.type"] == "#microsoft.graph.hardwareOathAuthenticationMethod"
    assert created["id"] == str(token.id)
    assert created["createdDateTime"]
    assert created["device"]["status"] == "assigned"
    token.refresh_from_db()
    assert token.assigned_to_id == directory.employee.id
    assert token.status == "assigned"

    deleted = amy.delete(f"{ME}/{token.id}")

    assert deleted.status_code == 204
    token.refresh_from_db()
    assert token.assigned_to_id is None
    assert token.status == "available"
    assert HardwareToken.objects.filter(pk=token.pk).exists()  # back in the inventory, not deleted


def test_assign_taken_token_is_409_without_naming_the_owner(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    taken = make_token(status="activated", assigned_to=directory.colleague)
    response = amy.post(ME, json={"device": {"id": str(taken.id)}})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "deviceAlreadyAssigned"
    assert "Carl" not in response.text
    assert str(directory.colleague.id) not in response.text


def test_assign_unknown_token_is_404(amy: GraphClient) -> None:
    response = amy.post(ME, json={"device": {"id": "00000000-0000-0000-0000-000000000000"}})
    assert response.status_code == 404


def test_assign_needs_a_device_id(amy: GraphClient) -> None:
    response = amy.post(ME, json={"device": {}})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidRequest"


def test_guest_cannot_be_assigned(
    directory: Directory, graph: Callable[..., GraphClient], make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token()
    response = graph(directory.priv_auth_admin).post(
        users_path(str(directory.guest.id)), json={"device": {"id": str(token.id)}}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "guestUserNotSupported"
    assert status_of(token) == "available"


def test_method_limit_switch(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken], settings: Any
) -> None:
    make_token(status="activated", assigned_to=directory.employee)
    extra = make_token()
    sandbox(settings, MAX_METHODS_PER_USER=1)
    response = amy.post(ME, json={"device": {"id": str(extra.id)}})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "methodLimitReached"
    sandbox(settings, MAX_METHODS_PER_USER=0)
    assert amy.post(ME, json={"device": {"id": str(extra.id)}}).status_code == 201


# --- U5 activate / U6 deactivate and the state machine ---------------------------------------------


def test_state_machine_with_failed_activation_and_retry(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(status="assigned", assigned_to=directory.employee)
    code = wrong_code_of(token)

    failed = amy.post(f"{ME}/{token.id}/activate", json={"verificationCode": code})

    assert failed.status_code == 400
    assert failed.json()["error"]["code"] == "invalidVerificationCode"
    assert code not in failed.text
    assert status_of(token) == "failedActivation"

    retried = amy.post(f"{ME}/{token.id}/activate", json={"verificationCode": code_of(token), "displayName": "Mine"})

    assert retried.status_code == 204
    token.refresh_from_db()
    assert (token.status, token.display_name) == ("activated", "Mine")

    again = amy.post(f"{ME}/{token.id}/activate", json={"verificationCode": code_of(token)})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "deviceAlreadyActivated"

    assert amy.post(f"{ME}/{token.id}/deactivate").status_code == 204
    assert status_of(token) == "assigned"
    not_active = amy.post(f"{ME}/{token.id}/deactivate")
    assert not_active.status_code == 400
    assert not_active.json()["error"]["code"] == "deviceNotActivated"

    assert amy.delete(f"{ME}/{token.id}").status_code == 204
    assert status_of(token) == "available"


def test_wrong_code_switch_off_keeps_assigned(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken], settings: Any
) -> None:
    sandbox(settings, WRONG_CODE_SETS_FAILED_ACTIVATION=False)
    token = make_token(status="assigned", assigned_to=directory.employee)
    assert amy.post(f"{ME}/{token.id}/activate", json={"verificationCode": wrong_code_of(token)}).status_code == 400
    assert status_of(token) == "assigned"


@pytest.mark.parametrize("interval", [30, 60])
@pytest.mark.parametrize("hash_function", ["hmacsha1", "hmacsha256"])
def test_activate_each_token_kind(
    amy: GraphClient,
    directory: Directory,
    make_token: Callable[..., HardwareToken],
    interval: int,
    hash_function: str,
) -> None:
    token = make_token(
        status="assigned", assigned_to=directory.employee, interval=interval, hash_function=hash_function
    )
    assert amy.post(f"{ME}/{token.id}/activate", json={"verificationCode": code_of(token)}).status_code == 204
    assert status_of(token) == "activated"


def test_code_from_one_step_ago_is_accepted(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    import time

    from portal.sandbox import totp

    token = make_token(status="assigned", assigned_to=directory.employee)
    previous = totp.code_at(token.secret_key, interval=30, hash_function="hmacsha1", at=time.time() - 30)
    assert amy.post(f"{ME}/{token.id}/activate", json={"verificationCode": previous}).status_code == 204


@pytest.mark.parametrize("code", [123456, "12345", "1234567", "12a456", None])
def test_malformed_code_is_invalid_request_and_changes_nothing(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken], code: Any
) -> None:
    token = make_token(status="assigned", assigned_to=directory.employee)
    response = amy.post(f"{ME}/{token.id}/activate", json={"verificationCode": code})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidRequest"
    assert status_of(token) == "assigned"


# --- U7 assignAndActivate / U8 bySerialNumber ------------------------------------------------------


def test_assign_and_activate(amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]) -> None:
    token = make_token()
    response = amy.post(
        f"{ME}/assignAndActivate",
        json={"device": {"id": str(token.id)}, "verificationCode": code_of(token), "displayName": "Desk"},
    )
    assert response.status_code == 204
    token.refresh_from_db()
    assert (token.status, token.assigned_to_id, token.display_name) == (
        "activated",
        directory.employee.id,
        "Desk",
    )


def test_assign_and_activate_wrong_code_leaves_available_token_untouched(
    amy: GraphClient, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token()
    response = amy.post(
        f"{ME}/assignAndActivate",
        json={"device": {"id": str(token.id)}, "verificationCode": wrong_code_of(token)},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalidVerificationCode"
    token.refresh_from_db()
    assert (token.status, token.assigned_to_id) == ("available", None)


def test_by_serial_on_available_token(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(serial="ABC-123")
    response = amy.post(
        f"{ME}/assignAndActivateBySerialNumber",
        json={"serialNumber": " abc-123 ", "verificationCode": code_of(token), "displayName": "Key"},
    )
    assert response.status_code == 204
    token.refresh_from_db()
    assert (token.status, token.assigned_to_id, token.display_name) == (
        "activated",
        directory.employee.id,
        "Key",
    )


@pytest.mark.parametrize("status", ["assigned", "failedActivation"])
def test_by_serial_on_token_preassigned_to_me(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken], status: str
) -> None:
    token = make_token(serial="PRE-1", status=status, assigned_to=directory.employee)
    response = amy.post(
        f"{ME}/assignAndActivateBySerialNumber",
        json={"serialNumber": "PRE-1", "verificationCode": code_of(token)},
    )
    assert response.status_code == 204
    assert status_of(token) == "activated"


def test_by_serial_wrong_code_on_preassigned_token_fails_activation(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(serial="PRE-2", status="assigned", assigned_to=directory.employee)
    response = amy.post(
        f"{ME}/assignAndActivateBySerialNumber",
        json={"serialNumber": "PRE-2", "verificationCode": wrong_code_of(token)},
    )
    assert response.status_code == 400
    assert status_of(token) == "failedActivation"


def test_by_serial_errors(amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]) -> None:
    other = make_token(serial="OTHER-1", status="assigned", assigned_to=directory.colleague)
    mine = make_token(serial="MINE-1", status="activated", assigned_to=directory.employee)

    unknown = amy.post(
        f"{ME}/assignAndActivateBySerialNumber", json={"serialNumber": "NOPE", "verificationCode": "123456"}
    )
    taken = amy.post(
        f"{ME}/assignAndActivateBySerialNumber",
        json={"serialNumber": "OTHER-1", "verificationCode": code_of(other)},
    )
    active = amy.post(
        f"{ME}/assignAndActivateBySerialNumber",
        json={"serialNumber": "MINE-1", "verificationCode": code_of(mine)},
    )
    missing = amy.post(f"{ME}/assignAndActivateBySerialNumber", json={"verificationCode": "123456"})

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "itemNotFound")
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "deviceAlreadyAssigned")
    assert "Carl" not in taken.text
    assert (active.status_code, active.json()["error"]["code"]) == (400, "deviceAlreadyActivated")
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "invalidRequest")
    assert status_of(other) == "assigned"


def test_admin_assigns_and_activates_for_a_user(
    admin: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(serial="HELP-1")
    response = admin.post(
        f"{users_path(str(directory.employee.id))}/assignAndActivateBySerialNumber",
        json={"serialNumber": "HELP-1", "verificationCode": code_of(token)},
    )
    assert response.status_code == 204
    token.refresh_from_db()
    assert (token.status, token.assigned_to_id) == ("activated", directory.employee.id)


# --- U9 PUT assignTo/$ref ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["@odata.id", "odata.id"])
def test_put_assign_to_ref(
    admin: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken], key: str
) -> None:
    token = make_token()
    path = f"{users_path(str(directory.employee.id))}/{token.id}/device/assignTo/$ref"
    response = admin.put(path, json={key: f"https://graph.microsoft.com/beta/users/{directory.employee.id}"})
    assert response.status_code == 204
    assert response.content == b""
    token.refresh_from_db()
    assert (token.status, token.assigned_to_id) == ("assigned", directory.employee.id)
    # Idempotent for the same user; refused for another one.
    again = admin.put(path, json={key: f"https://graph.microsoft.com/beta/users/{directory.employee.id}"})
    assert again.status_code == 204
    other_path = f"{users_path(str(directory.colleague.id))}/{token.id}/device/assignTo/$ref"
    taken = admin.put(other_path, json={"@odata.id": f"{GRAPH}/users/{directory.colleague.id}"})
    assert taken.status_code == 409


def test_put_assign_to_ref_must_name_the_path_user(
    admin: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token()
    path = f"{users_path(str(directory.employee.id))}/{token.id}/device/assignTo/$ref"
    mismatch = admin.put(path, json={"@odata.id": f"{GRAPH}/users/{directory.colleague.id}"})
    garbage = admin.put(path, json={"@odata.id": "https://example.test/groups/1"})
    assert (mismatch.status_code, garbage.status_code) == (400, 400)
    assert status_of(token) == "available"


def test_put_assign_to_ref_on_me(
    amy: GraphClient, directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token()
    response = amy.put(
        f"{ME}/{token.id}/device/assignTo/$ref",
        json={"@odata.id": f"{GRAPH}/users/{directory.employee.user_principal_name}"},
    )
    assert response.status_code == 204
    assert status_of(token) == "assigned"


# --- routing -----------------------------------------------------------------------------------


def test_paths_are_case_insensitive(amy: GraphClient) -> None:
    assert amy.get("/ME/Authentication/HardwareOathMethods").status_code == 200


def test_wrong_method_on_action_is_405(amy: GraphClient) -> None:
    assert amy.get(f"{ME}/assignAndActivate").status_code == 405
