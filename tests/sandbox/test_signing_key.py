"""The sandbox tenant's signing key is one key for every process: gunicorn's workers and the task
worker each sign and verify Entra-style tokens, and a token one of them signed is valid in all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.sandbox import keys
from portal.sandbox.models import SigningKey

ROOT = Path(__file__).resolve().parents[2]


def _environment(tmp_path: Path) -> dict[str, str]:
    prefixes = ("PORTAL_", "DJANGO_", "ENTRA_", "SANDBOX_", "DATABASE_", "GRAPH_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        SANDBOX_DATABASE_PATH=str(tmp_path / "sandbox.sqlite3"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def test_two_processes_starting_at_once_sign_with_one_key(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    migrate = [sys.executable, "manage.py", "migrate", "--database", "sandbox", "--verbosity", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)
    shared = tmp_path / "shared"
    shared.mkdir()
    probes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "tests.sandbox.signing_key_probe", str(shared), name, other],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, other in (("first", "second"), ("second", "first"))
    }
    deadline = time.monotonic() + 120
    while not all((shared / f"{name}.ready").exists() for name in probes) and time.monotonic() < deadline:
        time.sleep(0.01)
    (shared / "go").touch()  # both reach for a key the tenant does not have yet, at the same moment

    seen = {}
    for name, probe in probes.items():
        out, err = probe.communicate(timeout=120)
        assert probe.returncode == 0, err[-3000:]
        seen[name] = json.loads(out.strip().splitlines()[-1])

    assert seen["first"]["kid"] == seen["second"]["kid"]
    assert seen["first"]["signed_by_other"] == "second@example.test"
    assert seen["second"]["signed_by_other"] == "first@example.test"


@pytest.mark.django_db(databases=["default", "sandbox"])
def test_a_fresh_load_finds_the_stored_key() -> None:
    """A process that starts after the key exists (or lost the race to store its own) signs with
    the stored key, under the same key id."""
    SigningKey.objects.all().delete()
    first = keys.signing_key()
    keys._load.cache_clear()
    again = keys.signing_key()

    assert again.kid == first.kid == keys.tenant_kid()
    assert SigningKey.objects.count() == 1
    assert again.private_key.private_numbers() == first.private_key.private_numbers()
