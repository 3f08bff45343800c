"""TOTP maths for the sandbox tenant (RFC 6238 on top of pyotp), and the Base32 rule for secrets.

Entra's hardware OATH tokens are 6-digit TOTP with a 30 or 60 second step and HMAC-SHA1 or
HMAC-SHA256 (reference graph-hardware-oath.md §5.1). The Graph emulator uses `verify()` to check a
verification code; the sandbox's "virtual tokens" page uses `current_code()` / `seconds_left()` to
stand in for the physical token.

Codes are always strings: a code may start with 0 and must keep it (a legacy Entra bug rejected
such codes, reference §7.11).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from typing import Any

import pyotp

DIGITS = 6
BASE32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
MAX_SECRET_LENGTH = 128  # Entra: "at most 128 characters" (reference §5.2)

_DIGESTS: dict[str, Callable[..., Any]] = {
    "hmacsha1": hashlib.sha1,
    "hmacsha256": hashlib.sha256,
}


def normalise_base32(text: str) -> str:
    """The canonical form of a Base32 secret: upper case, no whitespace, no `=` padding.

    Accepts lower case, spaces/newlines (seed files group the secret in blocks) and trailing
    padding. Raises ValueError for anything else. The error messages never contain the secret or
    any character of it: they end up in Graph error bodies and logs.
    """
    if not isinstance(text, str):
        raise ValueError("The secret must be a string.")
    compact = "".join(text.split()).upper()
    unpadded = compact.rstrip("=")
    if not unpadded:
        raise ValueError("The secret is empty.")
    if len(unpadded) > MAX_SECRET_LENGTH:
        raise ValueError(f"The secret is longer than {MAX_SECRET_LENGTH} characters.")
    if not set(unpadded) <= BASE32_ALPHABET:
        raise ValueError("The secret contains characters outside Base32 (A-Z, 2-7).")
    padding = len(compact) - len(unpadded)
    if padding and len(compact) % 8 != 0:
        raise ValueError("The secret's '=' padding is malformed.")
    # Some lengths (1, 3 or 6 characters modulo 8) cannot come out of any byte string.
    try:
        base64.b32decode(unpadded + "=" * (-len(unpadded) % 8))
    except (binascii.Error, ValueError):
        raise ValueError("The secret has a length no Base32 encoding can have.") from None
    return unpadded


def _digest(hash_function: str) -> Callable[..., Any]:
    try:
        return _DIGESTS[hash_function.lower()]
    except KeyError:
        raise ValueError("hash_function must be 'hmacsha1' or 'hmacsha256'.") from None


def _totp(secret_b32: str, interval: int, hash_function: str) -> pyotp.TOTP:
    if interval <= 0:
        raise ValueError("interval must be positive.")
    return pyotp.TOTP(normalise_base32(secret_b32), digits=DIGITS, digest=_digest(hash_function), interval=interval)


def code_at(secret_b32: str, *, interval: int, hash_function: str, at: float) -> str:
    """The 6-digit code the token shows at Unix time `at` (leading zeros kept)."""
    # pyotp's `at` floors a float itself; passing an int keeps that explicit.
    return _totp(secret_b32, interval, hash_function).at(int(at))


def current_code(secret_b32: str, interval: int, hash_function: str, at: float | None = None) -> str:
    return code_at(secret_b32, interval=interval, hash_function=hash_function, at=time.time() if at is None else at)


def seconds_left(interval: int, at: float | None = None) -> int:
    """Seconds until the current code changes (1..interval)."""
    now = time.time() if at is None else at
    return interval - int(now) % interval


def codes_in_window(
    secret_b32: str, *, interval: int, hash_function: str, window_steps: int, at: float | None = None
) -> Iterator[str]:
    """The code of every time step within ±window_steps of `at`, oldest first.

    The activation window can be thousands of steps wide (±1 day), so each step is one one-shot
    HMAC in C (RFC 4226 dynamic truncation: the same maths as pyotp's, which the tests cross-check).
    """
    if interval <= 0:
        raise ValueError("interval must be positive.")
    now = time.time() if at is None else at
    secret = normalise_base32(secret_b32)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest_name = _digest(hash_function)().name  # "sha1" / "sha256"
    counter = int(now) // interval
    for step in range(max(0, counter - window_steps), counter + window_steps + 1):
        digest = hmac.digest(key, step.to_bytes(8, "big"), digest_name)
        offset = digest[-1] & 0x0F
        value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
        yield f"{value % 10**DIGITS:0{DIGITS}d}"


def verify(
    secret_b32: str,
    code: str,
    *,
    interval: int,
    hash_function: str,
    window_steps: int,
    at: float | None = None,
) -> bool:
    """Whether `code` is the code of the current time step or of one within ±window_steps.

    Only a string of exactly six ASCII digits can match (an int would have lost its leading zeros).
    Every candidate is compared in constant time, with no early exit: the time taken does not tell
    which step (if any) matched.
    """
    if not isinstance(code, str) or len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return False
    wanted = code.encode("ascii")
    matched = False
    for candidate in codes_in_window(
        secret_b32, interval=interval, hash_function=hash_function, window_steps=window_steps, at=at
    ):
        matched |= hmac.compare_digest(candidate.encode("ascii"), wanted)
    return matched
