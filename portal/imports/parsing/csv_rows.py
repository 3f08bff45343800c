"""Walking a CSV one record at a time, with the line number an administrator would see.

`csv.reader` over a text stream, line by line with each line's length capped, keeps memory flat
whatever the file holds. Row numbers are the line
on which a record starts (the header is row 1 in an ordinary file), which is what a text editor and
Excel show; blank lines and Excel's all-empty ",,,," lines are skipped without a verdict.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from django.utils.translation import gettext

from portal.imports.parsing.errors import UnreadableFile
from portal.imports.parsing.text_input import decoding_errors_as_file_errors

#: A record is one short line; a line may be long, not huge (csv builds all its cells at once).
MAX_LINE_CHARS = 256 * 1024


def _lines(text: TextIO) -> Iterator[str]:
    """The lines of `text`, refusing one longer than MAX_LINE_CHARS before it is split into cells."""
    number = 0
    while line := text.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise UnreadableFile(
                gettext(
                    "Line %(number)s of the CSV is longer than %(max_line_chars_1024)s KB; a token "
                    "is one short line — check that this is a seed file."
                )
                % {"number": f"{number:,}", "max_line_chars_1024": MAX_LINE_CHARS // 1024}
            )
        yield line


def numbered_records(text: TextIO, *, codec: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Yield (line number where the record starts, cells) for every non-empty record."""
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    last_line = 0
    with decoding_errors_as_file_errors(codec):
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise UnreadableFile(
                    gettext(
                        "The CSV structure breaks near line %(line_num)s (for example a quote that is "
                        "never closed, or a value longer than 128 KB); fix that line and upload again."
                    )
                    % {"line_num": reader.line_num}
                ) from None
            start, last_line = last_line + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells
