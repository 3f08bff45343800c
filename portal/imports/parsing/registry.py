"""The seed-file formats we read, in the order they are tried: the one list of them.

Detection, the parser dispatch, the upload form's help text and the refusal of an unknown file all
read `SEED_FORMATS`. To support a new format, write `formats/<name>.py` declaring a `FORMAT` (see
`format.SeedFormat`) and add it here.

Detection looks at the first bytes alone, never at the file name: zip/xlsx/xls/PDF/gzip signatures,
NUL bytes or control characters are refused as binary (`text_input.sniff_encoding`); then each
format's `recognise` is asked in turn, and the first that answers decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.text import get_text_list
from django.utils.translation import gettext

from portal.imports.parsing.errors import UnsupportedFile
from portal.imports.parsing.format import Layout, Refused, SeedFormat, Sniffed
from portal.imports.parsing.formats import (
    entra_csv,
    entra_csv_no_upn,
    graph_csv,
    graph_json,
    oath_csv,
    oath_csv_v2,
    pskc,
)
from portal.imports.parsing.text_input import sniff_encoding

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Text
else:
    Text = str

SEED_FORMATS: tuple[SeedFormat, ...] = (
    entra_csv.FORMAT,
    entra_csv_no_upn.FORMAT,
    graph_csv.FORMAT,
    graph_json.FORMAT,
    pskc.FORMAT,
    oath_csv_v2.FORMAT,  # before oath_csv: its "# version: 2" line is the difference
    oath_csv.FORMAT,
)


def _once(phrases: list[Text]) -> list[str]:
    return list(dict.fromkeys(str(phrase) for phrase in phrases))


def expected_seed_files() -> str:
    """The sentence that ends every refusal of an unknown file."""
    formats = get_text_list(_once([f.described_as for f in SEED_FORMATS]), gettext("or"))
    return gettext("Expected one of: %(formats)s.") % {"formats": formats}


def accepted_seed_files() -> str:
    """The upload form's help text: what it takes."""
    return get_text_list(_once([f.named_as for f in SEED_FORMATS]), gettext("or")) + "."


def detect_seed_format(head: bytes) -> tuple[SeedFormat, str, Layout]:
    """(format, codec, layout) from the head of the file, or UnsupportedFile saying what we expected."""
    expected = expected_seed_files()
    codec, text = sniff_encoding(head, expected=expected)
    sniffed = Sniffed(codec, text)
    for seed_format in SEED_FORMATS:
        try:
            layout = seed_format.recognise(sniffed)
        except Refused as refusal:
            if refusal.list_formats:
                raise UnsupportedFile(f"{refusal.message} {expected}") from None
            raise
        if layout is not None:
            return seed_format, codec, layout
    raise UnsupportedFile(gettext("The first line is not a header we know. %(expected)s") % {"expected": expected})
