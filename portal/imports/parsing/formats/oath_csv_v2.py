"""privacyIDEA's OATH CSV, version 2: a first line `# version: 2`, then on every line the user,
resolver and realm before the token (read as in `oath_csv`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.imports.parsing.format import Layout, SeedFormat, Sniffed
from portal.imports.parsing.formats import oath_csv


def recognise(sniffed: Sniffed) -> Layout | None:
    return Layout() if oath_csv.version(sniffed) == "2" else None


FORMAT = SeedFormat(
    id="oath-csv-v2",
    label=_("privacyIDEA OATH CSV, version 2 (with users)"),
    named_as=oath_csv.NAMED_AS,
    described_as=oath_csv.DESCRIBED_AS,
    recognise=recognise,
    read=lambda source: oath_csv.oath_tokens(source, with_users=True),
    rules=oath_csv.RULES,
)
