"""What a parser says about each token record: accepted (`SeedRow`), refused (`RejectedRow`),
or, for bulk assignment files, a user↔serial pair (`AssignmentRow`).

Every verdict carries the row number as the administrator would count it in the source file, so
the downloadable error report points at the right line. Secrets are kept out of `repr()` so that a
stray log line or a test failure message can never print one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from portal.core.seed_secrets import HashFunction

TimeInterval = Literal[30, 60]


@dataclass(frozen=True, slots=True)
class SeedRow:
    """One token, normalised to the Graph inventory fields and safe to send as is."""

    row_number: int
    serial_number: str
    #: Base32, upper case, no padding, no spaces.
    secret_key: str = field(repr=False)
    time_interval: TimeInterval
    hash_function: HashFunction
    manufacturer: str
    model: str
    display_name: str | None = None
    #: Lower-cased UPN when the file assigns the token to someone.
    assignee_upn: str | None = None


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A record that must not be sent, with a reason an administrator can act on.

    `reason` never quotes the secret (not even part of it); `serial_number` is `None` when the
    record had none or it could not be read.
    """

    row_number: int
    serial_number: str | None
    reason: str
    #: The serial appeared earlier in the same file (reported as a skipped duplicate, not an error).
    repeated: bool = False


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """One line of a bulk assignment file: give the token with this serial to this user."""

    row_number: int
    upn: str
    serial_number: str


SeedVerdict = SeedRow | RejectedRow
AssignmentVerdict = AssignmentRow | RejectedRow


@dataclass(slots=True)
class RawToken:
    """A token record as read from a file, before any rule is applied (internal to the parsers).

    Each format fills in what it has; `None` means "the file does not say", which lets the rules
    apply a format's defaults. `secret` is the text (or bytes, for PSKC) exactly as found, and
    `secret_encoding` says how to read it.
    """

    row_number: int
    serial: str | None = None
    secret: str | bytes | None = field(default=None, repr=False)
    secret_encoding: Literal["base32", "hex", "text", "bytes"] = "base32"
    token_type: str | None = None
    digits: str | None = None
    time_interval: str | None = None
    hash_function: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    display_name: str | None = None
    assignee: str | None = None
    #: A problem the format reader already found (for example an undecryptable PSKC secret).
    problem: str | None = None
