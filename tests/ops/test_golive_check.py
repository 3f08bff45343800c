"""The go-live check: what it finds, in plain words, and its exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.ops.conftest import manage, production_env


def golive(*args: str) -> tuple[str, int]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("golive_check", *args, stdout=out, no_color=True)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


@pytest.mark.django_db
def test_in_sandbox_mode_discovery_is_reached_but_go_live_is_refused() -> None:
    output, code = golive()
    assert code == 1
    assert "FAIL  The portal runs on its built-in sandbox tenant" in output
    # Reached through the same transport MSAL uses: here the sandbox's in-process one.
    assert "OK    Entra's discovery document was fetched from login.microsoftonline.com." in output
    assert "OK    Microsoft Graph answers (graph.microsoft.com" in output
    assert "Redirect URI the portal sends (register it, platform Web): http://127.0.0.1:8000/auth/callback" in output
    assert "Policy.ReadWrite.AuthenticationMethod (admin consent)" in output
    assert "User.Read," in output and "User.Read (admin consent)" not in output


@pytest.mark.django_db
def test_registered_redirect_uri_is_compared_exactly() -> None:
    output, _ = golive("--registered-redirect-uri", "http://127.0.0.1:8000/auth/callback")
    assert "OK    The redirect URI matches one registered on the app registration." in output

    output, _ = golive("--registered-redirect-uri", "http://127.0.0.1:8000/Auth/Callback/")
    assert "FAIL  The redirect URI http://127.0.0.1:8000/auth/callback is not among those registered" in output
    assert "differs only in case or a trailing slash" in output


@pytest.mark.django_db
def test_offline_skips_entra_and_graph() -> None:
    output, _ = golive("--offline")
    assert "(--offline: Entra ID and Graph not contacted)" in output
    assert "discovery document was fetched" not in output


def test_missing_settings_are_named_in_plain_words(tmp_path: Path) -> None:
    # Half a configuration: a tenant id, nothing else. --offline: this test must not reach Microsoft.
    env = production_env(tmp_path, PORTAL_BASE_URL="http://localhost:8000", DJANGO_ALLOWED_HOSTS="portal.example")
    for name in ("ENTRA_CLIENT_ID", "ENTRA_CLIENT_SECRET", "DJANGO_SECRET_KEY", "PORTAL_ENCRYPTION_KEYS"):
        del env[name]
    result = manage("golive_check", "--offline", "--no-color", env=env)
    output = result.stdout
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for expected in (
        "OK    A real Entra tenant is configured (the sandbox is off).",
        "OK    ENTRA_TENANT_ID is a Directory (tenant) ID.",
        "FAIL  ENTRA_CLIENT_ID is not set",
        "FAIL  ENTRA_CLIENT_SECRET is not set",
        "FAIL  DJANGO_SECRET_KEY is not set",
        "FAIL  PORTAL_BASE_URL must start with https://",
        "FAIL  PORTAL_BASE_URL points at this machine",
        "FAIL  DJANGO_ALLOWED_HOSTS doesn't include localhost",
        "FAIL  DATABASE_URL is not set (or is SQLite)",
        "FAIL  Static files were not collected",
        "FAIL  PORTAL_ENCRYPTION_KEYS is not set",
    ):
        assert expected in output, expected
    assert "CommandError:" in result.stderr and "to fix before go-live" in result.stderr


def test_common_mistakes_in_the_tenant_values(tmp_path: Path) -> None:
    env = production_env(
        tmp_path,
        ENTRA_TENANT_ID="contoso.onmicrosoft.com",
        ENTRA_CLIENT_SECRET="0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",  # the secret's ID, not its value
    )
    output = manage("golive_check", "--offline", "--no-color", env=env).stdout
    assert "FAIL  ENTRA_TENANT_ID must be the Directory (tenant) ID, a GUID." in output
    assert "FAIL  ENTRA_CLIENT_SECRET looks like the secret's ID" in output
    assert env["ENTRA_CLIENT_SECRET"] not in output and env["DJANGO_SECRET_KEY"] not in output


@pytest.mark.django_db(transaction=True)
def test_a_complete_configuration_passes(tmp_path: Path) -> None:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        # The test database pytest-django migrated for this run: a real, migrated PostgreSQL database.
        database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        database_url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    env = production_env(tmp_path, DATABASE_URL=database_url, CACHE_URL="db://portal_cache", TRUSTED_PROXY_COUNT="1")
    if connection.vendor != "postgresql":
        manage("migrate", "--no-input", env=env, check=True)
        manage("createcachetable", env=env, check=True)
    manage("collectstatic", "--no-input", "--skip-checks", env=env, check=True)
    result = manage("golive_check", "--offline", "--no-color", "--registered-redirect-uri",
                    "https://tokens.contoso.example/auth/callback", env=env)  # fmt: skip
    assert "OK    The cache works (DatabaseCache)." in result.stdout
    assert "OK    All database migrations are applied." in result.stdout
    failures = [line.strip() for line in result.stdout.splitlines() if line.lstrip().startswith("FAIL")]
    if connection.vendor == "postgresql":
        assert result.returncode == 0, result.stdout + result.stderr
        assert failures == []
        assert "Ready for go-live" in result.stdout
    else:
        # Everything else is ready: the one thing named is the database (SQLite is for one machine).
        assert result.returncode == 1
        assert len(failures) == 1 and failures[0].startswith("FAIL  DATABASE_URL"), failures
