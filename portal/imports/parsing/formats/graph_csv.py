"""A CSV whose header names Graph fields (serialNumber, secretKey, timeIntervalInSeconds, …).

Any header (comma, semicolon or tab separated) naming a serial and a secret column, in any order,
with the aliases in `header_csv`. A header naming users and serials but no secret is an assignment
list, refused here with advice to use bulk assignment. The community module's defaults apply:
30 seconds, hmacsha1.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.imports.parsing.format import Layout, Refused, SeedFormat, Sniffed
from portal.imports.parsing.formats import entra_csv
from portal.imports.parsing.header_csv import find_header
from portal.imports.parsing.rules import FormatRules

BASE32_FILE_HINT = gettext_lazy("it looks like a hex seed: set secretFormat to hex, or convert it to Base32")


def recognise(sniffed: Sniffed) -> Layout | None:
    header = find_header(sniffed.lines[0], ("serial", "secret"))
    if header is not None:
        return Layout(*header)
    if find_header(sniffed.lines[0], ("serial", "upn")) is not None:
        raise Refused(
            gettext(
                "This file lists users and serial numbers but no secrets: it is an assignment "
                "list, not a seed file. Import the seeds first, then use bulk assignment for "
                "this file."
            )
        )
    return None


FORMAT = SeedFormat(
    id="graph-csv",
    label=_("CSV with Graph field names"),
    named_as=_("CSV or JSON with Graph field names"),
    described_as=_(
        "a CSV with Graph field names (serialNumber, secretKey, timeIntervalInSeconds, manufacturer, model, …)"
    ),
    recognise=recognise,
    read=entra_csv.read,
    rules=FormatRules(hex_hint=BASE32_FILE_HINT),
)
