"""The token program's reports, from the stored snapshot and the daily counts.

Each report is one `Table` (the page's table and the CSV export are both drawn from its rows, so
they cannot disagree) plus, where a picture helps, the geometry of a server-rendered SVG chart.
A fixed number of queries each; no Graph call.
"""

from __future__ import annotations

import csv
import enum
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db.models import Count, Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from portal.audit.export import Echo, csv_safe
from portal.core.labels import token_status_name
from portal.graph.types import TokenStatus
from portal.lifecycle.services import BLOCKING_STATES
from portal.program.models import DailyCount, ProgramToken
from portal.program.stock import IN_STOCK, out_of_service, stock_tokens

#: The order statuses are shown in: the token's life cycle.
STATUSES = (TokenStatus.AVAILABLE, TokenStatus.ASSIGNED, TokenStatus.ACTIVATED, TokenStatus.FAILED_ACTIVATION)
TREND_DAYS = 90
Cell = str | int


class ReportKind(enum.Enum):
    STOCK = "stock"
    TREND = "status-over-time"
    FUNNEL = "activation-funnel"
    DEPARTMENTS = "departments"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    #: 0-100, the bar's length against the largest value.
    percent: int
    css: str = ""


@dataclass(frozen=True)
class Line:
    status: str
    #: SVG polyline points in a 0-100 by 0-40 box.
    points: str


@dataclass(frozen=True)
class Table:
    kind: ReportKind
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    bars: list[Bar]
    lines: list[Line]
    note: str = ""


def report_get(kind: ReportKind, *, now: datetime) -> Table:
    return {
        ReportKind.STOCK: stock_report,
        ReportKind.TREND: trend_report,
        ReportKind.FUNNEL: funnel_report,
        ReportKind.DEPARTMENTS: department_report,
    }[kind](now=now)


def report_csv(table: Table) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(table.headers)
    for row in table.rows:
        yield writer.writerow([csv_safe(cell) for cell in row])


# -- the reports --------------------------------------------------------------------------------


def stock_report(*, now: datetime) -> Table:
    """Tokens per make and model: how many are left to hand out (portal.program.stock.IN_STOCK),
    handed out, and out of service by what the portal recorded; they add up to the model's tokens
    (one query)."""
    counts = {
        "total": Count("device_id"),
        "left": Count("device_id", filter=IN_STOCK),
        "blocked": Count("device_id", filter=out_of_service()),
    }
    counts.update({state.value: Count("device_id", filter=out_of_service(state)) for state in BLOCKING_STATES})
    grouped = stock_tokens().values("manufacturer", "model").annotate(**counts).order_by("manufacturer", "model")
    rows_in = cast("Iterable[dict[str, Any]]", grouped)  # the stubs don't see keys annotated from a dict
    low = settings.PROGRAM_LOW_STOCK
    rows: list[tuple[Cell, ...]] = [
        (
            r["manufacturer"] or _("(no make)"),
            r["model"] or _("(no model)"),
            r["total"],
            r["left"],
            r["total"] - r["left"] - r["blocked"],
            *(r[state.value] for state in BLOCKING_STATES),
            # Translators: a cell of the stock report: this model is low on stock.
            pgettext("stock", "low") if r["left"] < low else "",
        )
        for r in rows_in
    ]
    largest = max((int(r[3]) for r in rows), default=0)
    bars = [
        Bar(f"{r[0]} {r[1]}", int(r[3]), _percent(int(r[3]), largest), "bar-low" if r[-1] else "bar-available")
        for r in rows
    ]
    return Table(
        ReportKind.STOCK,
        _("Stock by make and model"),
        (
            _("Make"),
            _("Model"),
            _("Tokens"),
            _("Left to hand out"),
            _("Handed out"),
            *(str(state.label) for state in BLOCKING_STATES),
            _("Below %(low)s") % {"low": low},
        ),
        rows,
        bars,
        [],
        # Tokens recorded lost, broken, … are never left to hand out: they have their own columns.
        note=_("A model is low on stock when fewer than %(low)s of its tokens are left to hand out.") % {"low": low},
    )


def trend_report(*, now: datetime) -> Table:
    """Tokens per status per day over the last TREND_DAYS days (one query)."""
    start = now.date() - timedelta(days=TREND_DAYS - 1)
    by_day: dict[date, dict[str, int]] = {}
    for day, status, count in DailyCount.objects.filter(day__gte=start).values_list("day", "status", "count"):
        by_day.setdefault(day, {})[status] = count
    days = sorted(by_day)
    rows: list[tuple[Cell, ...]] = [
        (day.isoformat(), *(by_day[day].get(status, 0) for status in STATUSES)) for day in days
    ]
    largest = max((int(cell) for row in rows for cell in row[1:]), default=0)
    lines = []
    if len(days) > 1:  # a line needs two days
        for index, status in enumerate(STATUSES):
            points = []
            for row in rows:
                x = (date.fromisoformat(str(row[0])) - start).days * 100 / max(TREND_DAYS - 1, 1)
                y = 40 - (int(row[index + 1]) * 40 / largest if largest else 0)
                points.append(f"{x:.1f},{y:.1f}")
            lines.append(Line(status, " ".join(points)))
    return Table(
        ReportKind.TREND,
        _("Tokens by status over time"),
        # The statuses' one name each (portal.core.labels), as the chart's legend says them.
        (_("Day"), *(token_status_name(status) for status in STATUSES)),
        rows,
        [],
        lines,
        note=_("One count per day, kept by the portal when it refreshes its snapshot (last %(days)s days).")
        % {"days": TREND_DAYS},
    )


def funnel_report(*, now: datetime) -> Table:
    """Assigned → activated, with the median days between (two queries)."""
    held = ProgramToken.objects.exclude(holder_id="")
    counts = held.aggregate(
        assigned=Count("device_id"),
        activated=Count("device_id", filter=Q(status=TokenStatus.ACTIVATED)),
        failed=Count("device_id", filter=Q(status=TokenStatus.FAILED_ACTIVATION)),
    )
    waits = [
        (activated - assigned).total_seconds() / 86400
        for assigned, activated in held.filter(
            status=TokenStatus.ACTIVATED, assigned_at__isnull=False, activated_seen_at__isnull=False
        ).values_list("assigned_at", "activated_seen_at")
        if assigned is not None and activated is not None
    ]
    median = number_format(statistics.median(waits), 1) if waits else _("not known yet")
    assigned, activated, failed = counts["assigned"], counts["activated"], counts["failed"]
    waiting = assigned - activated - failed
    rows: list[tuple[Cell, ...]] = [
        (_("Handed out"), assigned, _percent(assigned, assigned)),
        (token_status_name(TokenStatus.ACTIVATED), activated, _percent(activated, assigned)),
        (token_status_name(TokenStatus.ASSIGNED), waiting, _percent(waiting, assigned)),
        (token_status_name(TokenStatus.FAILED_ACTIVATION), failed, _percent(failed, assigned)),
    ]
    bars = [Bar(str(r[0]), int(r[1]), int(r[2]), css) for r, css in zip(rows, _FUNNEL_CSS, strict=True)]
    return Table(
        ReportKind.FUNNEL,
        _("Activation funnel"),
        (_("Stage"), _("Tokens"), _("Percent of assigned")),
        rows,
        bars,
        [],
        note=ngettext(
            "Median days from assignment to activation: %(median)s (over %(count)s activation the portal saw "
            "happen; Graph keeps no activation date).",
            "Median days from assignment to activation: %(median)s (over %(count)s activations the portal saw "
            "happen; Graph keeps no activation date).",
            len(waits),
        )
        % {"median": median, "count": len(waits)},
    )


_FUNNEL_CSS = ("bar-assigned", "bar-activated", "bar-waiting", "bar-failedActivation")


def department_report(*, now: datetime) -> Table:
    """Tokens held per department (one query)."""
    rows_in = (
        ProgramToken.objects.exclude(holder_id="")
        .values("holder_department")
        .annotate(
            holders=Count("holder_id", distinct=True),
            tokens=Count("device_id"),
            activated=Count("device_id", filter=Q(status=TokenStatus.ACTIVATED)),
        )
        .order_by("-tokens", "holder_department")
    )
    rows: list[tuple[Cell, ...]] = [
        (r["holder_department"] or _("(no department)"), r["holders"], r["tokens"], r["activated"]) for r in rows_in
    ]
    largest = max((int(r[2]) for r in rows), default=0)
    bars = [Bar(str(r[0]), int(r[2]), _percent(int(r[2]), largest), "bar-assigned") for r in rows]
    return Table(
        ReportKind.DEPARTMENTS,
        _("Tokens by department"),
        (_("Department"), _("People"), _("Tokens"), token_status_name(TokenStatus.ACTIVATED)),
        rows,
        bars,
        [],
    )


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0
