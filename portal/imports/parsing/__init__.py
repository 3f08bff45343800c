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

Formats and detection rules: see `detect`. Entra's per-record rules: `rules`, `fields`, `secrets`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from portal.imports.parsing.assignments import assignment_rows
from portal.imports.parsing.detect import (
    ENTRA_CSV,
    ENTRA_CSV_NO_UPN,
    GRAPH_CSV,
    GRAPH_JSON,
    OATH_CSV,
    OATH_CSV_V2,
    PSKC,
    FileFormat,
    detect_seed_format,
)
from portal.imports.parsing.errors import (
    DecryptionKeyNeeded,
    SeedFileError,
    TooManyRows,
    UnreadableFile,
    UnsupportedFile,
    WrongDecryptionKey,
)
from portal.imports.parsing.file_checks import capped, reject_repeated_serials
from portal.imports.parsing.header_csv import header_csv_tokens
from portal.imports.parsing.json_tokens import json_tokens
from portal.imports.parsing.oath_csv import oath_csv_tokens
from portal.imports.parsing.pskc_tokens import MAX_DOCUMENT_BYTES, open_pskc, pskc_tokens
from portal.imports.parsing.rows import (
    AssignmentRow,
    AssignmentVerdict,
    RawToken,
    RejectedRow,
    SeedRow,
    SeedVerdict,
)
from portal.imports.parsing.rules import DeviceDefaults, FormatRules, judge_token
from portal.imports.parsing.text_input import open_text, read_all, read_head

__all__ = [
    "AssignmentRow",
    "DecryptionKeyNeeded",
    "FileFormat",
    "ParsedFile",
    "RejectedRow",
    "SeedFileError",
    "SeedRow",
    "TooManyRows",
    "UnreadableFile",
    "UnsupportedFile",
    "WrongDecryptionKey",
    "parse_assignment_file",
    "parse_seed_file",
]

_BASE32_FILE_HINT = "it looks like a hex seed: set secretFormat to hex, or convert it to Base32"
_RULES: dict[str, FormatRules] = {
    ENTRA_CSV.id: FormatRules(default_interval=None),
    ENTRA_CSV_NO_UPN.id: FormatRules(default_interval=None),
    # The community module's defaults: 30 s, hmacsha1.
    GRAPH_CSV.id: FormatRules(hex_hint=_BASE32_FILE_HINT),
    GRAPH_JSON.id: FormatRules(hex_hint=_BASE32_FILE_HINT),
    OATH_CSV.id: FormatRules(infer_hash_from_seed_length=True, assignee_must_be_upn=False),
    OATH_CSV_V2.id: FormatRules(infer_hash_from_seed_length=True, assignee_must_be_upn=False),
    PSKC.id: FormatRules(assignee_must_be_upn=False),
}


class ParsedFile:
    """A detected seed file whose records are read lazily, once, by iterating `rows()`."""

    def __init__(self, file_format: FileFormat, verdicts: Iterator[SeedVerdict]) -> None:
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
    `default_model` fill in files that name no device (OATH CSV, most PSKC — see
    `FileFormat.names_devices`); without them such records are refused with a reason saying so.
    Raises `SeedFileError` for a file that cannot be imported at all.
    """
    del filename  # content decides; a .csv named .txt is still a CSV
    head = read_head(stream)
    detection = detect_seed_format(head)
    file_format = detection.format
    tokens: Iterator[RawToken]
    if file_format == PSKC:
        data = read_all(head, stream, limit=MAX_DOCUMENT_BYTES, what="PSKC")
        tokens = pskc_tokens(open_pskc(data, key_hex=pskc_key_hex, password=pskc_password))
    else:
        text = open_text(head, stream, detection.codec)
        if file_format == GRAPH_JSON:
            tokens = json_tokens(text, detection.codec)
        elif file_format in (OATH_CSV, OATH_CSV_V2):
            tokens = oath_csv_tokens(text, detection, version2=file_format == OATH_CSV_V2)
        else:
            tokens = header_csv_tokens(text, detection)
    defaults = DeviceDefaults(
        manufacturer=(default_manufacturer or "").strip() or None,
        model=(default_model or "").strip() or None,
    )
    verdicts = _judged(capped(tokens, max_rows), _RULES[file_format.id], defaults)
    return ParsedFile(file_format, reject_repeated_serials(verdicts))


def parse_assignment_file(stream: BinaryIO, *, max_rows: int = 50_000) -> Iterator[AssignmentVerdict]:
    """Read a `upn,serial` CSV (any column order; the Entra CSV with UPNs works too).

    The header is checked now (raising `UnsupportedFile`); rows are read lazily as you iterate.
    """
    return assignment_rows(stream, max_rows=max_rows)
