"""Bulk assignment files: which user gets which (already imported) token.

A CSV whose header names a UPN column (`upn`, `userPrincipalName`, `assignTo`) and a serial column
(`serial`, `serial number`, `serialNumber`), in any order and with any other columns — so the
Entra OATH CSV with UPNs is accepted as is (its secrets are ignored here). Every data row yields one
`AssignmentRow` or `RejectedRow`; a serial repeated in the file is refused, because one token
belongs to at most one user.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext, gettext_lazy

from portal.core.wording import problems_text
from portal.imports.parsing.csv_rows import numbered_records
from portal.imports.parsing.errors import UnsupportedFile
from portal.imports.parsing.fields import FieldProblem, clean_text, normalise_serial, normalise_upn
from portal.imports.parsing.file_checks import capped, reject_repeated_serials
from portal.imports.parsing.format import Sniffed
from portal.imports.parsing.header_csv import find_header
from portal.imports.parsing.rows import AssignmentRow, AssignmentVerdict, RejectedRow
from portal.imports.parsing.text_input import open_text, read_head, sniff_encoding

EXPECTED_ASSIGNMENT_FILES = gettext_lazy(
    "Expected a CSV whose first line names a UPN column and a serial column, for "
    "example “upn,serial” or “userPrincipalName,serialNumber” (the Entra OATH CSV "
    "with UPNs works too)."
)


def _judge(row_number: int, upn_value: str | None, serial_value: str | None) -> AssignmentVerdict:
    problems: list[str] = []
    serial: str | None = clean_text(serial_value)
    upn: str | None = None
    try:
        serial = normalise_serial(serial_value)
    except FieldProblem as problem:
        problems.append(problem.reason)
    try:
        upn = normalise_upn(upn_value)
        if upn is None:
            problems.append(gettext("missing UPN"))
    except FieldProblem as problem:
        problems.append(problem.reason)
    if problems or upn is None or serial is None:
        return RejectedRow(row_number, serial, problems_text(problems))
    return AssignmentRow(row_number, upn, serial)


def assignment_rows(stream: BinaryIO, *, max_rows: int = 50_000) -> Iterator[AssignmentVerdict]:
    """Detect the header now (raising UnsupportedFile), then return a lazy iterator of verdicts."""
    head = read_head(stream)
    codec, text = sniff_encoding(head, expected=str(EXPECTED_ASSIGNMENT_FILES))
    header = find_header(Sniffed(codec, text).lines[0], ("upn", "serial"))
    if header is None:
        raise UnsupportedFile(
            gettext("The first line is not a header we know. %(expected_assignment_files)s")
            % {"expected_assignment_files": EXPECTED_ASSIGNMENT_FILES}
        )
    delimiter, columns = header
    upn_index, serial_index = columns.index("upn"), columns.index("serial")

    def records() -> Iterator[AssignmentVerdict]:
        rows = numbered_records(open_text(head, stream, codec), codec=codec, delimiter=delimiter)
        next(rows, None)  # the header
        for row_number, cells in rows:
            upn = cells[upn_index] if upn_index < len(cells) else None
            serial = cells[serial_index] if serial_index < len(cells) else None
            yield _judge(row_number, upn, serial)

    return reject_repeated_serials(capped(records(), max_rows))
