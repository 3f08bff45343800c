"""CSV files with a header row: naming the columns, and reading each following record.

Used by the Entra OATH CSV formats (with or without `upn`), the Graph-field CSV, and bulk
assignment files. Header names are matched after lower-casing and dropping spaces, dashes and
underscores. Columns we do not know are ignored (vendors add notes columns). A record with more
non-empty values than the header has columns is refused, because that almost always means an
unquoted comma shifted every value after it — including, possibly, the secret.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Literal, TextIO

from django.utils.translation import gettext

from portal.core.seed_secrets import SecretEncoding
from portal.imports.parsing.csv_rows import numbered_records
from portal.imports.parsing.errors import UnsupportedFile
from portal.imports.parsing.rows import RawToken

Field = Literal["serial", "secret", "interval", "manufacturer", "model", "hash", "display_name", "upn", "secret_format"]
Columns = tuple[Field | None, ...]

_COLUMN_ALIASES: dict[str, Field] = {
    "serialnumber": "serial",
    "serial": "serial",
    "serialno": "serial",
    "secretkey": "secret",
    "secret": "secret",
    "timeintervalinseconds": "interval",
    "timeinterval": "interval",
    "interval": "interval",
    "timestep": "interval",
    "manufacturer": "manufacturer",
    "model": "model",
    "hashfunction": "hash",
    "hash": "hash",
    "displayname": "display_name",
    "upn": "upn",
    "userprincipalname": "upn",
    "assignto": "upn",
    "secretformat": "secret_format",
}
_SECRET_ENCODINGS: dict[str, SecretEncoding] = {"base32": "base32", "hex": "hex", "text": "text"}


def canonical_column(name: str) -> Field | None:
    return _COLUMN_ALIASES.get(re.sub(r"[\s_\-]", "", name).lower())


def map_header(cells: list[str]) -> Columns:
    """Name each column; refuse a header that names one field twice (we could not tell which wins)."""
    columns: list[Field | None] = []
    for cell in cells:
        field = canonical_column(cell)
        if field is not None and field in columns:
            raise UnsupportedFile(
                gettext("The header names the column “%(strip)s” twice; keep one and upload again.")
                % {"strip": cell.strip()}
            )
        columns.append(field)
    return tuple(columns)


def split_line(line: str, delimiter: str = ",") -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def without_trailing_empties(cells: list[str]) -> list[str]:
    # Excel writes "a,b,c,," when a sheet once had wider columns.
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def find_header(line: str, required: tuple[Field, ...]) -> tuple[str, Columns] | None:
    """Try comma, semicolon (Excel in many locales) and tab; return the first that names `required`."""
    for delimiter in (",", ";", "\t"):
        cells = without_trailing_empties(split_line(line, delimiter))
        if len(cells) < 2:
            continue
        columns = tuple(canonical_column(cell) for cell in cells)
        if all(field in columns for field in required):
            return delimiter, map_header(cells)
    return None


def header_csv_tokens(text: TextIO, *, codec: str, delimiter: str, columns: Columns) -> Iterator[RawToken]:
    records = numbered_records(text, codec=codec, delimiter=delimiter)
    next(records, None)  # the header, already read when the format was recognised
    for row_number, cells in records:
        yield record_to_token(row_number, cells, columns)


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
        token.problem = gettext(
            "row has more values (%(len)s) than the header has columns (%(len2)s) — probably "
            "an unquoted comma; put quotes around values that contain one"
        ) % {"len": len(cells), "len2": len(columns)}
        return token
    secret_format = (values.get("secret_format") or "").strip().lower()
    if secret_format:
        if secret_format in _SECRET_ENCODINGS:
            token.secret_encoding = _SECRET_ENCODINGS[secret_format]
        else:
            token.problem = gettext("secretFormat must be base32, hex or text")
    return token
