"""PSKC (RFC 6030) key containers, plain or encrypted, read with python-pskc.

python-pskc needs the whole document in memory, so the file is read whole (capped at
`MAX_DOCUMENT_BYTES`; uploads are capped lower elsewhere). Everything that can go wrong with the
file itself — broken XML, a missing or wrong key or password — is raised as a file-level error
before the first row, so an administrator is never shown a page of per-row decryption failures.

Safety: before python-pskc sees the bytes, expat checks them for well-formedness and refuses any
DOCTYPE or entity declaration (PSKC never needs one; they are how XML bombs and external-entity
reads work), whichever XML backend python-pskc happens to use. PBKDF2 parameters come from the file,
so absurd iteration counts or key lengths are refused before deriving anything.

Per key: serial from `DeviceInfo/SerialNo` (else the key's Id), manufacturer and model from
`DeviceInfo`, type from the `Algorithm` URI, digits from `ResponseFormat/@Length`, interval from
`TimeInterval` (RFC 6238 default 30), hash from `Suite` (default SHA-1), display name from
`FriendlyName`, assignee from `UserId` when it is a UPN.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

import pskc
from pskc.exceptions import PSKCError

from portal.imports.parsing.errors import (
    DecryptionKeyNeeded,
    UnreadableFile,
    UnsupportedFile,
    WrongDecryptionKey,
)
from portal.imports.parsing.rows import RawToken

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
#: Far above what any vendor uses (typically 1,000 to 100,000) yet bounded: each costs CPU time.
MAX_PBKDF2_ITERATIONS = 5_000_000
MAX_DERIVED_KEY_BYTES = 64


class _Refused(Exception):
    pass


def _refuse_declarations(*_args: Any) -> None:
    raise _Refused


def check_xml(data: bytes) -> None:
    """Well-formed, and without DOCTYPE/ENTITY declarations, or a file-level error."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    try:
        parser.Parse(data, True)
    except _Refused:
        raise UnsupportedFile(
            "This XML file declares a document type (DOCTYPE) or entities; PSKC files never need them, "
            "so it is refused for safety. Ask the vendor for a plain PSKC file."
        ) from None
    except expat.ExpatError as error:
        raise UnreadableFile(
            f"The PSKC file is not well-formed XML (line {error.lineno}); it may be incomplete — "
            "download it again and upload the complete file."
        ) from None
    except (LookupError, ValueError):  # an unknown encoding="…" in the XML declaration, and kin
        raise UnreadableFile("The PSKC file declares a text encoding we cannot read; it should be UTF-8.") from None


def _encrypted(container: pskc.PSKC) -> bool:
    try:
        return bool(container.encryption.is_encrypted)
    except Exception:  # a damaged value, not encryption: the rows will say which token is damaged
        return False


def _key_size_hint(container: pskc.PSKC) -> str:
    try:
        sizes = container.encryption.algorithm_key_lengths
    except Exception:  # unknown or missing algorithm: no hint to give
        return ""
    return " or ".join(f"{size * 2} hex digits" for size in sizes)


def _unlock(container: pskc.PSKC, key_hex: str | None, password: str | None) -> None:
    derivation = container.encryption.derivation
    uses_password = derivation.algorithm is not None
    if key_hex and key_hex.strip():
        try:
            container.encryption.key = bytes.fromhex("".join(key_hex.split()).removeprefix("0x"))
        except ValueError:
            raise WrongDecryptionKey(
                "The PSKC key must be written in hex (digits 0-9 and letters A-F)"
                + (f", {_key_size_hint(container)} for this file." if _key_size_hint(container) else ".")
            ) from None
    elif password:
        if not uses_password:
            raise DecryptionKeyNeeded(
                "This PSKC file is encrypted with a pre-shared key, not a password: enter the key (hex)."
            )
        iterations = derivation.pbkdf2_iterations or 0
        key_length = derivation.pbkdf2_key_length or 0
        if iterations > MAX_PBKDF2_ITERATIONS or key_length > MAX_DERIVED_KEY_BYTES:
            raise UnsupportedFile("This PSKC file asks for an unreasonable password derivation; it is refused.")
        try:
            container.encryption.derive_key(password)
        except PSKCError:
            raise UnsupportedFile(
                "This PSKC file uses a password scheme we cannot read (only PBKDF2 is supported)."
            ) from None
    elif uses_password:
        raise DecryptionKeyNeeded("This PSKC file is protected with a password: enter it to import the file.")
    else:
        hint = _key_size_hint(container)
        raise DecryptionKeyNeeded(
            "This PSKC file is encrypted with a pre-shared key: enter the key (hex"
            + (f", {hint}" if hint else "")
            + ") that the vendor sent separately."
        )
    # Prove the key on the first encrypted secret: CBC files carry a MAC and key-wrap has its own
    # check, so a wrong key fails here rather than producing garbage seeds.
    for key in container.keys:
        try:
            key.secret  # noqa: B018 (accessing it decrypts it)
        except PSKCError:
            hint = _key_size_hint(container)
            raise WrongDecryptionKey(
                "The key or password does not open this PSKC file"
                + (f" (the key should be {hint})" if hint and not password else "")
                + "; check it and try again."
            ) from None
        except Exception:
            raise UnreadableFile("The PSKC file's encrypted data is damaged and cannot be read.") from None
        break


def open_pskc(data: bytes, *, key_hex: str | None, password: str | None) -> pskc.PSKC:
    """Parse and, if needed, unlock a PSKC document; every failure is a SeedFileError."""
    check_xml(data)
    try:
        container = pskc.PSKC(io.BytesIO(data))
    except Exception:  # python-pskc raises ParseError but also ValueError & co. on odd content
        raise UnreadableFile(
            "The file is XML but not a PSKC key container we can read (a required element is missing or malformed)."
        ) from None
    if _encrypted(container):
        _unlock(container, key_hex, password)
    return container


_PSKC_ALGORITHM_PREFIXES = ("urn:ietf:params:xml:ns:keyprov:pskc:", "urn:ietf:params:xml:ns:keyprov:pskc#")


def _algorithm_name(algorithm: str | None) -> str | None:
    """ "totp" for "urn:ietf:params:xml:ns:keyprov:pskc:totp" (and the older "…pskc#totp")."""
    if not algorithm or not algorithm.strip():
        return None
    name = algorithm.strip()
    for prefix in _PSKC_ALGORITHM_PREFIXES:
        name = name.removeprefix(prefix)
    return name


def pskc_tokens(container: pskc.PSKC) -> Iterator[RawToken]:
    for number, key in enumerate(container.keys, start=1):
        token = RawToken(number, secret_encoding="bytes")
        try:
            token.serial = key.serial or key.id
            token.manufacturer = key.manufacturer
            token.model = key.model
            token.display_name = key.friendly_name
            token.assignee = key.userid
            token.digits = None if key.response_length is None else str(key.response_length)
            token.hash_function = key.algorithm_suite
            interval = key.time_interval
            token.time_interval = None if interval is None else str(interval)
            algorithm = _algorithm_name(key.algorithm)
            token.secret = key.secret
        except PSKCError:
            token.problem = "this token's secret could not be decrypted (its integrity check failed)"
            yield token
            continue
        except Exception:  # python-pskc decodes lazily; damaged values raise assorted errors
            token.problem = "this token's data in the PSKC file is damaged and cannot be read"
            yield token
            continue
        if algorithm is None:
            # No algorithm but a time step: a TOTP token in all but name.
            token.token_type = "totp" if interval is not None else None
            if interval is None:
                token.problem = "the file does not say this is a TOTP token (no algorithm given)"
        elif algorithm.lower() in ("totp", "hotp"):
            token.token_type = algorithm.lower()
        else:
            # Not a secret (an algorithm URI), so it can be quoted in full, within reason.
            token.problem = f"algorithm “{algorithm[:60]}” is not supported — Entra accepts TOTP only"
        yield token
