"""An import's rows as CSV — the dry run, or the results — streamed (a job can hold 50,000 rows).

No secret can appear: the row's sealed secret is never read here (deferred), and every cell goes
through the audit trail's CSV-injection guard (a leading `'` before = + - @, tab or CR). Headings and
words are in the language of the person downloading it (portal.audit.export.csv_lines).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from portal.audit.export import Column, csv_lines
from portal.imports.models import ImportJob, ImportRow

BATCH = 1000


def row_columns(job: ImportJob) -> tuple[Column[ImportRow], ...]:
    """The columns of `job`'s CSV (the result of a row is empty until the job is confirmed)."""
    confirmed = bool(job.confirmed_at)
    return (
        Column(_("Row"), lambda row: row.row_number),
        Column(_("Serial number"), lambda row: row.serial),
        Column(_("User"), lambda row: row.assignee_upn),
        Column(_("Dry run"), lambda row: row.get_verdict_display()),
        # Translators: a column of an import's CSV: why the dry run skips or rejects a row, or a note on its plan.
        Column(_("Dry-run note"), lambda row: row.reason),
        Column(_("Result"), lambda row: row.get_outcome_display() if confirmed else ""),
        # Translators: a column of an import's CSV: what happened when the row was sent to Microsoft Entra ID.
        Column(_("Result details"), lambda row: row.detail),
        # Translators: a column of an import's CSV: the token's ID in Microsoft Graph.
        Column(_("Token ID"), lambda row: row.device_id),
    )


def rows_csv(job: ImportJob) -> Iterator[str]:
    return csv_lines(row_columns(job), _rows(job))


def _rows(job: ImportJob) -> Iterator[ImportRow]:
    """The job's rows in order, a batch at a time (keyset paging: memory stays flat)."""
    rows = job.rows.order_by("row_number").defer("secret")
    last = -1
    while True:
        batch = list(rows.filter(row_number__gt=last)[:BATCH])
        if not batch:
            return
        yield from batch
        last = batch[-1].row_number


def csv_filename(job: ImportJob) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in job.file_name.rsplit(".", 1)[0])[:60]
    what = "results" if job.confirmed_at else "dry-run"
    return f"import-{what}-{stem or 'file'}-{job.created_at:%Y%m%d-%H%M}.csv"
