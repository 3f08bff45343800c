"""A bulk import in a real browser (issue 5): upload, dry run, confirm, watch the progress bar,
download the results — axe-checked and screenshotted on every page.

The background worker runs in a thread of this process: the live server's databases are in-memory
SQLite, which another process cannot see. The thread runs django_tasks_db's own worker loop (the
`Worker` of `manage.py db_worker`, which only skips installing signal handlers — impossible off the
main thread) on the live server's connections. Django warns that two threads must never use such a
shared connection at the same time, so a baton passes between them: the server holds it while it
handles a request, the worker while it works, and either lets go while it merely waits (the
worker's idle interval, the sandbox's injected Graph latency). The page therefore polls while the
job runs, exactly as it would against a separate worker process.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django_tasks_db.management.commands import db_worker
from playwright.sync_api import Browser, Page, expect

from portal.sandbox.graph import faults
from portal.sandbox.models import HardwareToken
from tests.browser.conftest import PageChecker, sign_in_as
from tests.browser.test_every_page import DESK, Walker
from tests.imports.filemakers import entra_csv
from tests.support.imports import ALEX, MEGAN, b32, secret_for
from tests.support.sandbox import sandbox

pytestmark = pytest.mark.django_db(transaction=True)

TOKENS = 80


class Baton:
    """The right to use the shared in-memory database connections (one thread at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def held(self) -> bool:
        return self._owner == threading.get_ident()

    @contextmanager
    def hold(self) -> Iterator[None]:
        if self.held():
            yield
            return
        self._lock.acquire()
        self._owner = threading.get_ident()
        try:
            yield
        finally:
            self._owner = None
            self._lock.release()

    def sleep(self, seconds: float) -> None:
        """Wait without holding the baton."""
        if not self.held():
            time.sleep(seconds)
            return
        self._owner = None
        self._lock.release()
        try:
            time.sleep(seconds)
        finally:
            self._lock.acquire()
            self._owner = threading.get_ident()


def serialized(baton: Baton, handler: Callable[..., Any]) -> Callable[..., Any]:
    """A WSGI handler that holds the baton for the whole request, body included."""

    def call(self: WSGIHandler, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with baton.hold():
            response = handler(self, environ, start_response)
            try:
                return list(response)  # a streamed body reads the database too
            finally:
                response.close()

    return call


class WorkerThread(threading.Thread):
    def __init__(self, shared: dict[str, Any], baton: Baton) -> None:
        super().__init__(name="db_worker", daemon=True)
        self.shared = shared
        self.baton = baton
        self.worker = db_worker.Worker(
            queue_names=["default"],
            interval=0.2,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test-worker",
            excluded_queue_names=[],
        )

    def start(self) -> None:
        for connection in self.shared.values():
            connection.inc_thread_sharing()  # as Django's live server does for its own thread
        super().start()

    def run(self) -> None:
        for alias, connection in self.shared.items():
            connections[alias] = connection
        with self.baton.hold():
            self.worker.run()

    def stop(self) -> None:
        self.worker.running = False
        self.join(timeout=30)
        for connection in self.shared.values():
            connection.dec_thread_sharing()


@pytest.fixture
def worker(portal: str, live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerThread]:
    settings.IMPORT_CONCURRENCY = 1
    settings.IMPORT_CHUNK_SIZE = 10
    # Slow Graph down a little, so that a person (and the test) can watch the bar move.
    sandbox(settings, LATENCY_MS=300)
    baton = Baton()
    monkeypatch.setattr(WSGIHandler, "__call__", serialized(baton, WSGIHandler.__call__))
    monkeypatch.setattr(db_worker, "time", SimpleNamespace(sleep=baton.sleep))
    monkeypatch.setattr(faults, "time", SimpleNamespace(sleep=baton.sleep))
    thread = WorkerThread(dict(live_server.thread.connections_override), baton)
    thread.start()
    yield thread
    if thread.is_alive():
        thread.stop()


def vendor_file() -> bytes:
    rows = [(f"BR{n:04d}", b32(secret_for(f"br{n}")), "30", "Token2", "C202") for n in range(TOKENS)]
    rows.append(("60200104", b32(secret_for("dup")), "30", "Token2", "C202"))  # already in the inventory
    rows.append(("BR-BAD", "not base32", "45", "Token2", "C202"))
    return entra_csv(rows, with_upn=False)


def test_policy_administrator_imports_a_seed_file(
    portal: str, worker: WorkerThread, page: Page, check_page: PageChecker, tmp_path: Path
) -> None:
    sign_in_as(page, portal, "Nestor Wilke", start="/admin/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Bulk imports")).to_be_visible()
    check_page(page, "import-01-list")

    page.get_by_role("link", name="Import a seed file").click()
    expect(page.get_by_role("heading", name="Import a seed file")).to_be_visible()
    check_page(page, "import-02-upload")
    page.get_by_label("Seed file").set_input_files(
        {"name": "vendor-tokens.csv", "mimeType": "text/csv", "buffer": vendor_file()}
    )
    page.get_by_role("button", name="Check the file").click()

    # The dry run: the page polls until the background check is done.
    expect(page.get_by_role("heading", name="Dry run")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Nothing has been sent to Microsoft Entra ID yet.")).to_be_visible()
    counts = page.locator(".counts")
    expect(counts).to_contain_text(f"{TOKENS} to create")
    expect(counts).to_contain_text("1 skipped: already in the inventory")
    expect(counts).to_contain_text("1 rejected")
    expect(page.get_by_role("cell", name="BR0000", exact=True)).to_be_visible()
    check_page(page, "import-03-dry-run")
    page.get_by_role("link", name="Show rows with problems only").click()
    expect(page.get_by_role("cell", name="BR-BAD")).to_be_visible()
    expect(page.get_by_role("cell", name="BR0000", exact=True)).to_have_count(0)
    check_page(page, "import-03b-dry-run-problems")

    page.get_by_role("button", name=f"Confirm import ({TOKENS} rows)").click()
    expect(page.get_by_text("Import confirmed: it runs in the background.")).to_be_visible()
    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("max", str(TOKENS))
    expect(page.get_by_role("heading", name="Importing")).to_be_visible(timeout=30_000)
    check_page(page, "import-04-progress")
    expect(progress).to_have_attribute("value", str(TOKENS), timeout=60_000)
    expect(page.get_by_role("status").filter(has_text="rows done")).to_contain_text(
        f"{TOKENS} of {TOKENS} rows done (100 %)."
    )
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator(".counts")).to_contain_text(f"{TOKENS} created")
    check_page(page, "import-05-results")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the results as CSV").click()
    target = tmp_path / "results.csv"
    download_info.value.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0] == "Row,Serial number,User,Dry run,Dry-run note,Result,Result details,Token ID"
    assert len(lines) == TOKENS + 3
    assert sum(",Created," in line for line in lines) == TOKENS

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("row").filter(has_text="vendor-tokens.csv")).to_contain_text("Finished")
    check_page(page, "import-06-history")

    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("cell", name="Bulk import finished")).to_have_count(1)
    assert re.search(r"Started a bulk import", page.content())
    worker.stop()  # this thread's own database access waits until the worker is gone
    assert HardwareToken.objects.filter(serial_number__startswith="BR").count() == TOKENS


def test_a_dropped_assignment_is_shown_counted_and_assigned_afterwards(
    portal: str, worker: WorkerThread, browser: Browser, page: Page
) -> None:
    """Nestor may create tokens, not assign them: the dry run says so row by row and in its counts;
    Isaiah (Authentication Administrator) then assigns the created tokens in one step. Each page is
    measured at 390 px and axe-checked (every impact) at both widths."""
    rows = [
        (person, f"FU-{n}", b32(secret_for(f"fu{n}")), "30", "Token2", "C202")
        for n, person in enumerate([ALEX, MEGAN, ""])
    ]
    walk = Walker(page)
    page.set_viewport_size(DESK)
    sign_in_as(page, portal, "Nestor Wilke", start="/admin/imports/new")
    page.get_by_label("Seed file").set_input_files(
        {"name": "handout.csv", "mimeType": "text/csv", "buffer": entra_csv(rows)}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Dry run")).to_be_visible(timeout=30_000)
    counts = page.locator(".counts")
    expect(counts).to_contain_text("1 to create")
    expect(counts).to_contain_text("2 to create without assignment")
    row = page.get_by_role("row").filter(has_text="FU-0")
    expect(row).to_contain_text("Create, not assigned")
    expect(row).to_contain_text(f"Not assigned to {ALEX}: assigning tokens to people needs")
    walk.check("import-dropped-assignment-dry-run")

    page.get_by_role("button", name="Confirm import (3 rows)").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible(timeout=30_000)
    expect(page.locator(".counts")).to_contain_text("2 created, not assigned", timeout=30_000)
    expect(page.get_by_text("Ask an Authentication Administrator")).to_be_visible()
    expect(page.get_by_role("button", name="Assign the 2 created tokens")).to_have_count(0)
    walk.check("import-dropped-assignment-results-no-role")
    job_url = page.url

    helpdesk = browser.new_context(viewport=DESK, locale="en-GB")
    other = helpdesk.new_page()
    sign_in_as(other, portal, "Isaiah Langer", start="/admin/")
    other.goto(job_url)
    button = other.get_by_role("button", name="Assign the 2 created tokens to the people named in the file")
    expect(button).to_be_visible()
    isaiah = Walker(other)
    isaiah.check("import-dropped-assignment-follow-up-offer")
    button.click()
    expect(other.get_by_text("The tokens are being assigned in the background.")).to_be_visible()
    expect(other.locator(".counts")).to_contain_text("2 assigned", timeout=30_000)
    expect(other.get_by_role("heading", name="Results")).to_be_visible()
    isaiah.check("import-dropped-assignment-follow-up-done")
    other.get_by_role("link", name="import of handout.csv").click()
    expect(other.get_by_role("button", name=re.compile("^Assign the"))).to_have_count(0)
    expect(other.locator(".follow-ups")).to_contain_text("2 assigned")
    isaiah.check("import-dropped-assignment-settled")
    helpdesk.close()
    assert not walk.problems + isaiah.problems, "\n".join(walk.problems + isaiah.problems)
    worker.stop()
    assert dict(
        HardwareToken.objects.filter(serial_number__startswith="FU-").values_list(
            "serial_number", "assigned_to__user_principal_name"
        )
    ) == {
        "FU-0": ALEX,
        "FU-1": MEGAN,
        "FU-2": None,
    }
