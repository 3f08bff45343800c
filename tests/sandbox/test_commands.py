"""The sandbox's management commands and its demo tenant."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from portal.graph.transport import build_session
from portal.sandbox import keys, roles, seed
from portal.sandbox.models import DirectoryUser, HardwareToken
from portal.sandbox.totp import current_code, normalise_base32

pytestmark = pytest.mark.django_db

ADMIN_SCOPES = "UserAuthenticationMethod.ReadWrite.All Policy.ReadWrite.AuthenticationMethod"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- The demo tenant ---------------------------------------------------------------------------------


def test_seed_creates_the_demo_tenant() -> None:
    output = run("sandbox_seed")

    assert "Sandbox tenant seeded" in output
    users = list(DirectoryUser.objects.all())
    assert len(users) >= 8
    assert all(roles.MEMBER in user.roles for user in users)
    assert all(user.user_principal_name.endswith("@contoso-sandbox.example") for user in users)
    held = {role for user in users for role in user.roles}
    for role in (
        roles.AUTHENTICATION_ADMINISTRATOR,
        roles.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        roles.AUTHENTICATION_POLICY_ADMINISTRATOR,
        roles.GLOBAL_READER,
        roles.GLOBAL_ADMINISTRATOR,
        roles.HELPDESK_ADMINISTRATOR,
    ):
        assert role in held, roles.NAMES[role]
    assert DirectoryUser.objects.filter(user_type="Guest").exists()
    assert DirectoryUser.objects.get(display_name="Megan Bowen").tokens.count() == 0


def test_seed_inventory() -> None:
    seed.seed_demo_tenant()

    tokens = list(HardwareToken.objects.all())
    assert len(tokens) >= 24
    assert {token.status for token in tokens} == {"available", "assigned", "activated", "failedActivation"}
    assert {token.time_interval for token in tokens} == {30, 60}
    assert {token.hash_function for token in tokens} == {"hmacsha1", "hmacsha256"}
    assert len({token.manufacturer for token in tokens}) >= 4
    assert len({token.serial_number for token in tokens}) == len(tokens)
    for token in tokens:
        assert normalise_base32(token.secret_key) == token.secret_key
        assert (token.assigned_to is None) == (token.status == "available")
    adele = HardwareToken.objects.filter(assigned_to_id=seed.ADELE)
    assert adele.count() >= 2
    assert set(adele.values_list("status", flat=True)) == {"assigned"}
    assert HardwareToken.objects.filter(status="available").count() >= 10


def test_seed_is_deterministic_and_idempotent() -> None:
    seed.seed_demo_tenant()
    first = dict(HardwareToken.objects.values_list("serial_number", "secret_key"))
    HardwareToken.objects.filter(serial_number="60200104").update(status="assigned", assigned_to_id=seed.MEGAN)

    again = seed.seed_demo_tenant()

    assert again.users_created == 0
    assert again.tokens_created == 0
    assert HardwareToken.objects.get(serial_number="60200104").status == "assigned"  # demo progress is kept
    assert dict(HardwareToken.objects.values_list("serial_number", "secret_key")) == first

    run("sandbox_seed", "--reset")
    assert HardwareToken.objects.get(serial_number="60200104").status == "available"
    assert dict(HardwareToken.objects.values_list("serial_number", "secret_key")) == first


def test_seed_if_empty_leaves_a_tenant_alone() -> None:
    seed.seed_demo_tenant()
    DirectoryUser.objects.filter(id=seed.ALEX).update(display_name="Renamed")

    output = run("sandbox_seed", "--if-empty")

    assert "nothing to do" in output
    assert DirectoryUser.objects.get(id=seed.ALEX).display_name == "Renamed"


# --- sandbox_token -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("demo_tenant")
def test_sandbox_token_prints_only_a_token() -> None:
    output = run("sandbox_token", "--user", "Lynne.Robbins@contoso-sandbox.example", "--scopes", ADMIN_SCOPES)

    token = output.strip()
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token)
    claims = keys.verify_access_token(token)
    assert claims["oid"] == seed.LYNNE
    assert set(claims["scp"].split()) == set(ADMIN_SCOPES.split())
    assert roles.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR in claims["wids"]


@pytest.mark.usefixtures("demo_tenant")
def test_sandbox_token_by_object_id_with_default_scopes() -> None:
    claims = keys.verify_access_token(run("sandbox_token", "--user", seed.ADELE).strip())

    assert set(claims["scp"].split()) == set(settings.EMPLOYEE_SCOPES)


@pytest.mark.usefixtures("demo_tenant")
def test_sandbox_token_is_a_bearer_for_graph() -> None:
    token = run("sandbox_token", "--user", "adele.vance@contoso-sandbox.example").strip()

    answer = build_session().get("https://graph.microsoft.com/beta/me", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == seed.ADELE


@pytest.mark.usefixtures("demo_tenant")
def test_sandbox_token_over_the_dev_server(client: Client) -> None:
    token = run("sandbox_token", "--user", seed.ADELE).strip()

    answer = client.get(
        "/sandbox/graph/beta/me/authentication/hardwareOathMethods",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert answer.status_code == 200, answer.content
    serials = {method["device"]["serialNumber"] for method in answer.json()["value"] if method.get("device")}
    assert {"60200101", "2100040001"} <= serials


@pytest.mark.usefixtures("demo_tenant")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody@contoso-sandbox.example"], "No sandbox user"),
        (["--user", seed.DIEGO], "disabled"),
        (["--user", seed.ADELE, "--scopes", "Mail.Read"], "AADSTS65001"),
    ],
)
def test_sandbox_token_refuses(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("sandbox_token", *args)


# --- sandbox_codes -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("demo_tenant")
def test_sandbox_codes_for_one_serial() -> None:
    token = HardwareToken.objects.get(serial_number="60300101")
    before = current_code(token.secret_key, token.time_interval, token.hash_function)
    output = run("sandbox_codes", "--serial", "60300101")
    after = current_code(token.secret_key, token.time_interval, token.hash_function)

    (line,) = output.splitlines()
    serial, code, left, *_ = line.split()
    assert serial == "60300101"
    assert code in {before, after}
    assert 1 <= int(left.rstrip("s")) <= 30


@pytest.mark.usefixtures("demo_tenant")
def test_sandbox_codes_lists_every_token() -> None:
    assert len(run("sandbox_codes").splitlines()) == HardwareToken.objects.count()
    with pytest.raises(CommandError):
        run("sandbox_codes", "--serial", "NOPE")
