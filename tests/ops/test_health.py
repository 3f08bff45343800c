"""Liveness and readiness: right status codes, nothing sensitive in the bodies, no sign-in needed."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from portal.sandbox.requestlog import count_graph_calls
from tests.ops.conftest import clean_env, manage

# Anything that would tell a stranger more than "ok"/"unavailable".
_REVEALING = re.compile(
    r"\d+\.\d+|django|python|gunicorn|postgres|sqlite|microsoft|login\.|graph\.|traceback|error|exception",
    re.IGNORECASE,
)


def assert_reveals_nothing(body: bytes) -> None:
    text = body.decode()
    assert not _REVEALING.search(text), text
    assert settings.ENTRA_TENANT_ID not in text and settings.ENTRA_CLIENT_ID not in text


@pytest.mark.django_db
def test_healthz_answers_without_io_or_sign_in() -> None:
    with count_graph_calls() as graph:
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-ID"]
    assert graph.requests == []
    assert_reveals_nothing(response.content)


@pytest.mark.django_db
def test_readyz_checks_database_and_entra_discovery() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "identity": "ok"}}
    assert_reveals_nothing(response.content)


@pytest.mark.django_db
def test_probes_answer_on_any_host_name_and_over_plain_http() -> None:
    # Load balancers probe instances by IP address, over http, even when the portal is https-only.
    with override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["tokens.contoso.example"]):
        for path in ("/healthz", "/readyz"):
            assert Client().get(path, HTTP_HOST="10.1.2.3:8000").status_code == 200
        assert Client().get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # everything else: refused


@pytest.mark.django_db
def test_readiness_caches_the_discovery_fetch_for_a_few_seconds() -> None:
    client = Client()
    client.get("/readyz")
    with override_settings(HTTP_TRANSPORT_ADAPTERS={}, HTTP_REFUSE_UNMOUNTED=True):
        # Microsoft "goes away", but the answer from a moment ago still holds.
        assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_entra_unreachable_makes_readyz_503_with_status_words_only(caplog: pytest.LogCaptureFixture) -> None:
    with override_settings(HTTP_TRANSPORT_ADAPTERS={}, HTTP_REFUSE_UNMOUNTED=True):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "identity": "unavailable"}}
    assert_reveals_nothing(response.content)
    # The reason goes to the log, as an exception class name, not to the caller.
    assert any(getattr(r, "error", "") == "RefusedURL" for r in caplog.records)


@pytest.mark.django_db
def test_probes_refuse_other_methods() -> None:
    response = Client().post("/readyz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert Client().head("/healthz").status_code == 200


def test_database_down_is_503_not_a_stack_trace(tmp_path: Path) -> None:
    # A separate process whose database can't be opened (a directory that doesn't exist).
    script = textwrap.dedent(
        """
        import json
        from django.test import Client
        response = Client().get("/readyz")
        print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
        """
    )
    env = clean_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/missing/dir/portal.sqlite3")
    # The sandbox tenant (its own, working database) stands in for Entra, so only the portal's is down.
    manage("migrate", "--database", "sandbox", "--no-input", env=env, check=True)
    result = manage("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    body = json.loads(answer["body"])
    assert body == {"status": "unavailable", "checks": {"database": "unavailable", "identity": "ok"}}
    assert "Traceback" not in result.stderr
    assert "readiness: database unavailable" in result.stderr
