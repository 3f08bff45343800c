"""What the benchmarks share: a fresh sandbox tenant in a temporary directory, a bigger tenant on
request, a clock on the sandbox's answers, and the rows `run_all.py` gathers into one table.

Every benchmark stays a script of its own (`.venv/bin/python bench/<name>.py`); `--rows-json PATH`
makes it also write its headline figures for run_all.py, `--quick` makes it small.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "contoso-sandbox.example"


@dataclass(frozen=True)
class Row:
    benchmark: str
    figure: str
    unit: str
    note: str = ""


def common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="A smaller, faster run.")
    parser.add_argument("--rows-json", type=Path, help="Also write the headline figures here (for run_all.py).")


def write_rows(path: Path | None, rows: Iterable[Row]) -> None:
    if path is not None:
        path.write_text(json.dumps([asdict(row) for row in rows]), encoding="utf-8")


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes (what `uptime` says): figures measured on
    a shared machine mean little without it."""
    try:
        return "/".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def print_table(rows: list[Row]) -> None:
    headings = ("benchmark", "figure", "unit", "note")
    cells = [headings, *((row.benchmark, row.figure, row.unit, row.note) for row in rows)]
    widths = [max(len(line[column]) for line in cells) for column in range(3)]
    for number, line in enumerate(cells):
        print("  ".join([line[0].ljust(widths[0]), line[1].rjust(widths[1]), line[2].ljust(widths[2]), line[3]]))
        if number == 0:
            print("  ".join("-" * width for width in [*widths, len(headings[3])]))


def sandbox_environment(tmp: Path, *, latency_ms: int = 0, base_url: str | None = None) -> dict[str, str]:
    """Environment variables for a portal on the sandbox tenant with its databases in `tmp`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SANDBOX_", "IMPORT_", "DATABASE_", "ENTRA_", "PORTAL_", "DJANGO_", "GRAPH_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        PORTAL_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'portal.sqlite3'}",
        SANDBOX_DATABASE_PATH=str(tmp / "sandbox.sqlite3"),
        SANDBOX_LATENCY_MS=str(latency_ms),
        PORTAL_LOG_LEVEL="WARNING",
    )
    if base_url:
        env["PORTAL_BASE_URL"] = base_url
    (tmp / "staticfiles").mkdir(exist_ok=True)  # whitenoise warns about a missing STATIC_ROOT
    return env


def configure(tmp: Path, *, latency_ms: int = 0, base_url: str | None = None) -> None:
    """Point this process at a fresh sandbox tenant before Django reads its settings."""
    os.environ.clear()
    os.environ.update(sandbox_environment(tmp, latency_ms=latency_ms, base_url=base_url))


def secret(label: str) -> str:
    return base64.b32encode(hashlib.sha256(label.encode()).digest()[:20]).decode()


def grow_tenant(*, users: int, tokens: int, assigned: int, prefix: str = "bench") -> list[tuple[str, str]]:
    """Add `users` employees and `tokens` tokens to the sandbox tenant (the first `assigned` tokens
    one each to the first users); returns (upn, serial) of the unassigned token set aside for each
    of the first users, for journeys that add one. Needs Django set up."""
    from django.db import transaction

    from portal.sandbox import roles
    from portal.sandbox.models import DirectoryUser, HardwareToken

    people = [
        DirectoryUser(
            id=uuid.uuid5(uuid.NAMESPACE_DNS, f"{prefix}-user-{n}"),
            user_principal_name=f"{prefix}.user{n:05d}@{DOMAIN}",
            display_name=f"Bench User {n:05d}",
            given_name="Bench",
            surname=f"User {n:05d}",
            mail=f"{prefix}.user{n:05d}@{DOMAIN}",
            job_title="Employee",
            department=f"Department {n % 40}",
            roles=[roles.MEMBER],
        )
        for n in range(users)
    ]
    devices = []
    for n in range(tokens):
        holder = people[n] if n < assigned and n < users else None
        devices.append(
            HardwareToken(
                serial_number=f"{prefix.upper()}{n:07d}",
                manufacturer="Token2",
                model="C202",
                secret_key=secret(f"{prefix}-{n}"),
                status=HardwareToken.Status.ACTIVATED if holder else HardwareToken.Status.AVAILABLE,
                assigned_to=holder,
            )
        )
    with transaction.atomic(using="sandbox"):
        DirectoryUser.objects.bulk_create(people, batch_size=500)
        HardwareToken.objects.bulk_create(devices, batch_size=500)
    spare = [device for device in devices if device.assigned_to is None]
    return [(person.user_principal_name, device.serial_number) for person, device in zip(people, spare, strict=False)]


# --- the sandbox's share of a page ---------------------------------------------------------------


class SandboxClock:
    """Seconds spent inside the sandbox's handlers (Microsoft's time in production): per thread
    (`seconds`, for one request's share) and summed over all threads (`total`)."""

    _local = threading.local()
    _lock = threading.Lock()
    _total = 0.0

    @classmethod
    def total(cls) -> float:
        with cls._lock:
            return cls._total

    @classmethod
    def reset(cls) -> None:
        cls._local.seconds = 0.0

    @classmethod
    def seconds(cls) -> float:
        return float(getattr(cls._local, "seconds", 0.0))

    @classmethod
    def timed(cls, handler: Any) -> Any:
        def answer(request: Any) -> Any:
            started = time.perf_counter()
            try:
                return handler(request)
            finally:
                elapsed = time.perf_counter() - started
                cls._local.seconds = cls.seconds() + elapsed
                with cls._lock:
                    cls._total += elapsed

        return answer


def timed_identity_adapter() -> Any:
    """The sandbox's identity adapter, its handling time added to SandboxClock (for
    settings.HTTP_TRANSPORT_ADAPTERS)."""
    from portal.sandbox.identity.app import handle
    from portal.sandbox.transport import SandboxAdapter

    return SandboxAdapter(SandboxClock.timed(handle), "https://login.microsoftonline.com")


def timed_graph_adapter() -> Any:
    from portal.sandbox.graph.app import handle
    from portal.sandbox.transport import SandboxAdapter

    return SandboxAdapter(SandboxClock.timed(handle), "https://graph.microsoft.com")


TIMED_ADAPTERS = {
    "https://login.microsoftonline.com/": "bench.support.timed_identity_adapter",
    "https://graph.microsoft.com/": "bench.support.timed_graph_adapter",
}
