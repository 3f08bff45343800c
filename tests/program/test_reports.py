"""The reports: what the page shows is what the CSV export holds, and the figures are right."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from portal.program.models import DailyCount, ProgramToken
from portal.program.reports import ReportKind
from portal.sandbox import seed
from tests.support.admins import PRIV_AUTH_ADMIN, READER, SignedIn

pytestmark = pytest.mark.django_db(transaction=True)


def refreshed(client: Client) -> None:
    assert client.post("/admin/program/refresh").status_code == 302
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def page_table(page: str, kind: ReportKind) -> list[list[str]]:
    """The rows (header first) of one report's table, as a person reads them."""
    section = re.search(rf'<section class="card report" id="{kind.value}".*?</section>', page, re.S)
    assert section, kind
    table = re.search(r'<table class="report-table">(.*?)</table>', section.group(0), re.S)
    assert table, kind
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def csv_table(client: Client, kind: ReportKind, language: str = "en") -> list[list[str]]:
    response = client.get(f"/admin/reports/{kind.value}.csv", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{kind.value}.csv"' in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_every_report_exports_what_the_page_shows(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    # Some history for the trend: the two days before today.
    today = date.today()
    for days_ago, available in ((2, 25), (1, 20)):
        DailyCount.objects.create(day=today - timedelta(days=days_ago), status="available", count=available)
    reader = signed_in(READER)  # a read-only role sees and exports the same
    page = reader.get("/admin/reports/").content.decode()
    for kind in ReportKind:
        shown = page_table(page, kind)
        assert len(shown) > 1, kind
        assert csv_table(reader, kind) == shown, kind
    assert page.count("<polyline") == 4  # one line per status over three days
    # One name per status: the table's and the CSV's headings are the chart's legend, the portal's labels.
    legend = re.findall(r'<span class="legend-[a-zA-Z]+">([^<]+)</span>', page)
    assert legend == ["Not assigned", "Not activated yet", "Active", "Activation failed"]
    assert csv_table(reader, ReportKind.TREND)[0] == ["Day", *legend]


def test_stock_counts_and_the_low_stock_threshold(signed_in: SignedIn, settings: object) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    settings.PROGRAM_LOW_STOCK = 4  # type: ignore[attr-defined]
    rows = csv_table(lynne, ReportKind.STOCK)
    assert rows[0] == [
        "Make",
        "Model",
        "Tokens",
        "Left to hand out",
        "Handed out",
        "Lost",
        "Broken",
        "Stolen",
        "Retired",
        "Sent back to the vendor",
        "Below 4",
    ]
    by_model = {(row[0], row[1]): row[2:] for row in rows[1:]}
    for (make, model), (total, left, out, *out_of_service, low) in by_model.items():
        tokens = [t for t in seed.TOKENS if (t.manufacturer, t.model) == (make, model)]
        assert int(total) == len(tokens)
        assert int(left) == sum(1 for t in tokens if t.holder is None)
        assert int(out) == int(total) - int(left)
        assert out_of_service == ["0"] * 5
        assert low == ("low" if int(left) < 4 else "")
    assert sum(int(row[2]) for row in rows[1:]) == len(seed.TOKENS)


def test_a_report_is_exported_in_the_downloaders_language(signed_in: SignedIn, settings: object) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    settings.PROGRAM_LOW_STOCK = 4  # type: ignore[attr-defined]
    rows = csv_table(lynne, ReportKind.STOCK, language="de")
    assert rows[0][:5] == ["Hersteller", "Modell", "Token", "Noch verfügbar", "Ausgegeben"]
    assert rows[0][-1] == "Unter 4"
    funnel = [row[0] for row in csv_table(lynne, ReportKind.FUNNEL, language="de")]
    assert "Activated" not in funnel and "Assigned (handed out)" not in funnel


def test_stock_left_to_hand_out_is_what_can_be_given(signed_in: SignedIn, settings: object) -> None:
    """A token recorded lost, broken, stolen or retired is not left to hand out, on the report as in
    the give-a-token type-ahead; it is counted in its own column and the columns add up."""
    from portal.lifecycle.models import LifecycleState
    from portal.lifecycle.services import lifecycle_record
    from portal.program.stock import stock_search

    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    settings.PROGRAM_LOW_STOCK = 3  # type: ignore[attr-defined]
    slim = {
        t.serial: ProgramToken.objects.get(serial_number=t.serial).device_id
        for t in seed.TOKENS
        if t.model == "Slim NFC" and t.holder is None
    }
    assert len(slim) == 3  # PSL-7000102..104: three left, not low
    for serial, state in (("PSL-7000102", LifecycleState.LOST), ("PSL-7000103", LifecycleState.RETIRED)):
        lifecycle_record(device_id=slim[serial], serial_number=serial, state=state, actor=None)
    # Returned to stock after being reported broken: in stock again.
    lifecycle_record(
        device_id=slim["PSL-7000104"], serial_number="PSL-7000104", state=LifecycleState.BROKEN, actor=None
    )
    lifecycle_record(
        device_id=slim["PSL-7000104"], serial_number="PSL-7000104", state=LifecycleState.RETURNED, actor=None
    )

    rows = csv_table(lynne, ReportKind.STOCK)
    header, slim_row = rows[0], next(row for row in rows[1:] if row[1] == "Slim NFC")
    figures = dict(zip(header, slim_row, strict=True))
    offered = [token.serial_number for token in stock_search(text="PSL")]
    assert offered == ["PSL-7000104"]
    assert figures["Left to hand out"] == str(len(offered)) == "1"
    assert (figures["Lost"], figures["Retired"], figures["Broken"], figures["Stolen"]) == ("1", "1", "0", "0")
    assert figures["Handed out"] == "1"  # Diego's
    parts = ("Left to hand out", "Handed out", "Lost", "Broken", "Stolen", "Retired", "Sent back to the vendor")
    assert sum(int(figures[name]) for name in parts) == int(figures["Tokens"]) == 4
    assert figures["Below 3"] == "low"  # 1 left, not the 3 Graph calls available
    assert page_table(lynne.get("/admin/reports/").content.decode(), ReportKind.STOCK) == rows


def test_funnel_and_departments(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    held = ProgramToken.objects.exclude(holder_id="")
    funnel = {row[0]: int(row[1]) for row in csv_table(lynne, ReportKind.FUNNEL)[1:]}
    assert funnel["Handed out"] == held.count()
    assert funnel["Active"] == held.filter(status="activated").count()
    assert funnel["Not activated yet"] == held.filter(status="assigned").count()
    assert funnel["Activation failed"] == held.filter(status="failedActivation").count()
    departments_csv = csv_table(lynne, ReportKind.DEPARTMENTS)
    assert departments_csv[0] == ["Department", "People", "Tokens", "Active"]
    departments = {row[0]: row[1:] for row in departments_csv[1:]}
    assert departments["Marketing"][1] == "2"  # Alex's two tokens
    assert "(no department)" in departments  # Lee Gu: deleted, nothing more is known


def test_a_cell_that_would_be_a_formula_is_defused(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    refreshed(lynne)
    ProgramToken.objects.filter(holder_department="Marketing").update(holder_department="=HYPERLINK(1)")
    rows = csv_table(lynne, ReportKind.DEPARTMENTS)
    assert ["'=HYPERLINK(1)", "1", "2", "1"] in rows


def test_an_unknown_report_is_not_found(signed_in: SignedIn) -> None:
    assert signed_in(READER).get("/admin/reports/nothing.csv").status_code == 404
