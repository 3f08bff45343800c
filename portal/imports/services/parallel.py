"""Bounded concurrency for Graph calls: a few threads, each making its own calls.

Only Graph calls run on these threads; the portal's own database is written by the calling thread
(the job's coordinator), so row updates and the lease never race. With the sandbox tenant the
emulator answers on the calling thread and writes *its* database from there, so every call closes
the thread's connections when it ends (Django keeps one per thread).

With a concurrency of 1 everything runs inline, on the caller's thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connections

T = TypeVar("T")
R = TypeVar("R")


def on_own_thread(fn: Callable[[T], R]) -> Callable[[T], R]:
    """`fn` for a pool thread: the thread's database connections are closed after each call."""

    def call(item: T) -> R:
        try:
            return fn(item)
        finally:
            connections.close_all()

    return call


class Parallel:
    def __init__(self, concurrency: int) -> None:
        self.concurrency = max(1, concurrency)

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`fn` over `items`, results in input order; the first exception is raised."""
        if self.concurrency == 1 or len(items) <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            return list(pool.map(on_own_thread(fn), items))
