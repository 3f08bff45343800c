"""The sandbox states the "needs attention" queue looks for: activation with a drifted clock (Entra's
±1 day), sign-ins that set `lastUsedDateTime`, and accounts that are disabled or deleted."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from portal.sandbox import directory as sandbox_directory
from portal.sandbox.models import DirectoryUser, HardwareToken
from portal.sandbox.totp import code_at
from tests.sandbox.conftest import Directory, GraphClient
from tests.support.sandbox import sandbox

pytestmark = pytest.mark.django_db

ME = "/me/authentication/hardwareOathMethods"
DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"


def code_drifted(token: HardwareToken, seconds: float) -> str:
    """The code a token whose clock runs `seconds` ahead (negative: behind) shows now."""
    return code_at(
        token.secret_key, interval=token.time_interval, hash_function=token.hash_function, at=time.time() + seconds
    )


@pytest.mark.parametrize(("interval", "drift_hours"), [(30, 23), (30, -23), (60, 47), (60, -47)])
def test_activation_accepts_a_clock_drifted_by_up_to_a_day_per_30_seconds(
    graph: Callable[..., GraphClient],
    directory: Directory,
    make_token: Callable[..., HardwareToken],
    interval: int,
    drift_hours: int,
) -> None:
    token = make_token(status="assigned", assigned_to=directory.employee, interval=interval)
    response = graph(directory.employee).post(
        f"{ME}/{token.id}/activate", json={"verificationCode": code_drifted(token, drift_hours * 3600)}
    )
    assert response.status_code == 204, response.text
    token.refresh_from_db()
    assert token.status == "activated"


def test_activation_window_is_switchable(
    graph: Callable[..., GraphClient], directory: Directory, make_token: Callable[..., HardwareToken], settings: Any
) -> None:
    sandbox(settings, ACTIVATION_WINDOW_STEPS=1)
    token = make_token(status="assigned", assigned_to=directory.employee)
    drifted = code_drifted(token, 3600)
    now = {code_drifted(token, step * 30) for step in (-1, 0, 1)}
    response = graph(directory.employee).post(f"{ME}/{token.id}/activate", json={"verificationCode": drifted})
    assert response.status_code == (204 if drifted in now else 400)


def test_a_sign_in_sets_last_used_and_uses_the_narrow_window(
    graph: Callable[..., GraphClient], directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(status="activated", assigned_to=directory.employee)
    at = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)

    sandbox_directory.token_sign_in(token=token, at=at)

    [method] = graph(directory.employee).get(ME).json()["value"]
    assert method["lastUsedDateTime"] == "2026-11-02T08:30:00Z"
    # An hour of drift is fine at activation, never at sign-in.
    an_hour_off = code_at(token.secret_key, interval=30, hash_function="hmacsha1", at=at.timestamp() + 3600)
    with pytest.raises(sandbox_directory.SignInRefused):
        sandbox_directory.token_sign_in(token=token, code=an_hour_off, at=at + timedelta(minutes=5))
    token.refresh_from_db()
    assert token.last_used_at == at


@pytest.mark.parametrize("status", ["available", "assigned", "failedActivation"])
def test_only_an_activated_token_signs_in(
    directory: Directory, make_token: Callable[..., HardwareToken], status: str
) -> None:
    token = make_token(status=status, assigned_to=None if status == "available" else directory.employee)
    with pytest.raises(sandbox_directory.SignInRefused):
        sandbox_directory.token_sign_in(token=token)


def test_a_disabled_account_keeps_its_token_and_cannot_use_it(
    graph: Callable[..., GraphClient], directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(status="activated", assigned_to=directory.employee)
    sandbox_directory.user_enabled_set(user=directory.employee, enabled=False)

    with pytest.raises(sandbox_directory.SignInRefused):
        sandbox_directory.token_sign_in(token=token)
    reader = graph(directory.global_reader)
    user = reader.get(f"/users/{directory.employee.id}", params={"$select": "accountEnabled"}).json()
    assert user["accountEnabled"] is False
    device = reader.get(f"{DEVICES}/{token.id}").json()
    assert device["assignedTo"]["id"] == str(directory.employee.id)


def test_a_deleted_user_is_gone_but_the_device_still_names_them(
    graph: Callable[..., GraphClient], directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(status="activated", assigned_to=directory.employee)
    sandbox_directory.user_delete(user=directory.employee)

    reader = graph(directory.global_reader)
    assert reader.get(f"/users/{directory.employee.id}").json()["error"]["code"] == "Request_ResourceNotFound"
    assert reader.get(f"/users/{directory.employee.id}/authentication/hardwareOathMethods").status_code == 404
    found = reader.get(
        "/users",
        params={"$search": '"displayName:Amy"'},
        headers={"ConsistencyLevel": "eventual"},
    ).json()["value"]
    assert found == []
    device = reader.get(f"{DEVICES}/{token.id}").json()
    assert device["assignedTo"] == {"id": str(directory.employee.id), "displayName": "Amy Employee"}
    assert device["status"] == "activated"
    with pytest.raises(sandbox_directory.SignInRefused):
        sandbox_directory.token_sign_in(token=token)

    sandbox_directory.user_restore(user=directory.employee)
    assert reader.get(f"/users/{directory.employee.id}").status_code == 200


def test_deleting_a_user_can_release_their_tokens_instead(
    directory: Directory, make_token: Callable[..., HardwareToken], settings: Any
) -> None:
    sandbox(settings, DELETED_USER_RELEASES_TOKENS=True)
    token = make_token(status="activated", assigned_to=directory.employee)
    sandbox_directory.user_delete(user=directory.employee)
    token.refresh_from_db()
    assert (token.status, token.assigned_to_id) == ("available", None)


def test_commands_sign_in_disable_delete_and_restore(
    directory: Directory, make_token: Callable[..., HardwareToken]
) -> None:
    token = make_token(serial="CMD-1", status="activated", assigned_to=directory.employee)
    upn = directory.employee.user_principal_name

    call_command("sandbox_sign_in", "--serial", "CMD-1", "--days-ago", "40")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timedelta(days=39) < datetime.now(UTC) - token.last_used_at < timedelta(days=41)

    call_command("sandbox_user", upn, "--disable")
    assert DirectoryUser.objects.get(pk=directory.employee.pk).account_enabled is False
    with pytest.raises(CommandError, match="disabled"):
        call_command("sandbox_sign_in", "--serial", "CMD-1")
    call_command("sandbox_user", upn, "--enable")
    call_command("sandbox_user", upn, "--delete")
    assert not DirectoryUser.objects.filter(pk=directory.employee.pk).exists()
    call_command("sandbox_user", upn, "--restore")
    assert DirectoryUser.objects.filter(pk=directory.employee.pk).exists()
    with pytest.raises(CommandError, match="No sandbox user"):
        call_command("sandbox_user", "nobody@contoso.test", "--delete")
