"""File-level problems: the whole file cannot be read, so there are no per-row verdicts to give.

Each error's `str()` is a complete sentence for the administrator (what is wrong and what to do),
never a library message or a trace, and never any part of a secret, key or password. Callers catch
`SeedFileError`; the subclasses exist so tests and pages can tell the cases apart.
"""

from __future__ import annotations


class SeedFileError(Exception):
    """The file as a whole cannot be imported. `str(error)` is meant for the administrator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedFile(SeedFileError):
    """Empty, binary, or not one of the formats we read; the message lists what we expected."""


class UnreadableFile(SeedFileError):
    """Recognised, but broken part-way (malformed JSON/XML, bad text encoding, damaged CSV)."""


class TooManyRows(SeedFileError):
    """More records than one import may hold; raised when the first record past the cap is met."""


class DecryptionKeyNeeded(SeedFileError):
    """An encrypted PSKC file arrived without the key or password that opens it."""


class WrongDecryptionKey(SeedFileError):
    """The key or password given does not open this encrypted PSKC file."""
