"""Turning a seed, however the vendor wrote it, into the Base32 text Entra accepts.

Entra's rule (reference §5.2): Base32 alphabet only (A-Z, 2-7), at most 128 characters. Spaces,
dashes, lower case and `=` padding are presentation, so we normalise them away; anything else
outside the alphabet is refused rather than "fixed", because a silently altered secret is only
discovered when the user first types a code.

Minimum length: Entra documents none. RFC 4226 asks for at least 128 bits, yet Microsoft's own
Graph examples use 16-character (80-bit) secrets and some shipped tokens do too, so refusing below
128 bits would refuse real tokens. We take **80 bits (10 bytes, 16 Base32 characters)** as the
floor: anything shorter is far more likely a truncated cell or the wrong column than a real seed.

A Base32 string of whole bytes never has a length of 1, 3 or 6 modulo 8; such a secret has lost or
gained a character somewhere, so it is refused as well.

Messages name at most one character of the secret (the offending one) and its position — never a
run of the secret, so a reason can be shown, logged and downloaded safely.
"""

from __future__ import annotations

import base64
import binascii
import re
import string
from typing import Literal

from django.utils.translation import gettext as _

#: The hash functions Entra accepts for a hardware OATH token.
HashFunction = Literal["hmacsha1", "hmacsha256"]

BASE32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
HEX_DIGITS = frozenset(string.hexdigits)
#: Entra's maximum, in Base32 characters (= 80 bytes).
MAX_BASE32_CHARS = 128
MAX_SECRET_BYTES = MAX_BASE32_CHARS * 5 // 8
#: Our floor (see the module docstring): 80 bits.
MIN_SECRET_BYTES = 10
MIN_BASE32_CHARS = 16
#: Presentation characters people and vendors put inside seeds ("JBSW Y3DP", "JBSW-Y3DP").
_SEPARATORS = frozenset(" \t\r\n\u00a0-")
_DROP_SEPARATORS = str.maketrans(dict.fromkeys(_SEPARATORS))
_BASE32_ANY_CASE_CHARS = BASE32_ALPHABET | frozenset("abcdefghijklmnopqrstuvwxyz")
_BASE32_ANY_CASE = re.compile(r"[A-Za-z2-7]*")

SecretEncoding = Literal["base32", "hex", "text", "bytes"]


class SecretProblem(ValueError):
    """The secret cannot be used; `reason` is safe to show (it holds no run of the secret)."""

    def __init__(self, reason: str, *, position: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position  # of the first character that is not allowed, when that is the problem


def _show_char(char: str) -> str:
    # Invisible characters (a non-breaking space pasted from a PDF, a tab) are named, not printed.
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"U+{ord(char):04X}"


def _first_bad_character(value: str, allowed: frozenset[str]) -> tuple[int, str]:
    for position, char in enumerate(value, start=1):
        if char not in _SEPARATORS and char not in allowed:
            return position, char
    raise AssertionError("called only when a character is bad")  # pragma: no cover


def normalise_base32(value: str) -> str:
    """Return `value` as upper-case Base32 without separators or padding, or raise SecretProblem."""
    # Padding may itself be grouped ("AA== ===="): everything after the last data character that is
    # only "=" and separators is padding.
    body_end = len(value)
    while body_end and (value[body_end - 1] == "=" or value[body_end - 1] in _SEPARATORS):
        body_end -= 1
    body = value[:body_end]
    compact = body.translate(_DROP_SEPARATORS)
    # ASCII only: str.upper() turns the long s (U+017F) into "S", a silent change to a secret.
    if not _BASE32_ANY_CASE.fullmatch(compact):
        position, char = _first_bad_character(body, _BASE32_ANY_CASE_CHARS)
        raise SecretProblem(
            _(
                "secret is not valid Base32 (character %(char)s at position %(position)s; "
                "only the letters A-Z and the digits 2-7 are allowed)"
            )
            % {"char": _show_char(char), "position": position},
            position=position,
        )
    result = compact.upper()
    if not result:
        raise SecretProblem(_("missing secret"))
    if len(result) % 8 in (1, 3, 6):
        raise SecretProblem(
            _(
                "secret has %(length)s Base32 characters, a length no whole number of bytes "
                "encodes to — a character is probably missing or extra"
            )
            % {"length": len(result)}
        )
    if len(result) > MAX_BASE32_CHARS:
        raise SecretProblem(
            _("secret is %(length)s Base32 characters long — Entra accepts at most %(maximum)s")
            % {"length": len(result), "maximum": MAX_BASE32_CHARS}
        )
    if len(result) < MIN_BASE32_CHARS:
        raise SecretProblem(
            _("secret is only %(bits)s bits long — at least 80 bits (%(minimum)s Base32 characters) are required")
            % {"bits": len(result) * 5, "minimum": MIN_BASE32_CHARS}
        )
    return result


def bytes_to_base32(seed: bytes) -> str:
    """Encode raw seed bytes as Entra-ready Base32, enforcing the length limits."""
    if not seed:
        raise SecretProblem(_("missing secret"))
    if len(seed) > MAX_SECRET_BYTES:
        raise SecretProblem(
            _("secret is %(length)s bytes long — Entra accepts at most %(maximum)s bytes (%(chars)s Base32 characters)")
            % {"length": len(seed), "maximum": MAX_SECRET_BYTES, "chars": MAX_BASE32_CHARS}
        )
    if len(seed) < MIN_SECRET_BYTES:
        raise SecretProblem(
            _("secret is only %(bits)s bits long — at least 80 bits (%(minimum)s bytes) are required")
            % {"bits": len(seed) * 8, "minimum": MIN_SECRET_BYTES}
        )
    return base64.b32encode(seed).decode("ascii").rstrip("=")


def hex_to_bytes(value: str) -> bytes:
    """Decode a hex seed (spaces and a leading 0x allowed), or raise SecretProblem."""
    text = value.strip()
    offset = 0
    if text[:2].lower() == "0x":
        text, offset = text[2:], 2
    digits: list[str] = []
    for position, char in enumerate(text, start=1 + offset):
        if char in _SEPARATORS or char == ":":
            continue
        if char not in HEX_DIGITS:
            raise SecretProblem(
                _(
                    "secret is not valid hex (character %(char)s at position %(position)s; "
                    "this format carries hex seeds: 0-9 and A-F only)"
                )
                % {"char": _show_char(char), "position": position},
                position=position,
            )
        digits.append(char)
    if not digits:
        raise SecretProblem(_("missing secret"))
    if len(digits) % 2:
        raise SecretProblem(
            _("hex secret has an odd number of digits (%(count)s) — a digit is missing or extra")
            % {"count": len(digits)}
        )
    return binascii.unhexlify("".join(digits))


def hex_to_base32(value: str) -> str:
    """Convert a hex seed to Base32 (RFC 4226's "3132…30" becomes "GEZDGNBV…")."""
    return bytes_to_base32(hex_to_bytes(value))


def text_to_base32(value: str) -> str:
    """Convert a seed given as plain text (its UTF-8 bytes are the key) to Base32."""
    return bytes_to_base32(value.encode("utf-8"))


def secret_to_base32(value: str | bytes, encoding: SecretEncoding) -> tuple[str, int]:
    """Normalise a secret given in `encoding`; return the Base32 text and the seed length in bytes."""
    if isinstance(value, bytes):
        result = bytes_to_base32(value)
    elif encoding == "hex":
        result = hex_to_base32(value)
    elif encoding == "text":
        result = text_to_base32(value)
    else:
        result = normalise_base32(value)
    return result, len(result) * 5 // 8


def looks_like_hex(value: str) -> bool:
    """True when a value that failed Base32 would have been a plausible hex seed."""
    digits = [c for c in value.strip() if c not in _SEPARATORS]
    return len(digits) >= 2 * MIN_SECRET_BYTES and len(digits) % 2 == 0 and all(c in HEX_DIGITS for c in digits)


def hash_for_seed_length(seed_bytes: int) -> HashFunction:
    """Hash implied by a hex seed's length in headerless OATH files: 32 bytes means SHA-256."""
    return "hmacsha256" if seed_bytes == 32 else "hmacsha1"
