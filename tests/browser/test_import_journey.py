"""A bulk import in a real browser (issue 5): upload, dry run, confirm, watch the progress bar,
download the results — axe-checked and screenshotted on every page.

The background worker runs in a thread of this process: the live server's databases are in-memory
SQLite, which another process cannot see. The thread runs django_tasks_db's own worker loop (the
`Worker` of `manage.py db_worker`, which only skips installing signal handlers — impossible off the
main thread) and, like Django's live server thread, uses the test's in-memory connections.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import Page, expect

from portal.sandbox.models import HardwareToken
from tests.browser.conftest import PageChecker, sign_in_as
from tests.imports.filemakers import entra_csv
from tests.imports.test_jobs_helpers import b32, secret_for

pytestmark = pytest.mark.django_db(transaction=True)

TOKENS = 80


class WorkerThread(threading.Thread):
    def __init__(self, shared: dict[str, Any]) -> None:
        super().__init__(name="db_worker", daemon=True)
        # The live server thread's connections: one SQLite connection per in-memory database for
        # both threads, so they never meet on shared-cache table locks.
        self.shared = shared
        self.worker = Worker(
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
            connection.inc_thread_sharing()  # as LiveServerTestCase does for its server thread
        super().start()

    def run(self) -> None:
        for alias, connection in self.shared.items():
            connections[alias] = connection
        self.worker.run()

    def stop(self) -> None:
        self.worker.running = False
        self.join(timeout=30)
        for connection in self.shared.values():
            connection.dec_thread_sharing()


@pytest.fixture
def worker(portal: str, live_server: Any, settings: Any) -> Iterator[WorkerThread]:
    settings.IMPORT_CONCURRENCY = 1
    settings.IMPORT_CHUNK_SIZE = 10
    # Slow Graph down a little, so that a person (and the test) can watch the bar move.
    settings.SANDBOX = {**settings.SANDBOX, "LATENCY_MS": 300}
    thread = WorkerThread(dict(live_server.thread.connections_override))
    thread.start()
    yield thread
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
    expect(counts).to_contain_text(f"To create{TOKENS}")
    expect(counts).to_contain_text("Skipped: already in the inventory1")
    expect(counts).to_contain_text("Rejected: will not be sent1")
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
    expect(page.get_by_role("status").filter(has_text="rows done")).to_contain_text(f"{TOKENS} of {TOKENS} rows done (100 %).")
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator(".counts")).to_contain_text(f"Created{TOKENS}")
    check_page(page, "import-05-results")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the results as CSV").click()
    target = tmp_path / "results.csv"
    download_info.value.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0] == "row,serial_number,user,dry_run,reason,result,detail,device_id"
    assert len(lines) == TOKENS + 3
    assert sum(",Created," in line for line in lines) == TOKENS

    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("cell", name="Bulk import finished")).to_have_count(1)
    assert re.search(r"Started a bulk import", page.content())
    worker.stop()  # this thread's own database access waits until the worker is gone
    assert HardwareToken.objects.filter(serial_number__startswith="BR").count() == TOKENS
