"""Reading an uploaded binary stream as text without loading it: sniff, then stream.

Detection needs the first bytes; parsing needs all of them. `PrefixedStream` puts the sniffed head
back in front of the rest of the stream, so uploads that cannot seek (a request body, a pipe) work
the same as files on disk.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from django.utils.translation import gettext, gettext_lazy

from portal.imports.parsing.errors import UnreadableFile, UnsupportedFile

#: How much we look at to decide the format (a header line, an XML prolog, a JSON opening).
HEAD_BYTES = 64 * 1024


class PrefixedStream(io.RawIOBase):
    """`head` followed by whatever `rest` still has to give."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        target = memoryview(buffer).cast("B")
        if self._head:
            count = min(len(target), len(self._head))
            target[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(target))
        if not data:
            return 0
        target[: len(data)] = data
        return len(data)


def read_head(stream: BinaryIO) -> bytes:
    """Read up to HEAD_BYTES (fewer only at the end of the stream)."""
    chunks: list[bytes] = []
    size = 0
    while size < HEAD_BYTES:
        chunk = stream.read(HEAD_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


_SIGNATURES = {
    b"PK\x03\x04": gettext_lazy(
        "This is a zip archive or an Excel workbook (.xlsx): save the sheet as “CSV "
        "UTF-8” (or unpack the archive) and upload that file."
    ),
    b"\xd0\xcf\x11\xe0": gettext_lazy(
        "This is an old Excel workbook (.xls): save the sheet as “CSV UTF-8” and upload that file."
    ),
    b"%PDF": gettext_lazy("This is a PDF document: upload the vendor's seed file (CSV, JSON or PSKC XML) instead."),
    b"\x1f\x8b": gettext_lazy("This is a gzip archive: unpack it and upload the seed file inside."),
}
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_CODEC_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252"}


def sniff_encoding(head: bytes, *, expected: str) -> tuple[str, str]:
    """Return (codec, decoded head) or raise UnsupportedFile for empty or binary content.

    UTF-8 and UTF-16 are recognised by their byte-order marks; without one we read UTF-8, and fall
    back to Windows-1252 because Excel's plain "CSV" on Windows is written in it.
    """
    for signature, message in _SIGNATURES.items():
        if head.startswith(signature):
            raise UnsupportedFile(str(message))
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        raise UnsupportedFile(gettext("This looks like a binary file, not text. %(expected)s") % {"expected": expected})
    else:
        candidates = ["utf-8", "cp1252"]
    for codec in candidates:
        try:
            # Incremental, not final: the head may end in the middle of a multi-byte character.
            text = codecs.getincrementaldecoder(codec)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        # A stray control character can sit in a cell; a run of them means this is not text.
        controls = sum(1 for c in text if ord(c) < 32 and c not in _ALLOWED_CONTROLS)
        if "\x00" in text or controls > max(2, len(text) // 100):
            break
        if not text.strip():
            raise UnsupportedFile(gettext("The file is empty. %(expected)s") % {"expected": expected})
        return codec, text
    raise UnsupportedFile(gettext("This looks like a binary file, not text. %(expected)s") % {"expected": expected})


@contextmanager
def decoding_errors_as_file_errors(codec: str) -> Iterator[None]:
    """A bad byte part-way through becomes a file-level error naming the encoding we used."""
    try:
        yield
    except UnicodeDecodeError:
        raise UnreadableFile(
            gettext(
                "Part of the file is not valid %(get)s text although it starts as such; save it "
                "again as “CSV UTF-8” (or plain UTF-8) and upload that file."
            )
            % {"get": _CODEC_NAMES.get(codec, codec)}
        ) from None  # the decode error holds raw file bytes (maybe seeds): keep it out of tracebacks


def open_text(head: bytes, rest: BinaryIO, codec: str) -> io.TextIOWrapper:
    """A text stream over the whole upload; newline="" as the csv module requires."""
    raw = io.BufferedReader(PrefixedStream(head, rest), buffer_size=64 * 1024)
    return io.TextIOWrapper(raw, encoding=codec, errors="strict", newline="")
