"""Microsoft Entra's OATH token CSV without the `upn` column: tokens for the inventory only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.imports.parsing.format import SeedFormat
from portal.imports.parsing.formats import entra_csv
from portal.imports.parsing.rules import FormatRules

FORMAT = SeedFormat(
    id="entra-csv-no-upn",
    label=_("Microsoft Entra OATH token CSV (without UPN)"),
    named_as=entra_csv.NAMED_AS,
    described_as=entra_csv.DESCRIBED_AS,
    recognise=lambda sniffed: entra_csv.recognise_header(sniffed, entra_csv.HEADER[1:]),
    read=entra_csv.read,
    rules=FormatRules(default_interval=None),
)
