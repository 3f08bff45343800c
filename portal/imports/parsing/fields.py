"""Reading the non-secret fields of a token record: serial, interval, hash, digits, type, UPN.

Each function takes the value as the file gave it (`None` or "" when absent) and returns the
normalised value, or raises `FieldProblem` whose reason an administrator can act on. Values are
quoted in reasons only when short (`describe`), because a record whose columns slipped may carry
the secret in any column.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

from portal.imports.parsing.rows import HashFunction, TimeInterval


class FieldProblem(ValueError):
    """A field breaks one of Entra's rules; `reason` is plain words for the administrator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_QUOTE_LIMIT = 16


def describe(value: str) -> str:
    """Quote a short value; summarise a long one (it could be a secret in the wrong column)."""
    if len(value) <= _QUOTE_LIMIT and value.isprintable():
        return f"'{value}'"
    return gettext("(a %(len)s-character value)") % {"len": len(value)}


def clean_text(value: str | None) -> str | None:
    """Trim a free-text field; empty means absent."""
    if value is None:
        return None
    value = value.strip()
    return value or None


# Excel turns long digit-only serials into numbers and shows them as 1.23457E+11: the digits are gone.
_EXCEL_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?E\+?\d+$", re.IGNORECASE)


def normalise_serial(value: str | None) -> str:
    """Trim the serial; keep it as text (never int(): leading zeros are part of the serial)."""
    serial = clean_text(value)
    if serial is None:
        raise FieldProblem(gettext("missing serial number"))
    if _EXCEL_SCIENTIFIC.match(serial):
        raise FieldProblem(
            gettext(
                "serial %(describe)s looks like Excel turned it into a number in scientific "
                "notation, which loses digits — export the serial column as text and try again"
            )
            % {"describe": describe(serial)}
        )
    if not serial.isprintable():
        raise FieldProblem(gettext("serial number contains control characters"))
    return serial


_WHOLE_NUMBER = re.compile(r"^\+?([0-9]{1,9})(?:\.0*)?$")


def _whole_number(value: str | int | float) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    match = _WHOLE_NUMBER.match(value.strip())
    return int(match.group(1)) if match else None


def normalise_interval(value: str | int | float | None, *, default: int | None) -> TimeInterval:
    """Accept 30 or 60 however written ("30", "30.0", 30); `default` applies when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise FieldProblem(gettext("missing time interval (30 or 60 seconds)"))
        value = default
    seconds = _whole_number(value)
    if seconds is None:
        raise FieldProblem(
            gettext("time interval %(describe)s is not a whole number of seconds")
            % {"describe": describe(str(value).strip())}
        )
    if seconds == 30:
        return 30
    if seconds == 60:
        return 60
    raise FieldProblem(
        gettext("interval %(seconds)s s is not supported — Entra accepts 30 or 60") % {"seconds": seconds}
    )


_HASH_NAMES: dict[str, HashFunction | None] = {"sha1": "hmacsha1", "sha256": "hmacsha256", "sha512": None}


def normalise_hash(value: str | None) -> HashFunction | None:
    """Read "hmacsha1", "HMAC-SHA1", "sha1", "SHA-256"…; `None` when absent (caller picks a default)."""
    text = clean_text(value)
    if text is None:
        return None
    key = re.sub(r"[^a-z0-9]", "", text.lower()).removeprefix("hmac")
    if key not in _HASH_NAMES:
        raise FieldProblem(
            gettext("hash function %(describe)s is not recognised — Entra accepts SHA-1 or SHA-256")
            % {"describe": describe(text)}
        )
    result = _HASH_NAMES[key]
    if result is None:
        raise FieldProblem(gettext("SHA-512 is not supported — Entra accepts SHA-1 or SHA-256"))
    return result


def check_digits(value: str | int | None) -> None:
    """Entra's codes are 6 digits; absent means 6 (every format's default)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    digits = _whole_number(value)
    if digits is None:
        raise FieldProblem(
            gettext("number of digits %(describe)s is not a number") % {"describe": describe(str(value).strip())}
        )
    if digits != 6:
        raise FieldProblem(gettext("%(digits)s-digit codes are not supported — Entra accepts 6") % {"digits": digits})


def check_token_type(value: str | None) -> None:
    """Entra takes TOTP only; name HOTP specially because it is by far the most common mistake."""
    text = clean_text(value)
    if text is None or text.lower() == "totp":
        return
    if text.lower() == "hotp":
        raise FieldProblem(gettext("HOTP (counter-based) tokens are not supported by Entra"))
    raise FieldProblem(
        gettext("token type %(describe)s is not supported — Entra accepts TOTP only") % {"describe": describe(text)}
    )


# "something@domain.tld": deliberately loose; the directory lookup is the real check.
_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_UPN = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


def looks_like_upn(value: str) -> bool:
    return bool(_UPN.match(value.strip()))


def normalise_upn(value: str | None) -> str | None:
    """Lower-case a UPN; `None` when absent. Guests are refused: Entra won't give them a token."""
    text = clean_text(value)
    if text is None:
        return None
    if _OBJECT_ID.match(text):
        raise FieldProblem(gettext("assignee is given as an object ID; give the user's UPN (name@domain) instead"))
    if not looks_like_upn(text):
        # A value with "@" cannot be a Base32 or hex secret that slipped columns, so it may be quoted.
        shown = f"'{text}'" if "@" in text and len(text) <= 80 and text.isprintable() else describe(text)
        raise FieldProblem(gettext("assignee %(shown)s is not a user principal name (name@domain)") % {"shown": shown})
    upn = text.lower()
    if "#ext#" in upn:
        raise FieldProblem(gettext("guest accounts (#EXT#) cannot hold a hardware token in Entra"))
    return upn
