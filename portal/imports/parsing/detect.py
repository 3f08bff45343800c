"""Which seed-file format is this? Decided from the first bytes alone, never from the file name.

Rules, in order (after the byte-order mark and leading blank lines):

* zip/xlsx/xls/PDF/gzip signatures, NUL bytes or control characters → binary, refused;
* first character `<` → XML; PSKC when the PSKC namespace `urn:ietf:params:xml:ns:keyprov:pskc`
  appears in the head, otherwise refused;
* first character `[` or `{` → Graph-shaped JSON (a list of tokens, or an object holding one);
* a first line that is a header (comma, semicolon or tab separated):
  exactly `upn,serial number,secret key,time interval,manufacturer,model` (case and spacing free)
  → Entra CSV, the same without `upn` → Entra CSV without UPN; any other header naming a serial
  and a secret column (Graph names such as `serialNumber`, `secretKey`, in any order) → Graph-field CSV;
* `# version: 2` → privacyIDEA OATH CSV v2 (user, resolver, realm, then the token);
* a headerless line `serial, hex seed[, type[, digits[, step[, hash]]]]` → OATH CSV (privacyIDEA
  v1 and LinOTP write the same layout, so they are one format here).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import Literal

from portal.imports.parsing.errors import UnsupportedFile
from portal.imports.parsing.text_input import sniff_encoding


@dataclass(frozen=True, slots=True)
class FileFormat:
    """A short stable id (for storage and tests) and a label for the administrator."""

    id: str
    label: str
    #: Whether records name their manufacturer and model; if not, the import must supply them.
    names_devices: bool = True


ENTRA_CSV = FileFormat("entra-csv", "Microsoft Entra OATH token CSV (with UPN)")
ENTRA_CSV_NO_UPN = FileFormat("entra-csv-no-upn", "Microsoft Entra OATH token CSV (without UPN)")
GRAPH_CSV = FileFormat("graph-csv", "CSV with Graph field names")
GRAPH_JSON = FileFormat("graph-json", "JSON with Graph field names")
PSKC = FileFormat("pskc", "PSKC key container (RFC 6030 XML)", names_devices=False)
OATH_CSV = FileFormat("oath-csv", "OATH CSV without header (privacyIDEA / LinOTP)", names_devices=False)
OATH_CSV_V2 = FileFormat("oath-csv-v2", "privacyIDEA OATH CSV, version 2 (with users)", names_devices=False)

EXPECTED_SEED_FILES = (
    "Expected one of: the Microsoft Entra OATH CSV (header “upn,serial number,secret key,time "
    "interval,manufacturer,model”, with or without upn), a CSV with Graph field names (serialNumber, "
    "secretKey, timeIntervalInSeconds, manufacturer, model, …), a JSON list of tokens with those "
    "names, a PSKC XML key container, or a privacyIDEA / LinOTP OATH CSV (serial, hex seed, totp, "
    "6, 30)."
)

PSKC_NAMESPACE = "urn:ietf:params:xml:ns:keyprov:pskc"
LEGACY_HEADER = ("upn", "serial number", "secret key", "time interval", "manufacturer", "model")

Field = Literal["serial", "secret", "interval", "manufacturer", "model", "hash", "display_name", "upn", "secret_format"]

# Header names after lower-casing and dropping spaces, dashes and underscores.
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

Columns = tuple[Field | None, ...]


@dataclass(frozen=True, slots=True)
class Detection:
    format: FileFormat
    #: Python codec for the text formats ("utf-8", "utf-8-sig", "utf-16", "cp1252").
    codec: str
    delimiter: str = ","
    #: What each CSV column holds (None: a column we ignore).
    columns: Columns = ()


def canonical_column(name: str) -> Field | None:
    return _COLUMN_ALIASES.get(re.sub(r"[\s_\-]", "", name).lower())


def map_header(cells: list[str]) -> Columns:
    """Name each column; refuse a header that names one field twice (we could not tell which wins)."""
    columns: list[Field | None] = []
    for cell in cells:
        field = canonical_column(cell)
        if field is not None and field in columns:
            raise UnsupportedFile(f"The header names the column “{cell.strip()}” twice; keep one and upload again.")
        columns.append(field)
    return tuple(columns)


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _without_trailing_empties(cells: list[str]) -> list[str]:
    # Excel writes "a,b,c,," when a sheet once had wider columns.
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def find_header(line: str, required: tuple[Field, ...]) -> tuple[str, list[str], Columns] | None:
    """Try comma, semicolon (Excel in many locales) and tab; return the first that names `required`."""
    for delimiter in (",", ";", "\t"):
        cells = _without_trailing_empties(_split(line, delimiter))
        if len(cells) < 2:
            continue
        columns = tuple(canonical_column(cell) for cell in cells)
        if all(field in columns for field in required):
            return delimiter, cells, map_header(cells)
    return None


def first_lines(text: str, count: int = 20) -> list[str]:
    """The first non-blank lines of the head (enough to find a header or a first record)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[:count]


_HEX_SEED = re.compile(r"^(?:0x)?[0-9a-fA-F\s:]{2,}$")
_VERSION_LINE = re.compile(r"^\s*#\s*version\s*:\s*(\d+)", re.IGNORECASE)


def _looks_like_oath_line(line: str) -> bool:
    cells = [cell.strip() for cell in _split(line, ",")]
    if len(cells) < 2 or len(cells) > 6 or not cells[0]:
        return False
    if not _HEX_SEED.match(cells[1]):
        return False
    return len(cells) < 3 or re.fullmatch(r"[A-Za-z]{0,12}", cells[2]) is not None


def detect_seed_format(head: bytes) -> Detection:
    """Decide the format from the head of the file, or raise UnsupportedFile saying what we expected."""
    codec, text = sniff_encoding(head, expected=EXPECTED_SEED_FILES)
    start = text.lstrip()
    if start.startswith("<"):
        if PSKC_NAMESPACE in text and "KeyContainer" in text:
            return Detection(PSKC, codec)
        raise UnsupportedFile(f"This XML file is not a PSKC key container ({PSKC_NAMESPACE}). {EXPECTED_SEED_FILES}")
    if start.startswith(("[", "{")):
        return Detection(GRAPH_JSON, codec)

    lines = first_lines(text)
    first = lines[0]
    version = _VERSION_LINE.match(first)
    if version:
        if version.group(1) == "2":
            return Detection(OATH_CSV_V2, codec)
        return Detection(OATH_CSV, codec)

    legacy = [" ".join(cell.split()).lower() for cell in _without_trailing_empties(_split(first, ","))]
    if tuple(legacy) == LEGACY_HEADER:
        return Detection(ENTRA_CSV, codec, ",", map_header(legacy))
    if tuple(legacy) == LEGACY_HEADER[1:]:
        return Detection(ENTRA_CSV_NO_UPN, codec, ",", map_header(legacy))

    header = find_header(first, ("serial", "secret"))
    if header is not None:
        delimiter, _cells, columns = header
        return Detection(GRAPH_CSV, codec, delimiter, columns)
    if find_header(first, ("serial", "upn")) is not None:
        raise UnsupportedFile(
            "This file lists users and serial numbers but no secrets: it is an assignment list, not a "
            "seed file. Import the seeds first, then use bulk assignment for this file."
        )

    data_lines = [line for line in lines if not line.lstrip().startswith("#")]
    if data_lines and _looks_like_oath_line(data_lines[0]):
        return Detection(OATH_CSV, codec)
    raise UnsupportedFile(f"The first line is not a header we know. {EXPECTED_SEED_FILES}")
