"""Headerless OATH CSV as privacyIDEA and LinOTP write it.

    serial, hex seed[, hotp|totp[, digits[, time step (or counter)[, sha1|sha256|sha512]]]]

Lines starting with `#` are comments. A first line `# version: 2` (privacyIDEA) means every line
starts with three more columns — user, resolver, realm; the user becomes the assignee only when it
is a UPN (it is often a plain login name, which we cannot assign). Both tools read a missing type as
HOTP, so we do too: such a row is refused rather than guessed to be TOTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from portal.imports.parsing.csv_rows import numbered_records
from portal.imports.parsing.detect import Detection
from portal.imports.parsing.rows import RawToken


def _cell(cells: list[str], index: int) -> str | None:
    return cells[index].strip() if index < len(cells) else None


def oath_csv_tokens(text: TextIO, detection: Detection, *, version2: bool) -> Iterator[RawToken]:
    for row_number, cells in numbered_records(text, codec=detection.codec):
        if cells[0].lstrip().startswith("#"):
            continue
        user = None
        if version2:
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
            token.problem = (
                "no token type given, which this format reads as HOTP (counter-based) — not supported "
                "by Entra; add “totp” as the third value if these are TOTP tokens"
            )
        yield token
