"""Run a whole file through the public entry points and collect every verdict."""

from __future__ import annotations

import io
from typing import Any

from portal.imports.parsing import (
    AssignmentRow,
    RejectedRow,
    SeedRow,
    parse_assignment_file,
    parse_seed_file,
)


def parse_all(data: bytes, **options: Any) -> tuple[str, list[SeedRow | RejectedRow]]:
    parsed = parse_seed_file(io.BytesIO(data), **options)
    return parsed.format.id, list(parsed.rows())


def accepted(verdicts: list[SeedRow | RejectedRow]) -> list[SeedRow]:
    return [v for v in verdicts if isinstance(v, SeedRow)]


def rejected(verdicts: list[Any]) -> list[RejectedRow]:
    return [v for v in verdicts if isinstance(v, RejectedRow)]


def reasons(verdicts: list[Any]) -> dict[int, str]:
    """row number → reason, for the rejected rows."""
    return {v.row_number: v.reason for v in rejected(verdicts)}


def assignments_all(data: bytes, **options: Any) -> list[AssignmentRow | RejectedRow]:
    return list(parse_assignment_file(io.BytesIO(data), **options))
