"""deploy/gunicorn.conf.py reads the portal's own variables, with the portal's own defaults."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.conf import settings

from tests.ops.conftest import REPO

CONFIG = REPO / "deploy" / "gunicorn.conf.py"


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("GRAPH_TIMEOUT_SECONDS", "GRAPH_MAX_RETRIES", "GRAPH_MAX_RETRY_WAIT_SECONDS", "GUNICORN_TIMEOUT",
                 "WEB_CONCURRENCY", "GUNICORN_THREADS", "PORTAL_LOG_FORMAT", "PORT", "HOST"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_request_timeout_outlasts_a_graph_call_with_all_its_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load(monkeypatch)
    worst = settings.GRAPH_TIMEOUT_SECONDS * (settings.GRAPH_MAX_RETRIES + 1) + (
        settings.GRAPH_MAX_RETRY_WAIT_SECONDS * settings.GRAPH_MAX_RETRIES
    )
    assert config["worst_case_graph_call_seconds"]() == worst  # type: ignore[operator]
    assert isinstance(config["timeout"], int) and config["timeout"] > worst
    assert config["graceful_timeout"] == config["timeout"]

    tuned = load(monkeypatch, GRAPH_TIMEOUT_SECONDS="30", GRAPH_MAX_RETRIES="1", GRAPH_MAX_RETRY_WAIT_SECONDS="5")
    assert tuned["timeout"] > 30 * 2 + 5  # type: ignore[operator]


def test_no_access_log_and_json_error_log(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load(monkeypatch, PORTAL_LOG_FORMAT="json", WEB_CONCURRENCY="3", GUNICORN_THREADS="1", PORT="9123")
    # The access log would print query strings; the portal writes its own request lines.
    assert config["accesslog"] is None
    handler = config["logconfig_dict"]["handlers"]["console"]  # type: ignore[index]
    assert handler["formatter"] == "json" and "redact" in handler["filters"]
    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 1, "sync")
    assert config["bind"] == ["0.0.0.0:9123"]
    assert config["wsgi_app"] == "portal.wsgi:application"


def test_procfile_processes() -> None:
    lines = dict(
        line.split(":", 1)
        for line in (REPO / "deploy" / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert set(lines) == {"release", "web", "worker"}
    assert "createcachetable" in lines["release"] and "migrate" in lines["release"]
    assert lines["web"].strip() == "gunicorn --config deploy/gunicorn.conf.py"
    assert lines["worker"].strip() == "python manage.py worker"
    compose = (REPO / "deploy" / "compose.yaml").read_text()
    # compose mirrors the Procfile, command for command.
    assert '["gunicorn", "--config", "deploy/gunicorn.conf.py"]' in compose
    assert '["python", "manage.py", "worker"]' in compose
    assert lines["release"].strip() in compose


def test_gunicorn_config_has_no_stray_names() -> None:
    # gunicorn silently ignores settings it doesn't know: catch typos here.
    from gunicorn.config import Config

    known = set(Config().settings)
    names = {name for name in runpy.run_path(str(CONFIG)) if not name.startswith("_") and name.islower()}
    helpers = {"math", "os", "sys", "annotations", "worst_case_graph_call_seconds", "loglevel", "handlers_config"}
    # control_socket_disable only exists from gunicorn 25.1 on (older versions need no such switch).
    assert names - helpers - {"control_socket_disable"} <= known, names - helpers - known
    assert Path(CONFIG).exists()
