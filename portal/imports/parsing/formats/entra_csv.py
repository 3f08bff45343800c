"""Microsoft Entra's OATH token CSV, with UPNs: the file the Entra admin center takes.

    upn,serial number,secret key,time interval,manufacturer,model

Recognised by exactly that header (case and spacing free, trailing empty columns allowed); the
columns in another order are read as a Graph-field CSV instead. Entra requires the interval.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from portal.imports.parsing.format import Layout, SeedFormat, SeedSource, Sniffed
from portal.imports.parsing.header_csv import header_csv_tokens, map_header, split_line, without_trailing_empties
from portal.imports.parsing.rows import RawToken
from portal.imports.parsing.rules import FormatRules

HEADER = ("upn", "serial number", "secret key", "time interval", "manufacturer", "model")
NAMED_AS = _("Microsoft Entra OATH CSV (with or without UPNs)")
DESCRIBED_AS = _(
    "the Microsoft Entra OATH CSV (header “upn,serial number,secret key,time interval,manufacturer,model”, "
    "with or without upn)"
)


def recognise_header(sniffed: Sniffed, header: tuple[str, ...]) -> Layout | None:
    cells = [" ".join(cell.split()).lower() for cell in without_trailing_empties(split_line(sniffed.lines[0]))]
    return Layout(",", map_header(cells)) if tuple(cells) == header else None


def read(source: SeedSource) -> Iterator[RawToken]:
    return header_csv_tokens(
        source.text(), codec=source.codec, delimiter=source.layout.delimiter, columns=source.layout.columns
    )


FORMAT = SeedFormat(
    id="entra-csv",
    label=_("Microsoft Entra OATH token CSV (with UPN)"),
    named_as=NAMED_AS,
    described_as=DESCRIBED_AS,
    recognise=lambda sniffed: recognise_header(sniffed, HEADER),
    read=read,
    rules=FormatRules(default_interval=None),
)
