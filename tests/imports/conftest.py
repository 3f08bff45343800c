from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _one_thread(settings: Any) -> None:
    """Jobs run in this process with one sending thread and small chunks (tests/support/imports.py
    says why); the threaded path runs against file databases in test_jobs_worker_process.py."""
    settings.IMPORT_CONCURRENCY = 1
    settings.IMPORT_CHUNK_SIZE = 10
