"""The sandbox tenant's signing key is one key for every process: gunicorn's workers and the task
worker each sign and verify Entra-style tokens, and a token one of them signed is valid in all."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.sandbox import keys
from portal.sandbox.models import SigningKey
from tests.ops.conftest import REPO, clean_env, manage


def test_two_processes_starting_at_once_sign_with_one_key(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="portal.settings", PYTHONDONTWRITEBYTECODE="1")
    manage("migrate", "--database", "sandbox", env=env, check=True)
    shared = tmp_path / "shared"
    shared.mkdir()
    probes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "tests.sandbox.signing_key_probe", str(shared), name, other],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, other in (("first", "second"), ("second", "first"))
    }
    deadline = time.monotonic() + 60
    while not all((shared / f"{name}.ready").exists() for name in probes) and time.monotonic() < deadline:
        time.sleep(0.01)
    (shared / "go").touch()  # both reach for a key the tenant does not have yet, at the same moment

    seen = {}
    for name, probe in probes.items():
        out, err = probe.communicate(timeout=60)
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
