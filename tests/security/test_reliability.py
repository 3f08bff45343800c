"""Reliability of outgoing calls: a timeout on every one, bounded waiting when Graph is slow, and
no write sent twice after a timeout.

The sandbox's transport honours the caller's read timeout like a network does (a request slower
than the timeout is processed by the emulated Graph, but the caller gets a ReadTimeout after its
timeout): so these tests see the same behaviour a slow Microsoft would cause.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import msal
import pytest
import requests
from django.conf import settings
from django.test import Client, override_settings

from portal.graph.transport import OutgoingSession, build_session
from portal.identity import msal_client
from portal.sandbox.requestlog import count_graph_calls
from tests.security.conftest import ADELE_ASSIGNED, ALEX, FREE, GR, Personas
from tests.support.sandbox import sandbox_with
from tests.support.tokens import code_for, status_of, token_id

pytestmark = pytest.mark.django_db

PORTAL = Path(__file__).resolve().parents[2] / "portal"
TRANSPORT = PORTAL / "graph" / "transport.py"
# Libraries that open connections. Only portal/graph/transport.py may use them directly.
HTTP_MODULES = {"requests", "urllib3", "httpx", "aiohttp", "http.client", "urllib.request", "socket", "pycurl"}
REQUESTS_CALLS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "Session", "session"}


def python_files() -> list[Path]:
    return [path for path in PORTAL.rglob("*.py") if "migrations" not in path.parts]


def test_every_outgoing_http_call_goes_through_the_transport_module() -> None:
    """No module but portal/graph/transport.py makes its own requests/urllib3/http.client calls or
    sessions; every session comes from build_session (an OutgoingSession with a timeout)."""
    offences = []
    for path in python_files():
        if path == TRANSPORT:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(PORTAL.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [module] if module else [alias.name for alias in node.names]
                for name in names:
                    if name in {"urllib.request", "http.client", "httpx", "aiohttp", "pycurl", "urllib3.poolmanager"}:
                        offences.append(f"{where} imports {name}")
                if isinstance(node, ast.ImportFrom) and module == "requests":
                    imported = {alias.name for alias in node.names}
                    if imported & REQUESTS_CALLS:
                        offences.append(f"{where} imports {sorted(imported & REQUESTS_CALLS)} from requests")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"requests", "urllib3", "httpx"}
                and node.func.attr in REQUESTS_CALLS | {"PoolManager", "urlopen", "Client"}
            ):
                offences.append(f"{where} calls {node.func.value.id}.{node.func.attr}()")
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "OutgoingSession"
            ):
                offences.append(f"{where} builds an OutgoingSession directly (use build_session)")
    assert not offences, offences


def test_msal_is_always_given_our_session() -> None:
    """Every MSAL application the portal builds gets http_client= (else MSAL makes its own
    requests.Session, without our timeout or our transport)."""
    builders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "").endswith("ClientApplication"):
                keywords = {keyword.arg for keyword in node.keywords}
                builders.append((str(path.relative_to(PORTAL.parent)), "http_client" in keywords))
    assert builders, "no MSAL application found"
    assert all(ok for _, ok in builders), builders
    with msal_client.application() as app:
        assert isinstance(app, msal.ConfidentialClientApplication)
    assert isinstance(msal_client.http_session(), OutgoingSession)
    assert msal_client.http_session().default_timeout == settings.GRAPH_TIMEOUT_SECONDS


def test_a_session_applies_its_timeout_when_the_caller_gives_none() -> None:
    with override_settings(SANDBOX=sandbox_with(LATENCY_MS=5000)):
        session = build_session(timeout=0.2)
        started = time.monotonic()
        with pytest.raises(requests.Timeout):
            session.get("https://graph.microsoft.com/beta/me")  # no timeout= given
        assert time.monotonic() - started < 2.5  # well before the 5 s answer it would otherwise wait for


def test_in_sandbox_mode_nothing_leaves_for_an_unknown_host() -> None:
    with pytest.raises(requests.ConnectionError, match="refused"):
        build_session().get("https://example.com/")


SLOW = {"GRAPH_TIMEOUT_SECONDS": 0.3, "GRAPH_MAX_RETRY_WAIT_SECONDS": 0.5}
LATENCY_MS = 10_000  # what a hanging Graph would cost per call without the timeout
#: The timeouts are applied: the answer comes long before even one slow Graph answer would have.
#: (A correctness bound with a wide margin, not a speed target: figures live in bench/.)
BEFORE_ONE_SLOW_ANSWER = LATENCY_MS / 1000 / 2


def slow_graph() -> override_settings:
    return override_settings(**SLOW, SANDBOX=sandbox_with(LATENCY_MS=LATENCY_MS))


def test_slow_graph_page_answers_quickly_with_a_clear_message(employee_client: Client) -> None:
    with slow_graph(), count_graph_calls() as graph:
        started = time.monotonic()
        response = employee_client.get("/tokens/")
        elapsed = time.monotonic() - started
    text = response.content.decode()
    assert response.status_code == 503
    assert "did not answer in time" in text and "Try again in a minute" in text
    # A read is repeated once after a timeout, not more: two round trips in all.
    assert len(graph.requests) == 2, graph.describe()
    # Bounded: two timeouts and one short backoff, not one slow answer (10 s).
    assert elapsed < BEFORE_ONE_SLOW_ANSWER, elapsed


def test_a_write_that_timed_out_is_not_sent_again(employee_client: Client) -> None:
    with slow_graph(), count_graph_calls() as graph:
        started = time.monotonic()
        response = employee_client.post("/tokens/add", {"serial_number": FREE, "code": code_for(FREE)})
        elapsed = time.monotonic() - started
    assert "did not answer in time" in response.content.decode()
    assert "Open My tokens to check" in response.content.decode()  # it looked, couldn't tell, says so
    posts = [entry for entry in graph.requests if entry.method == "POST"]
    assert len(posts) == 1, graph.describe()  # the POST went once (the rest are read-backs)
    assert elapsed < BEFORE_ONE_SLOW_ANSWER, elapsed
    # The emulated Graph did process it: exactly the case a resend would have doubled.
    assert status_of(FREE) == "activated"


def test_an_activation_whose_read_timed_out_sends_no_code(employee_client: Client) -> None:
    # Activation reads the token first (the code limit counts per serial): when that read times
    # out, the code is never sent, and the person is told Microsoft did not answer.
    url = f"/tokens/{token_id(ADELE_ASSIGNED)}/activate"
    with slow_graph(), count_graph_calls() as graph:
        response = employee_client.post(url, {"code": code_for(ADELE_ASSIGNED)})
    assert response.status_code in {400, 503}
    assert "did not answer in time" in response.content.decode()
    assert [entry.method for entry in graph.requests] == ["GET", "GET"], graph.describe()  # a read: retried once
    assert status_of(ADELE_ASSIGNED) != "activated"


def test_admin_page_reading_through_batch_answers_quickly(personas: Personas) -> None:
    grady = personas(GR)
    with slow_graph(), count_graph_calls() as graph:
        started = time.monotonic()
        response = grady.get(f"/admin/users/{ALEX}/")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "did not answer in time" in response.content.decode()
    assert len(graph.requests) == 2, graph.describe()  # an all-GET $batch is safe to send twice
    assert elapsed < BEFORE_ONE_SLOW_ANSWER, elapsed
