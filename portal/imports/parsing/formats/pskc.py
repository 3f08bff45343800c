"""PSKC (RFC 6030) key containers, plain or encrypted, streamed; python-pskc reads each key.

Recognised by a first character `<` and the PSKC namespace `urn:ietf:params:xml:ns:keyprov:pskc`
with a `KeyContainer` in the head; any other XML is refused.

Bounded memory whatever the file holds: the document is read with expat in chunks, and only one
child of the container (a `KeyPackage`, the `EncryptionKey`, …) is held at a time, handed to
python-pskc's own parser (`PSKCParser.parse_document` on a container holding just that child) and
dropped once its keys are read. Checked while reading, each with a sentence for the administrator:
at most `max_rows` + a few children of the container, at most `MAX_ELEMENTS_PER_ENTRY` elements in
one of them, nesting at most `MAX_DEPTH` deep, and no tag longer than `MAX_TAG_BYTES` (a tag's
attributes are built at once). A file of a million empty elements is refused with a sentence, not
built as a tree.

Everything that can go wrong with the file itself — broken XML, a missing or wrong key or
password — is a file-level error; a missing key or password is found on the first key, before the
first row, so an administrator is never shown a page of per-row decryption failures.

Safety: expat refuses any DOCTYPE or entity declaration (PSKC never needs one; they are how XML
bombs and external-entity reads work). PBKDF2 parameters come from the file, so absurd iteration
counts or key lengths are refused before deriving anything.

Per key: serial from `DeviceInfo/SerialNo` (else the key's Id), manufacturer and model from
`DeviceInfo`, type from the `Algorithm` URI, digits from `ResponseFormat/@Length`, interval from
`TimeInterval` (RFC 6238 default 30), hash from `Suite` (default SHA-1), display name from
`FriendlyName`, assignee from `UserId` when it is a UPN.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO
from xml.etree import ElementTree
from xml.parsers import expat

import pskc
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from pskc.exceptions import PSKCError
from pskc.parser import PSKCParser

from portal.core.wording import alternatives_text
from portal.imports.parsing.errors import (
    DecryptionKeyNeeded,
    TooManyRows,
    UnreadableFile,
    UnsupportedFile,
    WrongDecryptionKey,
)
from portal.imports.parsing.format import Keys, Layout, Refused, SeedFormat, SeedSource, Sniffed
from portal.imports.parsing.rows import RawToken
from portal.imports.parsing.rules import FormatRules

NAMESPACE = "urn:ietf:params:xml:ns:keyprov:pskc"
#: Far above what any vendor uses (typically 1,000 to 100,000) yet bounded: each costs CPU time.
MAX_PBKDF2_ITERATIONS = 5_000_000
MAX_DERIVED_KEY_BYTES = 64
#: RFC 6030's deepest path (KeyContainer/KeyPackage/Key/Data/Secret/EncryptedValue/CipherData/…) is ~8.
MAX_DEPTH = 24
#: A key package has a few dozen elements.
MAX_ELEMENTS_PER_ENTRY = 1_000
#: Children of the container besides key packages: EncryptionKey, MACMethod, Signature, …
OTHER_ENTRIES = 16
MAX_TAG_BYTES = 256 * 1024
_READ = 64 * 1024
_NOT_A_CONTAINER = gettext_lazy(
    "The file is XML but not a PSKC key container we can read (a required element is missing or malformed)."
)


class _Refused(Exception):
    pass


class _Limit(Exception):
    """A cap was reached while reading; `str()` is the sentence for the administrator."""


def _refuse_declarations(*_args: Any) -> None:
    raise _Refused


def _tag(name: str) -> str:
    """expat's "uri}local" as ElementTree's "{uri}local"."""
    return "{" + name if "}" in name else name


class _Reader:
    """Expat over the upload; collects the root element and each complete child of it."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = _refuse_declarations
        self.parser.EntityDeclHandler = _refuse_declarations
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.root: ElementTree.Element | None = None
        self.done: list[ElementTree.Element] = []
        self._stack: list[ElementTree.Element] = []
        self._pieces: list[str] = []
        self._entries = 0
        self._elements = 0
        self._open_tag = 0

    def _flush(self) -> None:
        if self._pieces:
            element = self._stack[-1]
            if element.text is None and not len(element):
                element.text = "".join(self._pieces)
            self._pieces = []

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        depth = len(self._stack)
        if depth >= MAX_DEPTH:
            raise _Limit(
                gettext("The PSKC file is nested more than %(max_depth)s levels deep; it is not a key container.")
                % {"max_depth": MAX_DEPTH}
            )
        element = ElementTree.Element(_tag(name), {_tag(key): value for key, value in attributes.items()})
        if depth == 0:
            self.root = element
        else:
            self._flush()
            if depth == 1:
                self._entries += 1
                if self._entries > self.max_entries:
                    raise TooManyRows(
                        gettext(
                            "The PSKC file has more than %(max_entries_other_entries)s entries (key "
                            "packages), more than one import can take; split it into smaller files and "
                            "import each."
                        )
                        % {"max_entries_other_entries": f"{self.max_entries - OTHER_ENTRIES:,}"}
                    )
                self._elements = 0
            self._elements += 1
            if self._elements > MAX_ELEMENTS_PER_ENTRY:
                raise _Limit(
                    gettext(
                        "An entry of the PSKC file holds more than %(max_elements_per_entry)s elements; "
                        "a key package holds a few dozen — the file is damaged or not a seed file."
                    )
                    % {"max_elements_per_entry": f"{MAX_ELEMENTS_PER_ENTRY:,}"}
                )
            self._stack[-1].append(element)
        self._stack.append(element)

    def _end(self, _name: str) -> None:
        if len(self._stack) > 1:
            self._flush()
        element = self._stack.pop()
        if len(self._stack) == 1:  # a child of the root is complete: hand it over, keep nothing
            self._stack[0].remove(element)
            self.done.append(element)

    def _text(self, data: str) -> None:
        if len(self._stack) > 1:  # text directly in the container is only layout
            self._pieces.append(data)

    def _check_tags(self, chunk: bytes) -> None:
        """No tag may run longer than MAX_TAG_BYTES: expat builds all of a tag's attributes at once."""
        opened, closed = chunk.rfind(b"<"), chunk.rfind(b">")
        if opened > closed:
            self._open_tag = len(chunk) - opened
        elif closed >= 0:
            self._open_tag = 0
        elif self._open_tag:
            self._open_tag += len(chunk)
        if self._open_tag > MAX_TAG_BYTES:
            raise _Limit(gettext("The PSKC file has a tag longer than 256 KB; it is not a key container we can read."))

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        try:
            self._check_tags(chunk)
            self.parser.Parse(chunk, final)
        except _Refused:
            raise UnsupportedFile(
                gettext(
                    "This XML file declares a document type (DOCTYPE) or entities; PSKC files never "
                    "need them, so it is refused for safety. Ask the vendor for a plain PSKC file."
                )
            ) from None
        except _Limit as limit:
            raise UnreadableFile(str(limit)) from None
        except expat.ExpatError as error:
            raise UnreadableFile(
                gettext(
                    "The PSKC file is not well-formed XML (line %(lineno)s); it may be incomplete — "
                    "download it again and upload the complete file."
                )
                % {"lineno": error.lineno}
            ) from None
        except (LookupError, ValueError):  # an unknown encoding="…" in the XML declaration, and kin
            raise UnreadableFile(
                gettext("The PSKC file declares a text encoding we cannot read; it should be UTF-8.")
            ) from None


def _parts(stream: BinaryIO, *, max_entries: int) -> Iterator[ElementTree.Element]:
    """The root element (without children) first, then each complete child of it, in file order."""
    reader = _Reader(max_entries)
    root_given = False
    final = False
    while not final:
        chunk = stream.read(_READ)
        final = not chunk
        reader.feed(chunk, final=final)
        if reader.root is not None and not root_given:
            root_given = True
            yield ElementTree.Element(reader.root.tag, reader.root.attrib)
        while reader.done:
            yield reader.done.pop(0)


def _read_part(container: pskc.PSKC, root: ElementTree.Element, part: ElementTree.Element | None) -> None:
    """python-pskc's own parser, on a container that holds just this part."""
    shell = ElementTree.Element(root.tag, root.attrib)
    if part is not None:
        shell.append(part)
    try:
        PSKCParser.parse_document(container, shell)
    except Exception:  # python-pskc raises ParseError but also ValueError & co. on odd content
        raise UnreadableFile(str(_NOT_A_CONTAINER)) from None


def _encrypted(container: pskc.PSKC) -> bool:
    try:
        return bool(container.encryption.is_encrypted)
    except Exception:  # a damaged value, not encryption: the rows will say which token is damaged
        return False


def _key_digits(container: pskc.PSKC) -> str:
    """How many hex digits the file's key has ("32 or 64"), or "" when the algorithm does not say."""
    try:
        sizes = container.encryption.algorithm_key_lengths
    except Exception:  # unknown or missing algorithm: no hint to give
        return ""
    return alternatives_text([str(size * 2) for size in sizes])


def _unlock(container: pskc.PSKC, key_hex: str | None, password: str | None) -> None:
    derivation = container.encryption.derivation
    uses_password = derivation.algorithm is not None
    if key_hex and key_hex.strip():
        try:
            container.encryption.key = bytes.fromhex("".join(key_hex.split()).removeprefix("0x"))
        except ValueError:
            digits = _key_digits(container)
            raise WrongDecryptionKey(
                gettext(
                    "The PSKC key must be written in hex (digits 0-9 and letters A-F), %(digits)s hex digits for "
                    "this file."
                )
                % {"digits": digits}
                if digits
                else gettext("The PSKC key must be written in hex (digits 0-9 and letters A-F).")
            ) from None
    elif password:
        if not uses_password:
            raise DecryptionKeyNeeded(
                gettext("This PSKC file is encrypted with a pre-shared key, not a password: enter the key (hex).")
            )
        iterations = derivation.pbkdf2_iterations or 0
        key_length = derivation.pbkdf2_key_length or 0
        if iterations > MAX_PBKDF2_ITERATIONS or key_length > MAX_DERIVED_KEY_BYTES:
            raise UnsupportedFile(
                gettext("This PSKC file asks for an unreasonable password derivation; it is refused.")
            )
        try:
            container.encryption.derive_key(password)
        except PSKCError:
            raise UnsupportedFile(
                gettext("This PSKC file uses a password scheme we cannot read (only PBKDF2 is supported).")
            ) from None
    elif uses_password:
        raise DecryptionKeyNeeded(gettext("This PSKC file is protected with a password: enter it to import the file."))
    else:
        digits = _key_digits(container)
        raise DecryptionKeyNeeded(
            gettext(
                "This PSKC file is encrypted with a pre-shared key: enter the key (%(digits)s hex digits) "
                "that the vendor sent separately."
            )
            % {"digits": digits}
            if digits
            else gettext(
                "This PSKC file is encrypted with a pre-shared key: enter the key (hex) that the vendor sent "
                "separately."
            )
        )
    # Prove the key on the first encrypted secret: CBC files carry a MAC and key-wrap has its own
    # check, so a wrong key fails here rather than producing garbage seeds.
    for key in container.keys:
        try:
            key.secret  # noqa: B018 (accessing it decrypts it)
        except PSKCError:
            digits = "" if password else _key_digits(container)
            raise WrongDecryptionKey(
                gettext(
                    "The key does not open this PSKC file (the key should be %(digits)s hex digits); check it and "
                    "try again."
                )
                % {"digits": digits}
                if digits
                else gettext("The key or password does not open this PSKC file; check it and try again.")
            ) from None
        except Exception:
            raise UnreadableFile(gettext("The PSKC file's encrypted data is damaged and cannot be read.")) from None
        break


def read(source: SeedSource) -> Iterator[RawToken]:
    """Check the container now (so "not PSKC" comes before any row); read its keys lazily."""
    parts = _parts(source.binary(), max_entries=source.max_rows + OTHER_ENTRIES)
    root = next(parts, None)
    if root is None:
        raise UnreadableFile(str(_NOT_A_CONTAINER))
    container = pskc.PSKC()
    _read_part(container, root, None)
    return _tokens(container, root, parts, source.keys)


def _tokens(
    container: pskc.PSKC, root: ElementTree.Element, parts: Iterator[ElementTree.Element], keys: Keys
) -> Iterator[RawToken]:
    number = 0
    unlocked = False
    for part in parts:
        _read_part(container, root, part)
        if not unlocked and container.keys and _encrypted(container):
            _unlock(container, keys.key_hex, keys.password)
            unlocked = True
        for key in container.keys:
            number += 1
            yield _token(number, key)
        container.devices.clear()  # nothing of a key is kept once its row is given


_PSKC_ALGORITHM_PREFIXES = ("urn:ietf:params:xml:ns:keyprov:pskc:", "urn:ietf:params:xml:ns:keyprov:pskc#")


def _algorithm_name(algorithm: str | None) -> str | None:
    """ "totp" for "urn:ietf:params:xml:ns:keyprov:pskc:totp" (and the older "…pskc#totp")."""
    if not algorithm or not algorithm.strip():
        return None
    name = algorithm.strip()
    for prefix in _PSKC_ALGORITHM_PREFIXES:
        name = name.removeprefix(prefix)
    return name


def _token(number: int, key: Any) -> RawToken:
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
        token.problem = gettext("this token's secret could not be decrypted (its integrity check failed)")
        return token
    except Exception:  # python-pskc decodes lazily; damaged values raise assorted errors
        token.problem = gettext("this token's data in the PSKC file is damaged and cannot be read")
        return token
    if algorithm is None:
        # No algorithm but a time step: a TOTP token in all but name.
        token.token_type = "totp" if interval is not None else None
        if interval is None:
            token.problem = gettext("the file does not say this is a TOTP token (no algorithm given)")
    elif algorithm.lower() in ("totp", "hotp"):
        token.token_type = algorithm.lower()
    else:
        # Not a secret (an algorithm URI), so it can be quoted in full, within reason.
        token.problem = gettext("algorithm “%(algorithm)s” is not supported — Entra accepts TOTP only") % {
            "algorithm": algorithm[:60]
        }
    return token


def recognise(sniffed: Sniffed) -> Layout | None:
    if not sniffed.start.startswith("<"):
        return None
    if NAMESPACE in sniffed.text and "KeyContainer" in sniffed.text:
        return Layout()
    raise Refused(
        gettext("This XML file is not a PSKC key container (%(namespace)s).") % {"namespace": NAMESPACE},
        list_formats=True,
    )


FORMAT = SeedFormat(
    id="pskc",
    label=_("PSKC key container (RFC 6030 XML)"),
    named_as=_("PSKC (RFC 6030)"),
    described_as=_("a PSKC XML key container"),
    recognise=recognise,
    read=read,
    rules=FormatRules(assignee_must_be_upn=False),
)
