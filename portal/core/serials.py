"""What counts as the same serial number: one rule for the whole portal.

Entra compares serials without regard to case: its duplicate-serial check and `$filter=serialNumber
eq '…'` both treat "ab12" and "AB12" as the same token (the sandbox does the same: README's sandbox
table, "duplicate serial number (case-insensitive)"). Whitespace is never part of a serial either:
labels print serials in groups ("6020 0104"), people type the spaces, vendors' files pad cells.

`serial_normalise` is the canonical form: whitespace removed, upper case (how serials are printed).
Everything that asks "is this the same token?" compares canonical forms: the code-attempt limit's
key, duplicate rows in a seed file, a file's serial against the inventory, a person's serial
against their own tokens; and what a person types into a serial field is sent in this form.
"""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")


def serial_normalise(serial: str) -> str:
    """The canonical form of `serial`: "  ab12 34\\t" → "AB1234"."""
    return _WHITESPACE.sub("", serial).upper()
