"""Waiting out Graph's "not now" without losing the job: beyond what the Graph client retries.

The client already honours Retry-After up to GRAPH_MAX_RETRY_WAIT_SECONDS and GRAPH_MAX_RETRIES
(that cap exists for a person's page). A background job can afford to wait longer, so when the
client gives up on a 429/503 the job waits itself and tries again, renewing its lease while it
sleeps so that nobody takes it for dead.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from portal.graph.errors import GraphError

T = TypeVar("T")

#: Status of an answer that is safe to ask again for a read: no answer, throttled, server trouble.
TRANSIENT_FOR_READS = frozenset({0, 429, 500, 502, 503, 504})
MAX_WAIT_SECONDS = 120.0
SLICE_SECONDS = 1.0
ATTEMPTS = 6


def backoff(attempt: int) -> float:
    return min(MAX_WAIT_SECONDS, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)  # noqa: S311 - jitter


def wait_for(error: GraphError | None, attempt: int) -> float:
    if error is not None and error.retry_after is not None:
        return min(MAX_WAIT_SECONDS, error.retry_after)
    return backoff(attempt)


def sleep_unless(seconds: float, stop: threading.Event) -> bool:
    """Sleep, waking early if `stop` is set; returns False if it was."""
    return not stop.wait(max(0.0, seconds))


class Patience:
    """Retries reads through transient failures, keeping the lease alive while waiting.

    `renew()` extends the job's lease and returns True if cancelling was asked for (it raises
    LeaseLost if the job is no longer ours).
    """

    def __init__(self, renew: Callable[[], bool], *, attempts: int = ATTEMPTS) -> None:
        self.renew = renew
        self.attempts = attempts

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(SLICE_SECONDS, left))
            self.renew()

    def read(self, fn: Callable[[], T]) -> T:
        """`fn()` (harmless to repeat), tried again after transient failures."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except GraphError as exc:
                if exc.status not in TRANSIENT_FOR_READS or attempt >= self.attempts:
                    raise
                self.sleep(wait_for(exc, attempt))
