"""Helpers for the operations tests: subprocesses with a controlled environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from portal.core.health import reset_readiness_cache

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

# Variables the portal's settings read that must not leak from the developer's shell (or from the
# PostgreSQL CI run) into a subprocess that means to set up its own configuration.
_PORTAL_PREFIXES = ("ENTRA_", "PORTAL_", "DJANGO_", "SANDBOX_", "GRAPH_", "CODE_ATTEMPT_", "GUNICORN_")
_PORTAL_NAMES = {
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "CACHE_URL",
    "IMPORT_ENCRYPTION_KEY",
    "TRUSTED_PROXY_COUNT",
    "WEB_CONCURRENCY",
    "FORWARDED_ALLOW_IPS",
    "PORT",
    "HOST",
}


def clean_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """os.environ without any portal setting, with its own var dir (databases, generated secrets)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_PORTAL_PREFIXES) and key not in _PORTAL_NAMES
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PORTAL_VAR_DIR"] = str(var_dir)
    env.update(overrides)
    return env


def production_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """A complete production-like configuration (a made-up tenant; nothing here contacts it)."""
    from cryptography.fernet import Fernet

    production = {
        "ENTRA_TENANT_ID": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
        "ENTRA_CLIENT_ID": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "ENTRA_CLIENT_SECRET": "Xy7~" + secrets.token_urlsafe(30),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "PORTAL_BASE_URL": "https://tokens.contoso.example",
        "DJANGO_ALLOWED_HOSTS": "tokens.contoso.example",
        "PORTAL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    return clean_env(var_dir, **{**production, **overrides})


def manage(
    *args: str, env: Mapping[str, str], timeout: float = 120, check: bool = False
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(autouse=True)
def _fresh_readiness() -> Iterator[None]:
    reset_readiness_cache()
    yield
    reset_readiness_cache()
