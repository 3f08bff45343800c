"""Seed-file parsing for bulk token imports: pure functions, no database, no network.

    parsed = parse_seed_file(upload, filename=name, pskc_password=password)
    parsed.format.label                     # "Microsoft Entra OATH token CSV (with UPN)"
    for verdict in parsed.rows():           # one SeedRow or RejectedRow per record, streamed
        ...

File-level problems raise `SeedFileError` (subclasses in `errors`), whose `str()` is a sentence for
the administrator. Detection, XML checks, PSKC decryption and reading a JSON object's inventory
happen inside `parse_seed_file`; while iterating `rows()` only `TooManyRows` and `UnreadableFile`
(a file broken part-way: a CSV quote never closed, a truncated JSON list) can still be raised.
Nothing else escapes: no library exception, and never a secret in any message.

Each format is one module in `formats/` (label, recognition, reader, rules), listed once in
`registry.SEED_FORMATS`; detection, dispatch and the upload form's help text read that list.
Entra's per-record rules, shared by all formats: `rules`, `fields`, `secrets`. Memory stays bounded
whatever a file holds: every format is streamed, with caps checked while reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from portal.imports.parsing.assignments import assignment_rows
from portal.imports.parsing.errors import (
    DecryptionKeyNeeded,
    SeedFileError,
    TooManyRows,
    UnreadableFile,
    UnsupportedFile,
    WrongDecryptionKey,
)
from portal.imports.parsing.file_checks import capped, reject_repeated_serials
from portal.imports.parsing.format import Keys, SeedFormat, SeedSource
from portal.imports.parsing.registry import SEED_FORMATS, accepted_seed_files, detect_seed_format
from portal.imports.parsing.rows import (
    AssignmentRow,
    AssignmentVerdict,
    RawToken,
    RejectedRow,
    SeedRow,
    SeedVerdict,
)
from portal.imports.parsing.rules import DeviceDefaults, FormatRules, judge_token
from portal.imports.parsing.text_input import read_head

__all__ = [
    "SEED_FORMATS",
    "AssignmentRow",
    "DecryptionKeyNeeded",
    "ParsedFile",
    "RejectedRow",
    "SeedFileError",
    "SeedFormat",
    "SeedRow",
    "TooManyRows",
    "UnreadableFile",
    "UnsupportedFile",
    "WrongDecryptionKey",
    "accepted_seed_files",
    "parse_assignment_file",
    "parse_seed_file",
]


class ParsedFile:
    """A detected seed file whose records are read lazily, once, by iterating `rows()`."""

    def __init__(self, file_format: SeedFormat, verdicts: Iterator[SeedVerdict]) -> None:
        self.format = file_format
        self._verdicts = verdicts

    def rows(self) -> Iterator[SeedVerdict]:
        """Every record's verdict in file order. Single pass: the upload is streamed, not kept."""
        return self._verdicts


def _judged(tokens: Iterator[RawToken], rules: FormatRules, defaults: DeviceDefaults) -> Iterator[SeedVerdict]:
    for token in tokens:
        yield judge_token(token, rules, defaults)


def parse_seed_file(
    stream: BinaryIO,
    *,
    filename: str = "",
    pskc_key_hex: str | None = None,
    pskc_password: str | None = None,
    max_rows: int = 50_000,
    default_manufacturer: str | None = None,
    default_model: str | None = None,
) -> ParsedFile:
    """Detect the format of a vendor seed file and prepare its verdicts.

    `filename` is informational only (detection reads the content). `default_manufacturer` and
    `default_model` fill in files that name no device (OATH CSV, most PSKC); without them such
    records are refused with a reason saying so. Raises `SeedFileError` for a file that cannot be
    imported at all.
    """
    del filename  # content decides; a .csv named .txt is still a CSV
    head = read_head(stream)
    file_format, codec, layout = detect_seed_format(head)
    source = SeedSource(
        head=head,
        rest=stream,
        codec=codec,
        layout=layout,
        keys=Keys(key_hex=pskc_key_hex, password=pskc_password),
        max_rows=max_rows,
    )
    defaults = DeviceDefaults(
        manufacturer=(default_manufacturer or "").strip() or None,
        model=(default_model or "").strip() or None,
    )
    verdicts = _judged(capped(file_format.read(source), max_rows), file_format.rules, defaults)
    return ParsedFile(file_format, reject_repeated_serials(verdicts))


def parse_assignment_file(stream: BinaryIO, *, max_rows: int = 50_000) -> Iterator[AssignmentVerdict]:
    """Read a `upn,serial` CSV (any column order; the Entra CSV with UPNs works too).

    The header is checked now (raising `UnsupportedFile`); rows are read lazily as you iterate.
    """
    return assignment_rows(stream, max_rows=max_rows)
