"""An import's rows as CSV — the dry run, or the results — streamed (a job can hold 50,000 rows).

No secret can appear: the row's sealed secret is never read here (deferred), and every cell goes
through the audit trail's CSV-injection guard (a leading `'` before = + - @, tab or CR).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from portal.audit.export import Echo, csv_safe
from portal.imports.models import ImportJob, ImportRow

COLUMNS = ("row", "serial_number", "user", "dry_run", "reason", "result", "detail", "device_id")
BATCH = 1000


def rows_csv(job: ImportJob) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(COLUMNS)
    rows = job.rows.order_by("row_number").defer("secret")
    verdicts = dict(ImportRow.Verdict.choices)
    outcomes = dict(ImportRow.Outcome.choices)
    last = -1
    while True:
        batch = list(rows.filter(row_number__gt=last)[:BATCH])
        if not batch:
            return
        for row in batch:
            yield writer.writerow(
                [
                    csv_safe(value)
                    for value in (
                        row.row_number,
                        row.serial,
                        row.assignee_upn,
                        verdicts.get(row.verdict, row.verdict),
                        row.reason,
                        outcomes.get(row.outcome, row.outcome) if job.confirmed_at else "",
                        row.detail,
                        row.device_id,
                    )
                ]
            )
        last = batch[-1].row_number


def csv_filename(job: ImportJob) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in job.file_name.rsplit(".", 1)[0])[:60]
    what = "results" if job.confirmed_at else "dry-run"
    return f"import-{what}-{stem or 'file'}-{job.created_at:%Y%m%d-%H%M}.csv"
