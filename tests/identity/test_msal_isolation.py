"""The MSAL application is built once per thread; the token cache in it is always the signed-in
person's: under concurrent requests, each refreshing its access token, no one's tokens land in
another person's session.

Run in a subprocess against file-based SQLite (like tests/security/test_code_attempt_race.py), with
access tokens that MSAL treats as expired at once (lifetime under its 5-minute margin), so every
page redeems a refresh token and writes to the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import msal
import pytest

from portal.identity import msal_client

ROOT = Path(__file__).resolve().parents[2]
THREADS, ROUNDS = 4, 3


def test_concurrent_requests_never_mix_two_peoples_token_caches(tmp_path: Path) -> None:
    prefixes = ("PORTAL_", "DJANGO_", "ENTRA_", "SANDBOX_", "DATABASE_", "GRAPH_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "SANDBOX_DATABASE_PATH": str(tmp_path / "sandbox.sqlite3"),
            "SANDBOX_ACCESS_TOKEN_LIFETIME_SECONDS": "120",
            "SANDBOX_LATENCY_MS": "20",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.identity.msal_isolation_probe", str(THREADS), str(ROUNDS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcomes"] == {"own": result["expected"]}, result["outcomes"]
    assert result["refreshes"] >= result["expected"], result  # every page did write to its cache


@pytest.mark.django_db
def test_the_application_is_built_once_per_thread_and_holds_only_the_blob_it_was_given() -> None:
    someone = json.dumps({"Account": {"k": {"home_account_id": "someone.tenant"}}})
    with msal_client.application(someone) as first:
        assert "someone" in msal_client.token_cache(first).serialize()
    with msal_client.application() as again:
        assert again is first
        assert msal_client.token_cache(again).serialize() == "{}"  # nothing left from before
        with msal_client.application(someone) as nested:  # in use: a nested block gets its own
            assert nested is not first
        assert msal_client.token_cache(again).serialize() == "{}"
    elsewhere: list[msal.ConfidentialClientApplication] = []

    def use() -> None:
        with msal_client.application() as app:
            elsewhere.append(app)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert elsewhere and elsewhere[0] is not first


@pytest.mark.django_db
def test_an_unreadable_cache_is_refused_and_leaves_the_application_usable() -> None:
    with pytest.raises(msal_client.UnreadableTokenCache), msal_client.application("{not json"):
        pass
    with msal_client.application() as app:
        assert msal_client.token_cache(app).serialize() == "{}"
