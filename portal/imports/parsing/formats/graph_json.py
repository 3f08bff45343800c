"""Graph-shaped JSON: a list of token objects, or an object that holds one.

Recognised by a first character `[` or `{`. Shapes read:

* `[ {token}, … ]` (Token2 / Deepnet style);
* `{"inventory": [ … ], "assignments": [ … ]}` (the community OATHTokens module) and
  `{"value": [ … ]}` (a Graph bulk-create body). The assignments may come after the inventory, so
  this shape is read twice: first the assignments (and a check of the whole document), then the
  tokens.

Both are **streamed**: lists element by element and objects member by member over a sliding
buffer, and only one element at a time is decoded whole (`json.JSONDecoder.raw_decode`), refused
when longer than `MAX_ITEM_CHARS` (a token record is a few hundred characters). So memory stays
flat whatever the file holds: a list of a million empty lists is a million refused rows (stopped
by the row cap), brackets nested a million deep are one element that is too long, and neither is
ever built in memory.

Token fields use the Graph names, matched case-insensitively: serialNumber, secretKey,
timeIntervalInSeconds, hashFunction, manufacturer, model, displayName, plus the module's
`secretFormat` ("base32" | "hex" | "text") and an assignee in `assignTo` (`{"id": …}` or text),
`userPrincipalName`, `upn` or `userId`. Assignment entries map a serial (`serialNumber`/`serial`)
to a user (`userPrincipalName`/`upn`/`userId`). Without a `secretFormat` a secret is Base32: a hex
seed is never guessed, because a wrong guess is only noticed when the user types their first code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, TextIO

from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.core.seed_secrets import SecretEncoding
from portal.core.serials import serial_normalise
from portal.imports.parsing.errors import TooManyRows, UnreadableFile
from portal.imports.parsing.format import Layout, SeedFormat, SeedSource, Sniffed
from portal.imports.parsing.formats.graph_csv import BASE32_FILE_HINT
from portal.imports.parsing.rows import RawToken
from portal.imports.parsing.rules import FormatRules
from portal.imports.parsing.text_input import decoding_errors_as_file_errors

#: One token record (or any other value of the document) decoded at once; a record is ~300 characters.
MAX_ITEM_CHARS = 64 * 1024
_CHUNK = 64 * 1024
_WHITESPACE = " \t\r\n"
_ENCODINGS: dict[str, SecretEncoding] = {"base32": "base32", "hex": "hex", "text": "text"}
_BROKEN = gettext_lazy("The JSON is not well-formed{where}; check that the file is complete and upload it again.")
_LISTS = frozenset({"inventory", "value"})


class _Reader:
    """Decode a JSON document piece by piece from a text stream: lists element by element, objects
    member by member, each value decoded whole only when it is at most MAX_ITEM_CHARS long."""

    def __init__(self, text: TextIO, codec: str) -> None:
        self._text = text
        self._codec = codec
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._decoder = json.JSONDecoder()

    def _fill(self, size: int = _CHUNK) -> bool:
        if self._eof:
            return False
        with decoding_errors_as_file_errors(self._codec):
            chunk = self._text.read(size)
        if not chunk:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos :] + chunk
        self._pos = 0
        return True

    def peek(self) -> str:
        """The next significant character ("" at the end of the stream)."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in _WHITESPACE + "\ufeff":
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return ""

    def take(self, expected: str, where: str) -> str:
        """Consume the next significant character, which must be one of `expected`."""
        found = self.peek()
        if not found or found not in expected:
            raise UnreadableFile(_BROKEN.format(where=where))
        self._pos += 1
        return found

    def value(self, what: str, where: str) -> object:
        """Decode the next value whole; refuse one longer than MAX_ITEM_CHARS."""
        self.peek()
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
                    gettext("%(what)s is larger than %(max_item_chars_1024)s KB or never ends; check the file.")
                    % {"what": what, "max_item_chars_1024": MAX_ITEM_CHARS // 1024}
                )
            if complete:
                self._pos = end
                return item
            if not self._fill(read_size):
                raise UnreadableFile(_BROKEN.format(where=where))
            read_size *= 2

    def items(self, what: str) -> Iterator[object]:
        """The elements of the list that starts here, one at a time."""
        self.take("[", gettext(" (expected a list of tokens)"))
        if self.peek() == "]":
            self._pos += 1
            return
        number = 0
        while True:
            number += 1
            yield self.value(
                # Translators: %(what)s names the list on its own, e.g. "JSON list" or "assignments list".
                gettext("Item %(number)s (%(what)s)") % {"number": number, "what": what},
                gettext(" at item %(number)s") % {"number": number},
            )
            if self.take(",]", gettext(" after item %(number)s") % {"number": number}) == "]":
                return

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here; after each, the caller reads or skips its value."""
        self.take("{", gettext(" (expected a list of tokens)"))
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            key = self.value(gettext("A key of the JSON object"), "")
            if not isinstance(key, str):
                raise UnreadableFile(_BROKEN.format(where=""))
            self.take(":", "")
            yield key
            if self.take(",}", "") == "}":
                return

    def end(self) -> None:
        if self.peek() != "":
            raise UnreadableFile(_BROKEN.format(where=gettext(" (something follows the end of the document)")))


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


def item_to_token(number: int, item: object, assignments: Mapping[str, str]) -> RawToken:
    if not isinstance(item, Mapping):
        return RawToken(number, problem=gettext("item is not a JSON object with token fields"))
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
        token.problem = gettext("secretKey is a number; write the secret as text in quotes")
    secret_format = _scalar(fields.get("secretformat"))
    if secret_format and secret_format.strip():
        encoding = _ENCODINGS.get(secret_format.strip().lower())
        if encoding is None:
            token.problem = gettext("secretFormat must be base32, hex or text")
        else:
            token.secret_encoding = encoding
    return token


def _tokens(reader: _Reader, assignments: Mapping[str, str], *, rest: Iterator[str] | None) -> Iterator[RawToken]:
    """Tokens from the list that starts here; `rest`: the object's remaining keys, to read past."""
    for number, item in enumerate(reader.items(gettext("JSON list")), start=1):
        yield item_to_token(number, item, assignments)
    for key in rest or ():
        _skip(reader, key)
    reader.end()


def _skip(reader: _Reader, key: str) -> None:
    """Read past a value we do not use; a long list element by element."""
    if reader.peek() == "[":
        for _ in reader.items(gettext("“%(key)s” list") % {"key": key[:40]}):
            pass
    else:
        reader.value(gettext("The value of “%(key)s”") % {"key": key[:40]}, "")


def _object_plan(source: SeedSource) -> dict[str, str]:
    """First pass over `{…}`: check its shape and collect its assignments (serial → user)."""
    reader = _Reader(source.text(), source.codec)
    assignments: dict[str, str] = {}
    lists = 0
    for key in reader.members():
        name = key.lower()
        if name in _LISTS:
            lists += 1
            if reader.peek() != "[":
                raise UnreadableFile(str(_MISSING_LIST))
            for number, _ in enumerate(reader.items(gettext("JSON list")), start=1):
                if number > source.max_rows:
                    raise TooManyRows(_too_many(source.max_rows, assignments=False))
        elif name == "assignments" and reader.peek() == "[":
            for number, entry in enumerate(reader.items(gettext("assignments list")), start=1):
                if number > source.max_rows:
                    raise TooManyRows(_too_many(source.max_rows, assignments=True))
                _add_assignment(assignments, entry)
        else:
            _skip(reader, key)
    reader.end()
    if lists != 1:
        raise UnreadableFile(
            str(_MISSING_LIST)
            if not lists
            else gettext("The JSON object holds more than one list of tokens; keep one.")
        )
    return assignments


def _too_many(limit: int, *, assignments: bool) -> str:
    if assignments:
        message = gettext(
            "The file has more than %(limit)s assignments, more than one import can take; split "
            "it into files of at most %(limit)s rows and import each."
        )
    else:
        message = gettext(
            "The file has more than %(limit)s rows, more than one import can take; split "
            "it into files of at most %(limit)s rows and import each."
        )
    return message % {"limit": f"{limit:,}"}


_MISSING_LIST = gettext_lazy(
    "The JSON object has no “inventory” (or “value”) list of tokens; expected "
    '{"inventory": [ … ], "assignments": [ … ]} or a plain list of tokens.'
)


def _add_assignment(mapping: dict[str, str], entry: object) -> None:
    """serial (canonical form) → user; entries we cannot read are skipped, the first one for a serial stands."""
    if not isinstance(entry, Mapping):
        return
    fields = _fields(entry)
    serial = _scalar(fields.get("serialnumber", fields.get("serial")))
    user = _assignee(fields)
    if serial and user:
        mapping.setdefault(serial_normalise(serial), user)


def read(source: SeedSource) -> Iterator[RawToken]:
    """Check the opening now — the whole document for the object shape, so a missing inventory is
    reported before any row — and return a lazy iterator over the tokens."""
    reader = _Reader(source.text(), source.codec)
    if reader.peek() == "[":
        return _tokens(reader, {}, rest=None)
    if reader.peek() != "{":
        raise UnreadableFile(_BROKEN.format(where=gettext(" (expected a list of tokens)")))
    assignments = _object_plan(source)
    # Second pass: straight to the token list.
    reader = _Reader(source.text(), source.codec)
    members = reader.members()
    for key in members:
        if key.lower() in _LISTS:
            return _tokens(reader, assignments, rest=members)
        _skip(reader, key)
    raise UnreadableFile(str(_MISSING_LIST))  # the first pass found it: the file changed under us


def recognise(sniffed: Sniffed) -> Layout | None:
    return Layout() if sniffed.start.startswith(("[", "{")) else None


FORMAT = SeedFormat(
    id="graph-json",
    label=_("JSON with Graph field names"),
    named_as=_("CSV or JSON with Graph field names"),
    described_as=_("a JSON list of tokens with those names"),
    recognise=recognise,
    read=read,
    rules=FormatRules(hex_hint=BASE32_FILE_HINT),
)
