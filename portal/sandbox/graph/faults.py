"""Fault injection: latency, throttling (429) and outages (503), so clients prove their retries.

* SANDBOX["LATENCY_MS"]: sleep once per HTTP request (a network round trip, so not per $batch member);
  never longer than the caller's read timeout, after which the caller gets a ReadTimeout although
  the request was processed (see `read_deadline`, used by portal.sandbox.transport).
* SANDBOX["THROTTLE_RATE"], SANDBOX["UNAVAILABLE_RATE"] (0..1): one random draw per request decides;
  both answers carry `Retry-After: SANDBOX["RETRY_AFTER_SECONDS"]` and the 429 body of reference §6.3.
* SANDBOX["FAULT_SEED"]: when set the draws come from `random.Random(seed)`, so a run is repeatable;
  `reset()` starts the sequence again (tests call it).
* SANDBOX["CALLER_DIES_AFTER_WRITES"] (0 = never): the caller's process "dies" the moment Graph has
  applied its Nth write request (any method but GET, counted as HTTP requests, a `$batch` being one):
  the write is done, and instead of its answer the caller gets `CallerDied`, a BaseException that
  nothing in the portal catches — as if the process had been killed while the answer was on the
  wire. It fires once; changing settings.SANDBOX arms it again. How the import tests kill a worker
  mid-job without a hook in the worker's own code.

Faults are decided before the operation runs, so a faulted write changed nothing and is safe to
retry. They apply to every request and every $batch member, not to the $batch envelope itself:
Graph throttles the requests inside a batch individually (§6.3).
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import threading
import time
from collections.abc import Iterator

from django.core.signals import setting_changed
from django.dispatch import receiver

from portal.sandbox.config import sandbox_float, sandbox_int, sandbox_optional_str
from portal.sandbox.graph import errors

_lock = threading.Lock()
_UNSET = object()
_seed: object = _UNSET
_rng = random.Random()  # noqa: S311 - fault injection, not cryptography


def reset() -> None:
    """Forget the random sequence; the next draw starts again from SANDBOX["FAULT_SEED"]."""
    global _seed
    with _lock:
        _seed = _UNSET


def _draw() -> float:
    global _seed, _rng
    seed = sandbox_optional_str("FAULT_SEED")
    with _lock:
        if _seed is _UNSET or _seed != seed:
            _rng = random.Random(seed)  # noqa: S311 - seed None → seeded from the OS
            _seed = seed
        return _rng.random()


class ReadDeadline:
    """The caller's read timeout for one HTTP request (set by the sandbox transport adapter), so
    latency behaves like a network's: a client never waits longer than its timeout."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.exceeded = False


_deadline: contextvars.ContextVar[ReadDeadline | None] = contextvars.ContextVar("sandbox_deadline", default=None)


@contextlib.contextmanager
def read_deadline(seconds: float | None) -> Iterator[ReadDeadline]:
    deadline = ReadDeadline(seconds)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


def apply_latency() -> None:
    delay = sandbox_float("LATENCY_MS") / 1000
    if delay <= 0:
        return
    deadline = _deadline.get()
    if deadline is not None and deadline.seconds is not None and delay > deadline.seconds:
        # The client gives up after its timeout; the request has reached "Graph" all the same and
        # is processed (a write may happen that the client never hears about), as on a real network.
        time.sleep(deadline.seconds)
        deadline.exceeded = True
        return
    time.sleep(delay)


def retry_after_header() -> str:
    seconds = sandbox_float("RETRY_AFTER_SECONDS")
    # Graph sends whole seconds or fractions such as "2.128".
    return str(int(seconds)) if seconds.is_integer() else f"{seconds:.3f}".rstrip("0")


def injected_fault() -> errors.GraphError | None:
    throttle = sandbox_float("THROTTLE_RATE")
    unavailable = sandbox_float("UNAVAILABLE_RATE")
    if throttle <= 0 and unavailable <= 0:
        return None  # no draw: switching faults off does not disturb a seeded sequence
    draw = _draw()
    headers = {"Retry-After": retry_after_header()}
    if draw < throttle:
        return errors.TOO_MANY_REQUESTS(headers=headers)
    if draw < throttle + unavailable:
        return errors.SERVICE_UNAVAILABLE(headers=headers)
    return None


class CallerDied(BaseException):
    """The caller's process died after Graph applied its write (SANDBOX["CALLER_DIES_AFTER_WRITES"]).
    A BaseException, so no `except Exception` in the caller survives it, as nothing survives SIGKILL."""


_writes = 0
_fired = False


@receiver(setting_changed)
def _rearm(*, setting: str, **_kwargs: object) -> None:
    global _writes, _fired
    if setting == "SANDBOX":
        with _lock:
            _writes, _fired = 0, False


def after_write(method: str) -> None:
    """Count a top-level write that Graph applied; kill the caller at the configured one."""
    global _writes, _fired
    limit = sandbox_int("CALLER_DIES_AFTER_WRITES")
    if limit <= 0 or method == "GET":
        return
    with _lock:
        if _fired:
            return
        _writes += 1
        if _writes < limit:
            return
        _fired = True
    raise CallerDied(f"sandbox: the caller died after Graph applied its write number {limit}")
