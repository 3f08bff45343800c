"""Two portal instances behind one (imaginary) load balancer share everything that matters.

Two real gunicorn servers, started with deploy/Procfile's own `release` and `web` commands after the
Dockerfile's collectstatic step, share one database: a temporary SQLite file in WAL mode, or a
temporary database on the CI's PostgreSQL when DATABASE_URL points there. A person signs in through
instance A while Entra's redirect lands on instance B (the pending MSAL auth-code flow must be in
the shared session store), then uses both alternately: their token list, and wrong verification
codes that count against one shared limit. Everything is real HTTP; both servers write JSON logs,
which are checked for request ids and for the absence of query strings.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from portal.sandbox.totp import code_at
from tests.ops.conftest import REPO, clean_env

EMPLOYEE = "adele.vance@contoso-sandbox.example"
FREE_SERIAL = "60200104"  # unassigned in the demo inventory
ATTEMPT_LIMIT = 3
HTTP_TIMEOUT = 30
START_TIMEOUT = 90

_FIELD = r'name="{name}" value="([^"]*)"'


def procfile() -> dict[str, str]:
    entries = {}
    for line in (REPO / "deploy" / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def form_field(html: str, name: str) -> str:
    match = re.search(_FIELD.format(name=re.escape(name)), html)
    assert match, f"no {name} field in the page"
    return match.group(1)


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def shared_database(env: dict[str, str]) -> Iterator[Callable[[], int] | None]:
    """A temporary database on the PostgreSQL that DATABASE_URL names, or (default) the SQLite file
    in the instances' shared PORTAL_VAR_DIR. On PostgreSQL, yields a function that cuts every
    connection the instances hold (as a database restart or failover would)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    name = f"portal_multi_{secrets.token_hex(4)}"
    admin = psycopg.connect(url, autocommit=True)

    def cut_connections() -> int:
        cut = admin.execute(
            # The instances' own connections (autovacuum workers also visit the database).
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
        return len(cut)

    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlsplit(url)._replace(path=f"/{name}").geturl()
        yield cut_connections
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run_step(command: str, env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run(
            command, shell=True, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=180, check=False
        )
    assert result.returncode == 0, f"{command!r} failed:\n{log.read_text()[-3000:]}"


def start(name: str, port: int, command: str, env: dict[str, str], tmp: Path) -> Instance:
    log = tmp / f"{name}.log"
    process = subprocess.Popen(
        shlex.split(command),
        cwd=REPO,
        env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Instance(name, port, process, log)


def wait_until_ready(instance: Instance) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            pytest.fail(f"instance {instance.name} exited:\n{instance.log_text()[-3000:]}")
        try:
            if requests.get(f"{instance.url}/readyz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or its workers are still booting (slow on a busy machine)
        time.sleep(0.3)
    pytest.fail(f"instance {instance.name} not ready after {START_TIMEOUT}s:\n{instance.log_text()[-3000:]}")


def stop(instance: Instance) -> None:
    if instance.process.poll() is None:
        instance.process.terminate()  # gunicorn: graceful shutdown of its workers
        try:
            instance.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(instance.process.pid, 9)
            instance.process.wait(timeout=10)


def token_codes(sandbox_db: Path, serial: str) -> tuple[str, str]:
    """(the code the token shows now, a well-formed code it won't accept): holding the token."""
    with sqlite3.connect(f"file:{sandbox_db}?mode=ro", uri=True) as db:
        secret, interval, hash_function = db.execute(
            "SELECT secret_key, time_interval, hash_function FROM sandbox_hardwaretoken WHERE serial_number = ?",
            (serial,),
        ).fetchone()
    now = time.time()
    accepted = {
        code_at(secret, interval=interval, hash_function=hash_function, at=now + step * interval)
        for step in range(-3, 4)
    }
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)
    return code_at(secret, interval=interval, hash_function=hash_function, at=now), wrong


def sign_in_across(a: Instance, b: Instance, browser: requests.Session) -> requests.Response:
    """Start on A, pick the person on the sandbox's sign-in page, and land the callback on B."""
    start = browser.get(f"{a.url}/auth/sign-in?next=/tokens/", allow_redirects=False, timeout=HTTP_TIMEOUT)
    assert start.status_code == 302, start.text[:500]
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{a.url}/sandbox/"), authorize
    page = browser.get(authorize, timeout=HTTP_TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    person = next(chunk for chunk in page.text.split('<li class="sbx-user') if EMPLOYEE in chunk)
    picked = browser.post(
        authorize,
        data={
            "csrfmiddlewaretoken": form_field(page.text, "csrfmiddlewaretoken"),
            "request": form_field(page.text, "request"),
            "user": form_field(person, "user"),
        },
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    assert picked.status_code == 302, picked.text[:500]
    callback = picked.headers["Location"]
    assert callback.startswith(f"{a.url}/auth/callback?"), callback
    # The load balancer sends the browser's next request to the other instance.
    return browser.get(callback.replace(a.url, b.url, 1), allow_redirects=False, timeout=HTTP_TIMEOUT)


def add_token(instance: Instance, browser: requests.Session, code: str) -> requests.Response:
    form = browser.get(f"{instance.url}/tokens/add", timeout=HTTP_TIMEOUT)
    assert form.status_code == 200
    return browser.post(
        f"{instance.url}/tokens/add",
        data={
            "csrfmiddlewaretoken": form_field(form.text, "csrfmiddlewaretoken"),
            "serial_number": FREE_SERIAL,
            "code": code,
            "display_name": "",
        },
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )


def test_two_instances_share_sign_in_sessions_and_the_code_attempt_limit(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = clean_env(
        var,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # the same on every instance
        CODE_ATTEMPT_LIMIT=str(ATTEMPT_LIMIT),
        PORTAL_LOG_FORMAT="json",
        PORTAL_HASHED_STATIC="1",
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="2",
    )
    if os.environ.get("CACHE_URL"):
        env["CACHE_URL"] = os.environ["CACHE_URL"]  # the PostgreSQL run also exercises db://
    commands = procfile()
    instances: list[Instance] = []
    with shared_database(env) as cut_connections:
        try:
            # Build (as deploy/Dockerfile), release (as deploy/Procfile), and the sandbox's demo data.
            setup_log = tmp_path / "setup.log"
            build = "PORTAL_SANDBOX=0 PORTAL_HASHED_STATIC=1 python manage.py collectstatic --no-input --skip-checks"
            assert build in (REPO / "deploy" / "Dockerfile").read_text()
            run_step(build, env, setup_log)
            run_step(commands["release"], env, setup_log)
            run_step("python manage.py sandbox_seed --if-empty", env, setup_log)
            a_port = free_port()
            b_port = next(port for port in iter(free_port, None) if port != a_port)
            # Both send people back to A's address (PORTAL_BASE_URL: the registered redirect URI).
            env["PORTAL_BASE_URL"] = f"http://127.0.0.1:{a_port}"
            a = start("A", a_port, commands["web"], env, tmp_path)
            instances.append(a)
            b = start("B", b_port, commands["web"], env, tmp_path)
            instances.append(b)
            for instance in instances:
                wait_until_ready(instance)
            check_instances(a, b, var)
            if cut_connections is not None:
                check_reconnect(a, b, cut_connections)
        finally:
            for instance in instances:
                stop(instance)


def check_instances(a: Instance, b: Instance, var: Path) -> None:
    browser = requests.Session()

    landed = sign_in_across(a, b, browser)
    assert landed.status_code == 302, landed.text[:800]
    assert landed.headers["Location"] == "/tokens/"

    # The session (and the MSAL token cache in it) works on both instances, alternately.
    for instance in (a, b, a, b):
        page = browser.get(f"{instance.url}/tokens/", timeout=HTTP_TIMEOUT)
        assert page.status_code == 200, (instance.name, page.text[:500])
        assert "Adele" in page.text

    # Wrong codes on A, B, A use up the shared limit; then even the right code is refused on B.
    right, wrong = token_codes(var / "sandbox.sqlite3", FREE_SERIAL)
    for instance in (a, b, a):
        answer = add_token(instance, browser, wrong)
        assert answer.status_code == 400, (instance.name, answer.status_code)
        assert "That code was not accepted" in answer.text
    refused = add_token(b, browser, right)
    assert "Too many wrong codes" in refused.text

    # Static files: content-hashed names, compressed (whitenoise, collected at build time).
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', refused.text)
    assert css, "stylesheet is not served under a content-hashed name"
    static = requests.get(f"{b.url}{css.group(1)}", headers={"Accept-Encoding": "gzip"}, timeout=HTTP_TIMEOUT)
    assert static.status_code == 200
    assert static.headers.get("Content-Encoding") in {"gzip", "br"}
    assert "max-age=315360000" in static.headers["Cache-Control"]

    # Logs: JSON request lines with request ids, on both instances; no query string anywhere.
    traced = browser.get(f"{a.url}/tokens/", headers={"X-Request-ID": "trace-multi-0001"}, timeout=HTTP_TIMEOUT)
    assert traced.headers["X-Request-ID"] == "trace-multi-0001"
    # Let the workers' log writes land: wait (bounded) until the traced request shows up.
    deadline = time.monotonic() + 10
    while "trace-multi-0001" not in a.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    logs = {instance.name: instance.log_text() for instance in (a, b)}
    for name, text in logs.items():  # gunicorn's own lines and Python warnings included
        not_json = [raw for raw in text.splitlines() if raw.strip() and not raw.startswith("{")]
        assert not not_json, (name, not_json[:5])
    requests_logged = {
        name: [
            line
            for line in (json.loads(raw) for raw in text.splitlines() if raw.startswith("{"))
            if line.get("logger") == "portal.request"
        ]
        for name, text in logs.items()
    }
    assert any(
        line["path"] == "/auth/callback" and line["status"] == 302 and len(line["request_id"]) == 32
        for line in requests_logged["B"]
    )
    assert any(line["request_id"] == "trace-multi-0001" for line in requests_logged["A"])
    for text in logs.values():
        assert "code=" not in text and "state=" not in text and "Traceback" not in text


def check_reconnect(a: Instance, b: Instance, cut_connections: Callable[[], int]) -> None:
    """Persistent connections (DATABASE_CONN_MAX_AGE) cut under the instances' feet are noticed by
    Django's health check and replaced: the next requests succeed instead of answering 500."""
    browser = requests.Session()
    for instance in (a, b):  # every gunicorn thread gets to open a connection first
        for _ in range(6):
            assert browser.get(f"{instance.url}/readyz", timeout=HTTP_TIMEOUT).status_code == 200
    assert cut_connections() > 0
    for instance in (a, b):
        for _ in range(6):
            answer = browser.get(f"{instance.url}/readyz", timeout=HTTP_TIMEOUT)
            assert answer.status_code == 200, (instance.name, answer.text)
