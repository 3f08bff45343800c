"""Production configuration, checked in a subprocess with a real-tenant environment.

Settings are read once at start-up from the environment, so the only honest way to see what
production gets is a fresh interpreter with production's variables (tests/security/prod_probe.py).
Checked there: the sandbox (pages, machine endpoints, app, database, transports) does not exist;
cookies are Secure, HttpOnly (session), SameSite, host-only with the __Host- prefix; HSTS and the
other headers; plain HTTP is redirected; session lifetimes come from the environment.
`manage.py check --deploy` with production settings: tests/ops/test_deploy_check.py.

Covered elsewhere (not repeated here): session id rotated at sign-in
(tests/identity/test_sign_in.py::test_session_id_rotates_at_sign_in), idle and absolute lifetimes
(::test_idle_session_expires, ::test_absolute_session_lifetime), sign-out ends the session
server-side (::test_sign_out_ends_the_session_server_side_and_at_entra,
::test_replaying_an_old_session_cookie_after_sign_out_fails).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
HOST = "tokens.contoso.example"


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The process environment minus anything portal-related, plus a production configuration."""
    prefixes = ("PORTAL_", "DJANGO_", "ENTRA_", "SANDBOX_", "DATABASE_", "SESSION_", "IMPORT_", "GRAPH_", "CACHE_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "ENTRA_TENANT_ID": "11111111-2222-4333-8444-555555555555",
            "ENTRA_CLIENT_ID": "66666666-7777-4888-9999-000000000000",
            "ENTRA_CLIENT_SECRET": "not-a-real-secret",
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-test-key-" + "k3Zp9Qw" * 6,
            "DJANGO_ALLOWED_HOSTS": HOST,
            "PORTAL_BASE_URL": f"https://{HOST}",
            "PORTAL_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'portal.sqlite3'}",
            "PORTAL_ENCRYPTION_KEYS": "AaIJWoBDhWiv5MRZGNv1B2XiNFB5HWUKYS8usSMC8Ko=",
            "SESSION_IDLE_MINUTES": "20",
            "SESSION_MAX_HOURS": "8",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra)
    return env


def run_probe(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.security.prod_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_probe(production_env(tmp_path_factory.mktemp("prod")))


def test_sandbox_does_not_exist_without_the_sandbox(production: dict[str, Any]) -> None:
    assert production["sandbox_enabled"] is False
    assert production["sandbox_app_installed"] is False
    assert production["sandbox_database"] is False
    assert production["transport_adapters"] == {}  # Microsoft's hosts are reached over the network
    assert not any(production["sandbox_urls_resolve"].values()), production["sandbox_urls_resolve"]
    assert set(production["sandbox_pages"].values()) == {404}, production["sandbox_pages"]


def test_the_probe_can_tell_sandbox_from_production(tmp_path: Path) -> None:
    """Control: the same probe in a sandbox environment does see the sandbox, so the test above
    proves something about the settings, not about the probe."""
    env = production_env(tmp_path, PORTAL_BASE_URL="http://127.0.0.1:8000", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    for key in ("ENTRA_TENANT_ID", "ENTRA_CLIENT_ID", "ENTRA_CLIENT_SECRET"):
        env.pop(key)
    sandbox = run_probe(env)
    assert sandbox["sandbox_enabled"] and sandbox["sandbox_app_installed"]
    assert all(sandbox["sandbox_urls_resolve"].values())
    assert sandbox["sandbox_pages"]["/sandbox/"] == 200


def test_sessions_are_server_side_and_cookies_locked_down(production: dict[str, Any]) -> None:
    assert production["session_engine"] == "django.contrib.sessions.backends.db"
    assert production["session_cookie"] == {
        "name": "__Host-portal-session",
        "secure": True,
        "httponly": True,
        "samesite": "Lax",
        "path": "/",
        "domain": "",
    }
    assert production["csrf_cookie"] == {
        "name": "__Host-portal-csrf",
        "secure": True,
        "samesite": "Lax",
        "path": "/",
        "domain": "",
    }
    # And in the test settings too (what every other test in the suite runs with).
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_session_lifetimes_come_from_the_environment(production: dict[str, Any]) -> None:
    assert production["session_idle_seconds"] == 20 * 60
    assert production["session_absolute_seconds"] == 8 * 3600


def test_production_headers(production: dict[str, Any]) -> None:
    headers = {key.lower(): value for key, value in production["page_headers"].items()}
    assert production["page_status"] == 200
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["strict-transport-security"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert production["debug"] is False


def test_plain_http_is_redirected_to_https(production: dict[str, Any]) -> None:
    assert production["plain_http"] == {"status": 301, "location": f"https://{HOST}/auth/signed-out"}
