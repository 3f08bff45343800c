"""`manage.py check --deploy` is clean under a production-like environment (warnings count too)."""

from __future__ import annotations

from pathlib import Path

from tests.ops.conftest import manage, production_env


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    env = production_env(tmp_path, DATABASE_URL="postgres://portal:unused@db.invalid:5432/portal")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_a_short_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path, DJANGO_SECRET_KEY="too-short")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr
