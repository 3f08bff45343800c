"""What a seed-file format is: the one type every module in `formats/` fills in.

A format declares, in one place:

* `id` (stored on the job, stable) and `label` (shown to the administrator);
* `named_as` (how the upload form's help text names it) and `described_as` (how the refusal of an
  unknown file describes it) — formats that are variants of one family share these, and each
  phrase is shown once;
* `recognise`: given the decoded head of the file, the `Layout` it found (delimiter and column
  meaning for CSVs), or None when the file is not in this format; it may raise `UnsupportedFile`
  when the file is clearly meant to be this format but cannot be (an XML file that is not PSKC);
* `read`: the upload, streamed, to one `RawToken` per record;
* `rules`: how Entra's rules fill the gaps this format's files leave (`rules.FormatRules`).

The list of formats, in the order they are tried, is `registry.SEED_FORMATS`.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, BinaryIO

from portal.imports.parsing.errors import UnsupportedFile
from portal.imports.parsing.header_csv import Columns
from portal.imports.parsing.rows import RawToken
from portal.imports.parsing.rules import FormatRules
from portal.imports.parsing.text_input import PrefixedStream, open_text

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Text
else:
    Text = str


class Refused(UnsupportedFile):
    """Raised by `recognise`: the file is meant as this format but cannot be read as it. With
    `list_formats` the refusal goes on to list the formats we do read."""

    def __init__(self, message: str, *, list_formats: bool = False) -> None:
        super().__init__(message)
        self.list_formats = list_formats


@dataclass(frozen=True, slots=True)
class Layout:
    """What recognising a file learned about its layout (only CSV formats need any)."""

    delimiter: str = ","
    #: What each CSV column holds (None: a column we ignore).
    columns: Columns = ()


@dataclass(frozen=True)
class Sniffed:
    """The head of an upload, decoded: what `recognise` looks at."""

    codec: str
    text: str

    @cached_property
    def start(self) -> str:
        """The text from its first non-blank character."""
        return self.text.lstrip()

    @cached_property
    def lines(self) -> list[str]:
        """The first non-blank lines (enough to find a header or a first record)."""
        return [line for line in self.text.splitlines() if line.strip()][:20]


@dataclass(frozen=True, slots=True)
class Keys:
    """What opens an encrypted file (PSKC); used while reading, never stored."""

    key_hex: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)


class SeedSource:
    """The upload as a format's reader gets it: streamed, with what detection found.

    Each call of `text()` or `binary()` reads the upload from its start again, so a format may read
    it twice (a JSON object whose assignments follow its inventory). A stream that cannot seek back
    (a pipe) is spooled to a temporary file first.
    """

    def __init__(self, *, head: bytes, rest: BinaryIO, codec: str, layout: Layout, keys: Keys, max_rows: int) -> None:
        self.head = head
        self.codec = codec
        self.layout = layout
        self.keys = keys
        self.max_rows = max_rows
        if not _seekable(rest):
            spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (lives with the source)
            while chunk := rest.read(64 * 1024):
                spool.write(chunk)
            spool.seek(0)
            rest = spool  # type: ignore[assignment]
        self._rest = rest
        self._start = rest.tell()

    def binary(self) -> BinaryIO:
        self._rest.seek(self._start)
        return io.BufferedReader(PrefixedStream(self.head, self._rest), buffer_size=64 * 1024)

    def text(self) -> io.TextIOWrapper:
        self._rest.seek(self._start)
        return open_text(self.head, self._rest, self.codec)


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable()) and stream.tell() >= 0
    except (AttributeError, ValueError, OSError):
        return False


@dataclass(frozen=True, slots=True)
class SeedFormat:
    """One seed-file format; see the module docstring. Instances live in `formats/<name>.py`."""

    id: str
    label: Text  # marked for translation (gettext_lazy)
    named_as: Text
    described_as: Text
    recognise: Callable[[Sniffed], Layout | None] = field(repr=False)
    read: Callable[[SeedSource], Iterator[RawToken]] = field(repr=False)
    rules: FormatRules = field(default_factory=FormatRules)
