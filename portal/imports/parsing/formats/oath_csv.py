"""Headerless OATH CSV as privacyIDEA (version 1) and LinOTP write it (one format here).

    serial, hex seed[, hotp|totp[, digits[, time step (or counter)[, sha1|sha256|sha512]]]]

Recognised by a first data line of that shape, or a `# version: N` first line other than 2. Lines
starting with `#` are comments. Both tools read a missing type as HOTP, so we do too: such a row is
refused rather than guessed to be TOTP. The file says nothing about the hash: a 32-byte seed means
SHA-256. The user of privacyIDEA's version 2 (`oath_csv_v2`) is often a plain login name, which
we cannot assign, so it is dropped unless it is a UPN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.imports.parsing.csv_rows import numbered_records
from portal.imports.parsing.format import Layout, SeedFormat, SeedSource, Sniffed
from portal.imports.parsing.header_csv import split_line
from portal.imports.parsing.rows import RawToken
from portal.imports.parsing.rules import FormatRules

NAMED_AS = _("privacyIDEA / LinOTP OATH CSV")
DESCRIBED_AS = _("a privacyIDEA / LinOTP OATH CSV (serial, hex seed, totp, 6, 30)")
RULES = FormatRules(infer_hash_from_seed_length=True, assignee_must_be_upn=False)

_HEX_SEED = re.compile(r"^(?:0x)?[0-9a-fA-F\s:]{2,}$")
_VERSION_LINE = re.compile(r"^\s*#\s*version\s*:\s*(\d+)", re.IGNORECASE)


def version(sniffed: Sniffed) -> str | None:
    """The number of a `# version: N` first line, if there is one."""
    match = _VERSION_LINE.match(sniffed.lines[0])
    return match.group(1) if match else None


def _looks_like_oath_line(line: str) -> bool:
    cells = [cell.strip() for cell in split_line(line)]
    if len(cells) < 2 or len(cells) > 6 or not cells[0]:
        return False
    if not _HEX_SEED.match(cells[1]):
        return False
    return len(cells) < 3 or re.fullmatch(r"[A-Za-z]{0,12}", cells[2]) is not None


def recognise(sniffed: Sniffed) -> Layout | None:
    if version(sniffed) is not None:
        return Layout()
    data_lines = [line for line in sniffed.lines if not line.lstrip().startswith("#")]
    return Layout() if data_lines and _looks_like_oath_line(data_lines[0]) else None


def _cell(cells: list[str], index: int) -> str | None:
    return cells[index].strip() if index < len(cells) else None


def oath_tokens(source: SeedSource, *, with_users: bool) -> Iterator[RawToken]:
    """One token per line; with `with_users`, every line starts with user, resolver and realm."""
    for row_number, cells in numbered_records(source.text(), codec=source.codec):
        if cells[0].lstrip().startswith("#"):
            continue
        user = None
        if with_users:
            user = _cell(cells, 0)
            cells = cells[3:]
        token_type = _cell(cells, 2)
        token = RawToken(
            row_number,
            serial=_cell(cells, 0),
            secret=_cell(cells, 1),
            secret_encoding="hex",
            token_type=token_type,
            digits=_cell(cells, 3),
            time_interval=_cell(cells, 4),
            hash_function=_cell(cells, 5),
            assignee=user,
        )
        if not token_type:
            token.problem = gettext(
                "no token type given, which this format reads as HOTP (counter-based) — not "
                "supported by Entra; add “totp” as the third value if these are TOTP tokens"
            )
        yield token


FORMAT = SeedFormat(
    id="oath-csv",
    label=_("OATH CSV without header (privacyIDEA / LinOTP)"),
    named_as=NAMED_AS,
    described_as=DESCRIBED_AS,
    recognise=recognise,
    read=lambda source: oath_tokens(source, with_users=False),
    rules=RULES,
)
