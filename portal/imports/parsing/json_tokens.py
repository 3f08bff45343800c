"""Graph-shaped JSON: a list of token objects, or an object that holds one.

Shapes read:

* `[ {token}, … ]` (Token2 / Deepnet style) — **streamed**: one element is decoded at a time with
  `json.JSONDecoder.raw_decode` over a sliding buffer, so memory stays flat however long the list;
  a single element larger than `MAX_ITEM_CHARS` is refused (no token record is that big).
* `{"inventory": [ … ], "assignments": [ … ]}` (the community OATHTokens module) and
  `{"value": [ … ]}` (a Graph bulk-create body) — **loaded whole** with `json.loads`, because the
  assignments may come after the inventory; capped at `MAX_DOCUMENT_BYTES` (uploads are capped
  lower elsewhere, this is the parser's own backstop).

Token fields use the Graph names, matched case-insensitively: serialNumber, secretKey,
timeIntervalInSeconds, hashFunction, manufacturer, model, displayName, plus the module's
`secretFormat` ("base32" | "hex" | "text") and an assignee in `assignTo` (`{"id": …}` or text),
`userPrincipalName`, `upn` or `userId`. Assignment entries map a serial (`serialNumber`/`serial`)
to a user (`userPrincipalName`/`upn`/`userId`). Without a `secretFormat` a secret is Base32: a hex
seed is never guessed, because a wrong guess is only noticed when the user types their first code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from portal.core.seed_secrets import SecretEncoding
from portal.core.serials import serial_normalise
from portal.imports.parsing.errors import UnreadableFile
from portal.imports.parsing.rows import RawToken
from portal.imports.parsing.text_input import decoding_errors_as_file_errors

MAX_ITEM_CHARS = 1024 * 1024
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024
_WHITESPACE = " \t\r\n"
_ENCODINGS: dict[str, SecretEncoding] = {"base32": "base32", "hex": "hex", "text": "text"}
_BROKEN = "The JSON is not well-formed{where}; check that the file is complete and upload it again."


class _ArrayReader:
    """Decode the elements of a top-level JSON array one by one from a text stream."""

    def __init__(self, text: TextIO, already_read: str = "") -> None:
        self._text = text
        self._buffer = already_read
        self._pos = 0
        self._eof = False
        self._decoder = json.JSONDecoder()

    def _fill(self, size: int = _CHUNK) -> bool:
        if self._eof:
            return False
        chunk = self._text.read(size)
        if not chunk:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos :] + chunk
        self._pos = 0
        return True

    def _skip_whitespace(self) -> str:
        """Return the next significant character ("" at the end of the stream)."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return ""

    def items(self) -> Iterator[object]:
        if self._skip_whitespace() != "[":
            raise UnreadableFile(_BROKEN.format(where=" (expected a list of tokens)"))
        self._pos += 1
        if self._skip_whitespace() == "]":
            self._pos += 1
            return self._expect_end()
        count = 0
        while True:
            count += 1
            yield self._decode_item(count)
            separator = self._skip_whitespace()
            self._pos += 1
            if separator == "]":
                return self._expect_end()
            if separator != ",":
                raise UnreadableFile(_BROKEN.format(where=f" after item {count}"))
            self._skip_whitespace()

    def _decode_item(self, number: int) -> object:
        read_size = _CHUNK
        while True:
            try:
                item, end = self._decoder.raw_decode(self._buffer, self._pos)
            except (json.JSONDecodeError, RecursionError):
                item, end = None, -1
            # A number at the very end of the buffer may continue in the next chunk; only trust a
            # decode that stopped before the end, or one made with the whole file in hand.
            complete = end != -1 and (end < len(self._buffer) or self._eof)
            if (end if complete else len(self._buffer)) - self._pos > MAX_ITEM_CHARS:
                raise UnreadableFile(
                    f"Item {number} of the JSON list is larger than 1 MB or never ends; check the file."
                )
            if complete:
                self._pos = end
                return item
            # Double the read each time so one large item costs O(n log n), not O(n²).
            if not self._fill(read_size):
                raise UnreadableFile(_BROKEN.format(where=f" at item {number}"))
            read_size *= 2

    def _expect_end(self) -> None:
        if self._skip_whitespace() != "":
            raise UnreadableFile(_BROKEN.format(where=" (something follows the closing ])"))


def _scalar(value: object) -> str | None:
    """Text for a JSON scalar; numbers become their decimal form (30.0 → "30")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _fields(item: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).lower(): value for key, value in item.items()}


def _assignee(fields: Mapping[str, Any]) -> str | None:
    for name in ("assignto", "userprincipalname", "upn", "userid"):
        value = fields.get(name)
        if isinstance(value, Mapping):
            value = _fields(value).get("id")
        text = _scalar(value)
        if text and text.strip():
            return text
    return None


def _assignment_map(entries: object) -> dict[str, str]:
    """serial (canonical form) → user, from an `assignments` list; entries we cannot read are skipped."""
    mapping: dict[str, str] = {}
    if not isinstance(entries, list):
        return mapping
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        fields = _fields(entry)
        serial = _scalar(fields.get("serialnumber", fields.get("serial")))
        user = _assignee(fields)
        if serial and user:
            mapping.setdefault(serial_normalise(serial), user)
    return mapping


def item_to_token(number: int, item: object, assignments: Mapping[str, str]) -> RawToken:
    if not isinstance(item, Mapping):
        return RawToken(number, problem="item is not a JSON object with token fields")
    fields = _fields(item)
    serial = _scalar(fields.get("serialnumber"))
    secret = fields.get("secretkey")
    token = RawToken(
        number,
        serial=serial,
        secret=_scalar(secret) if not isinstance(secret, int | float) else None,
        time_interval=_scalar(fields.get("timeintervalinseconds", fields.get("timeinterval"))),
        hash_function=_scalar(fields.get("hashfunction")),
        manufacturer=_scalar(fields.get("manufacturer")),
        model=_scalar(fields.get("model")),
        display_name=_scalar(fields.get("displayname")),
        assignee=_assignee(fields),
    )
    if token.assignee is None and serial:
        token.assignee = assignments.get(serial_normalise(serial))
    if isinstance(secret, int | float) and not isinstance(secret, bool):
        token.problem = "secretKey is a number; write the secret as text in quotes"
    secret_format = _scalar(fields.get("secretformat"))
    if secret_format and secret_format.strip():
        encoding = _ENCODINGS.get(secret_format.strip().lower())
        if encoding is None:
            token.problem = "secretFormat must be base32, hex or text"
        else:
            token.secret_encoding = encoding
    return token


def _load_document(already_read: str, text: TextIO) -> object:
    data = already_read + text.read(MAX_DOCUMENT_BYTES + 1 - len(already_read))
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnreadableFile(
            "This JSON file is larger than 64 MB, more than one import can read; split it into smaller files."
        )
    try:
        return json.loads(data)
    except (json.JSONDecodeError, RecursionError):
        raise UnreadableFile(_BROKEN.format(where="")) from None


def json_tokens(text: TextIO, codec: str) -> Iterator[RawToken]:
    """Read the opening now — the whole document for the object shapes, so a missing inventory is
    reported before any row — and return a lazy iterator over the tokens."""
    with decoding_errors_as_file_errors(codec):
        opening = text.read(_CHUNK)
        start = opening.lstrip(_WHITESPACE + "\ufeff")
        if start.startswith("["):
            return _tokens(_ArrayReader(text, start).items(), {}, codec)
        document = _load_document(opening, text)
    if not isinstance(document, dict):
        raise UnreadableFile(_BROKEN.format(where=" (expected a list of tokens)"))
    fields = _fields(document)
    inventory = fields.get("inventory", fields.get("value"))
    if not isinstance(inventory, list):
        raise UnreadableFile(
            "The JSON object has no “inventory” (or “value”) list of tokens; expected "
            '{"inventory": [ … ], "assignments": [ … ]} or a plain list of tokens.'
        )
    return _tokens(inventory, _assignment_map(fields.get("assignments")), codec)


def _tokens(items: Iterable[object], assignments: Mapping[str, str], codec: str) -> Iterator[RawToken]:
    with decoding_errors_as_file_errors(codec):
        for number, item in enumerate(items, start=1):
            yield item_to_token(number, item, assignments)
