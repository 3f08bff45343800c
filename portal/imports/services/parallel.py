"""Bounded concurrency for Graph calls: a few threads, each making its own calls. The one thread
pool of imports (the dry run's lookups and the job's chunks).

Only Graph calls run on these threads; the portal's own database is written by the calling thread
(the job's coordinator), so row updates and the lease never race. With the sandbox tenant the
emulator answers on the calling thread and writes *its* database from there, so every call closes
the thread's connections when it ends (Django keeps one per thread).

With a concurrency of 1 (or a single item) everything runs inline, on the caller's thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TypeVar

from django.db import connections

T = TypeVar("T")
R = TypeVar("R")

#: How often a job's waits look at its lease and its cancel flag.
SLICE_SECONDS = 1.0


def on_own_thread(fn: Callable[[T], R]) -> Callable[[T], R]:
    """`fn` for a pool thread: the thread's database connections are closed after each call."""

    def call(item: T) -> R:
        try:
            return fn(item)
        finally:
            connections.close_all()

    return call


class Parallel:
    """`tick()` is called every `tick_seconds` on the caller's thread while threads run (a job
    renews its lease there)."""

    def __init__(
        self, concurrency: int, *, tick: Callable[[], object] | None = None, tick_seconds: float = SLICE_SECONDS
    ) -> None:
        self.concurrency = max(1, concurrency)
        self.tick = tick
        self.tick_seconds = tick_seconds

    def inline(self, items: Sequence[object]) -> bool:
        """Whether `map` over these items runs on the caller's thread."""
        return self.concurrency == 1 or len(items) <= 1

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`fn` over `items`, results in input order; the first exception is raised."""
        if self.inline(items):
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            futures = [pool.submit(on_own_thread(fn), item) for item in items]
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, timeout=self.tick_seconds, return_when=FIRST_EXCEPTION)
                if any(future.exception() is not None for future in done):
                    break
                if self.tick is not None:
                    self.tick()
            return [future.result() for future in futures]
