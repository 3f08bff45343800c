"""Which tenant the portal talks to is decided by configuration, and a contradictory one is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
REAL_TENANT = {
    "ENTRA_TENANT_ID": "11111111-2222-3333-4444-555555555555",
    "ENTRA_CLIENT_ID": "66666666-7777-8888-9999-000000000000",
    "ENTRA_CLIENT_SECRET": "not-a-real-secret",
    "DJANGO_SECRET_KEY": "x" * 60,
}


def manage_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ENTRA_", "PORTAL_SANDBOX", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "PORTAL_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_real_tenant_and_sandbox_together_refuse_to_start(tmp_path: Path) -> None:
    result = manage_check(tmp_path, **REAL_TENANT, PORTAL_SANDBOX="1")
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "PORTAL_SANDBOX is on" in result.stderr


def test_incomplete_tenant_configuration_is_named(tmp_path: Path) -> None:
    result = manage_check(tmp_path, ENTRA_TENANT_ID=REAL_TENANT["ENTRA_TENANT_ID"], DJANGO_SECRET_KEY="y" * 60)
    assert result.returncode != 0
    assert "portal.E002" in result.stderr
    assert "ENTRA_CLIENT_ID, ENTRA_CLIENT_SECRET not set" in result.stderr


def test_a_complete_real_tenant_starts_without_the_sandbox(tmp_path: Path) -> None:
    result = manage_check(
        tmp_path, **REAL_TENANT, PORTAL_ENCRYPTION_KEYS="mvFdUSGd5Lp0Gk6Y7c5S9dQmX7dYJd0Yv1tQe3mJ3vQ="
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_old_import_only_key_name_still_works_with_a_warning(tmp_path: Path) -> None:
    # Deployments set up before the one key setting keep starting (issue 11), told to rename it.
    result = manage_check(tmp_path, **REAL_TENANT, IMPORT_ENCRYPTION_KEY="mvFdUSGd5Lp0Gk6Y7c5S9dQmX7dYJd0Yv1tQe3mJ3vQ=")
    assert result.returncode == 0, result.stderr
    assert "portal.W001" in result.stderr + result.stdout
    assert "Rename it to PORTAL_ENCRYPTION_KEYS" in result.stderr + result.stdout


@pytest.mark.django_db
def test_no_tenant_means_sandbox_with_a_banner_on_every_page() -> None:
    page = Client().get("/").content.decode()
    assert "Sandbox tenant." in page
    assert "built-in emulator of Microsoft Entra ID" in page
