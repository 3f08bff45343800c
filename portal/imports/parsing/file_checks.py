"""Checks that span records: the row cap and serials repeated within one file.

Only the serials are remembered (one short string per row), so memory grows with the number of rows
but stays small; the records themselves are never held.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

from django.utils.translation import gettext

from portal.core.serials import serial_normalise
from portal.imports.parsing.errors import TooManyRows
from portal.imports.parsing.rows import RejectedRow

Record = TypeVar("Record")


class _Numbered(Protocol):
    @property
    def row_number(self) -> int: ...
    @property
    def serial_number(self) -> str | None: ...


Verdict = TypeVar("Verdict", bound=_Numbered)


def capped(records: Iterable[Record], max_rows: int) -> Iterator[Record]:
    """Pass records through; raise TooManyRows on the first one past `max_rows`."""
    for count, record in enumerate(records, start=1):
        if count > max_rows:
            raise TooManyRows(
                gettext(
                    "The file has more than %(max_rows)s rows, more than one import can take; split "
                    "it into files of at most %(max_rows)s rows and import each."
                )
                % {"max_rows": f"{max_rows:,}"}
            )
        yield record


def reject_repeated_serials(verdicts: Iterable[Verdict]) -> Iterator[Verdict | RejectedRow]:
    """The first record with a serial stands; later ones are refused, pointing at the first."""
    first_seen: dict[str, int] = {}
    for verdict in verdicts:
        serial = verdict.serial_number
        if serial:
            key = serial_normalise(serial)
            if key in first_seen:
                yield RejectedRow(
                    verdict.row_number,
                    serial,
                    gettext("duplicate serial in this file (first seen on row %(first_seen)s)")
                    % {"first_seen": first_seen[key]},
                    repeated=True,
                )
                continue
            first_seen[key] = verdict.row_number
        yield verdict
