"""The code-entry limit holds under parallel requests: no race lets a 6th wrong code through.

Run in a subprocess against file-based SQLite with production's settings for it (WAL, IMMEDIATE
transactions), 12 signed-in sessions of one person posting a wrong code at the same instant; the
sandbox adds latency so that the requests overlap while Graph "checks" the code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THREADS = 12


def test_parallel_wrong_codes_never_exceed_the_limit(tmp_path: Path) -> None:
    prefixes = ("PORTAL_", "DJANGO_", "ENTRA_", "SANDBOX_", "DATABASE_", "CODE_ATTEMPT", "GRAPH_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "SANDBOX_DATABASE_PATH": str(tmp_path / "sandbox.sqlite3"),
            "CODE_ATTEMPT_LIMIT": "5",
            "SANDBOX_LATENCY_MS": "150",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.security.race_probe", str(THREADS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    limit = result["limit"]
    assert limit == 5 and result["database"] == "django.db.backends.sqlite3"
    # Exactly `limit` wrong codes went to Graph; every other request was refused before it.
    assert result["http"] == {"wrong_code": limit, "locked": THREADS - limit}, result["http"]
    assert len(result["graph_requests"]) == limit, result["graph_requests"]
    assert all(request.startswith("POST /beta/me/") for request in result["graph_requests"])
    assert result["direct"] == {"reserved": limit, "refused": 2 * THREADS - limit}, result["direct"]
    assert result["attempt_rows"] == 2 * limit
