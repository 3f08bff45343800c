"""CSV files with a header row: the Entra OATH CSV (with or without `upn`) and Graph-field CSV.

The header has already been mapped to fields by `detect`; here each following record becomes a
`RawToken`. Columns we do not know are ignored (vendors add notes columns). A record with more
non-empty values than the header has columns is refused, because that almost always means an
unquoted comma shifted every value after it — including, possibly, the secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from portal.core.seed_secrets import SecretEncoding
from portal.imports.parsing.csv_rows import numbered_records
from portal.imports.parsing.detect import Columns, Detection
from portal.imports.parsing.rows import RawToken

_SECRET_ENCODINGS: dict[str, SecretEncoding] = {"base32": "base32", "hex": "hex", "text": "text"}


def header_csv_tokens(text: TextIO, detection: Detection) -> Iterator[RawToken]:
    records = numbered_records(text, codec=detection.codec, delimiter=detection.delimiter)
    next(records, None)  # the header, already read by detect
    for row_number, cells in records:
        yield record_to_token(row_number, cells, detection.columns)


def record_to_token(row_number: int, cells: list[str], columns: Columns) -> RawToken:
    values = {field: cell for field, cell in zip(columns, cells, strict=False) if field is not None}
    token = RawToken(
        row_number,
        serial=values.get("serial"),
        secret=values.get("secret"),
        time_interval=values.get("interval"),
        hash_function=values.get("hash"),
        manufacturer=values.get("manufacturer"),
        model=values.get("model"),
        display_name=values.get("display_name"),
        assignee=values.get("upn"),
    )
    if any(cell.strip() for cell in cells[len(columns) :]):
        token.problem = (
            f"row has more values ({len(cells)}) than the header has columns ({len(columns)}) — "
            "probably an unquoted comma; put quotes around values that contain one"
        )
        return token
    secret_format = (values.get("secret_format") or "").strip().lower()
    if secret_format:
        if secret_format in _SECRET_ENCODINGS:
            token.secret_encoding = _SECRET_ENCODINGS[secret_format]
        else:
            token.problem = "secretFormat must be base32, hex or text"
    return token
