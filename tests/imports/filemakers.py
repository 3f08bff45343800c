"""Build seed files of every supported format, as bytes, for the parser tests.

Nothing is checked in as a fixture: each test states the records it needs and gets a file back, so
what a test feeds the parser is visible next to what it asserts.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pskc

#: RFC 4226 / RFC 6238 test secrets and their Base32 forms.
RFC4226_SECRET = b"12345678901234567890"
RFC4226_HEX = RFC4226_SECRET.hex()
RFC4226_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC6238_SHA256_SECRET = b"12345678901234567890123456789012"
RFC6238_SHA256_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
#: The Graph docs' example secret (valid) and Microsoft's Entra example secret shape (has a '1').
GRAPH_EXAMPLE_SECRET = "JBSWY3DPEHPK3PXP"
ENTRA_EXAMPLE_SECRET = "1234567890abcdef1234567890abcdef"

LEGACY_HEADER = ["upn", "serial number", "secret key", "time interval", "manufacturer", "model"]
TOTP = "urn:ietf:params:xml:ns:keyprov:pskc:totp"
HOTP = "urn:ietf:params:xml:ns:keyprov:pskc:hotp"


def csv_bytes(
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ",",
    newline: str = "\r\n",
    encoding: str = "utf-8",
    bom: bool = False,
    quote_all: bool = False,
) -> bytes:
    """Rows (header included, if any) written as Excel would, in the given encoding."""
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=delimiter,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def entra_csv(rows: Sequence[Sequence[str]], *, with_upn: bool = True, **options: Any) -> bytes:
    """The Entra OATH CSV; each row is (upn, serial, secret, interval, manufacturer, model), or
    without the upn when `with_upn` is False."""
    header = LEGACY_HEADER if with_upn else LEGACY_HEADER[1:]
    return csv_bytes([header, *rows], **options)


def graph_csv(columns: Sequence[str], tokens: Sequence[Mapping[str, str]], **options: Any) -> bytes:
    """A CSV with the given header, each token's value taken by column name ("" if absent)."""
    return csv_bytes([list(columns), *[[token.get(c, "") for c in columns] for token in tokens]], **options)


def graph_token(serial: str, secret: str = GRAPH_EXAMPLE_SECRET, **extra: Any) -> dict[str, Any]:
    token: dict[str, Any] = {
        "serialNumber": serial,
        "secretKey": secret,
        "timeIntervalInSeconds": 30,
        "manufacturer": "Contoso",
        "model": "OTP-6",
    }
    token.update(extra)
    return token


def graph_json(tokens: Sequence[Any], *, indent: int | None = 2) -> bytes:
    return json.dumps(list(tokens), indent=indent).encode()


def module_json(inventory: Sequence[Any], assignments: Sequence[Any] = ()) -> bytes:
    """The community OATHTokens module's shape."""
    return json.dumps({"inventory": list(inventory), "assignments": list(assignments)}).encode()


def oath_csv(lines: Sequence[Sequence[str]], *, version2: bool = False, newline: str = "\n") -> bytes:
    """privacyIDEA / LinOTP: no header, comma separated, as those tools write it (no quoting)."""
    text = "".join(", ".join(line) + newline for line in lines)
    return (("# version: 2" + newline) if version2 else "").encode() + text.encode()


def pskc_file(
    keys: Sequence[Mapping[str, Any]],
    *,
    preshared_key: bytes | None = None,
    password: str | None = None,
    algorithm: str | None = None,
) -> bytes:
    """A PSKC container holding `keys` (python-pskc attribute names), optionally encrypted."""
    container = pskc.PSKC()
    for key in keys:
        attributes = {"algorithm": TOTP, "time_interval": 30, "response_length": 6, **key}
        container.add_key(**attributes)
    if preshared_key is not None:
        container.encryption.setup_preshared_key(key=preshared_key, algorithm=algorithm)
    elif password is not None:
        # Few iterations: the tests check decryption, not PBKDF2's cost.
        container.encryption.setup_pbkdf2(password, iterations=1000, algorithm=algorithm)
    out = io.BytesIO()
    container.write(out)
    return out.getvalue()


def pskc_key(serial: str, secret: bytes = RFC4226_SECRET, **extra: Any) -> dict[str, Any]:
    return {"serial": serial, "secret": secret, "manufacturer": "Contoso", "model": "OTP-6", **extra}


class OneWayStream(io.RawIOBase):
    """A stream that can only be read forward, like an upload arriving over the network."""

    def __init__(self, data: bytes, chunk: int = 7) -> None:
        super().__init__()
        self._data = memoryview(data)
        self._chunk = chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self._chunk, len(self._data))
        buffer[:count] = self._data[:count]
        self._data = self._data[count:]
        return count
