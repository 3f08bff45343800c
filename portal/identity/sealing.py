"""Sealing what the portal must keep but never store in clear: the MSAL token caches (with their
refresh tokens) in sessions and import jobs, and seed secrets while an import needs them.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with the keys in
settings.PORTAL_ENCRYPTION_KEYS: the first key seals, every key unseals, so a key is rotated by
putting a new one first and dropping the old one once nothing sealed with it is left (sessions
live 10 hours at most, import jobs are purged when finished). A database dump without the key
reveals no secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SealBroken(Exception):
    """A sealed value could not be opened (wrong or rotated-out key, or tampered data)."""


def encryption_keys(setting: str | Sequence[str]) -> list[str]:
    """The keys of a comma-separated setting (or a list of them), blanks dropped."""
    items = setting.split(",") if isinstance(setting, str) else list(setting)
    return [key.strip() for key in items if key.strip()]


def invalid_keys(keys: Sequence[str]) -> int:
    """How many of these keys are not Fernet keys (never which: a key is never echoed)."""
    bad = 0
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            bad += 1
    return bad


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("PORTAL_ENCRYPTION_KEYS is not set.")
    if invalid_keys(keys):
        raise ImproperlyConfigured(
            "PORTAL_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated."
        )
    return MultiFernet([Fernet(key) for key in keys])


def _configured() -> MultiFernet:
    return _fernet(tuple(encryption_keys(settings.PORTAL_ENCRYPTION_KEYS)))


def seal(plaintext: bytes) -> bytes:
    return _configured().encrypt(plaintext)


def unseal(sealed: bytes) -> bytes:
    try:
        return _configured().decrypt(bytes(sealed))
    except InvalidToken:
        raise SealBroken("The sealed value cannot be opened with the configured keys.") from None


def seal_text(plaintext: str) -> bytes:
    return seal(plaintext.encode("utf-8"))


def unseal_text(sealed: bytes) -> str:
    return unseal(sealed).decode("utf-8")
