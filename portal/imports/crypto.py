"""Sealing what an import keeps only while it needs it: seed secrets and a delegated sign-in.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with the key(s) in
settings.IMPORT_ENCRYPTION_KEY: the first key seals, every key unseals, so a key can be rotated by
putting the new one first. A database dump without the key reveals no secret.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SealBroken(Exception):
    """A sealed value could not be opened (wrong or rotated-out key, or tampered data)."""


def encryption_keys(setting: str) -> list[str]:
    return [key.strip() for key in setting.split(",") if key.strip()]


@lru_cache(maxsize=4)
def _fernet(setting: str) -> MultiFernet:
    keys = encryption_keys(setting)
    if not keys:
        raise ImproperlyConfigured("IMPORT_ENCRYPTION_KEY is not set.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        # Never echo the key: say what is wrong with it.
        raise ImproperlyConfigured(
            "IMPORT_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated."
        ) from None


def seal(plaintext: bytes) -> bytes:
    return _fernet(settings.IMPORT_ENCRYPTION_KEY).encrypt(plaintext)


def unseal(sealed: bytes) -> bytes:
    try:
        return _fernet(settings.IMPORT_ENCRYPTION_KEY).decrypt(bytes(sealed))
    except InvalidToken:
        raise SealBroken("The sealed value cannot be opened with the configured keys.") from None


def seal_text(plaintext: str) -> bytes:
    return seal(plaintext.encode("utf-8"))


def unseal_text(sealed: bytes) -> str:
    return unseal(sealed).decode("utf-8")
