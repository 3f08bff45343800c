"""Uploading: a file becomes an import job and one ImportRow per record, streamed.

The parsers yield one verdict at a time; rows are written in chunks with bulk_create, so memory
holds one chunk whatever the file's size. Everything happens in one transaction: a file that turns
out broken part-way (too many rows, a quote never closed) leaves nothing behind. Secrets are sealed
(portal.identity.sealing) before they reach a model instance, and rows the parser rejected never get
one. Nothing here talks to Graph: the dry run's lookups happen in the analysis task.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from portal.identity.delegation import DelegatedCache
from portal.identity.models import User
from portal.identity.sealing import seal, seal_text
from portal.imports.models import ImportJob, ImportRow
from portal.imports.parsing import (
    AssignmentRow,
    RejectedRow,
    SeedRow,
    parse_assignment_file,
    parse_seed_file,
)

#: Rows written per INSERT while staging.
STAGE_CHUNK = 500


def clean_file_name(name: str) -> str:
    """The base name only (browsers may send a path), printable, at most 255 characters."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    return "".join(ch for ch in base if ch.isprintable())[:255] or "upload"


def _new_job(
    *,
    kind: str,
    actor: User,
    file_name: str,
    delegation: DelegatedCache | None,
    default_manufacturer: str = "",
    default_model: str = "",
    assign_allowed: bool = False,
) -> ImportJob:
    return ImportJob.objects.create(
        kind=kind,
        status=ImportJob.Status.ANALYSING,
        created_by=actor,
        created_by_upn=actor.upn,
        file_name=clean_file_name(file_name),
        default_manufacturer=default_manufacturer[:120],
        default_model=default_model[:120],
        assign_allowed=assign_allowed,
        delegated_cache=seal(delegation.blob) if delegation else b"",
        home_account_id=delegation.home_account_id if delegation else "",
    )


def _seed_rows(job: ImportJob, verdicts: Iterable[SeedRow | RejectedRow]) -> Iterator[ImportRow]:
    for verdict in verdicts:
        if isinstance(verdict, SeedRow):
            yield ImportRow(
                job=job,
                row_number=verdict.row_number,
                serial=verdict.serial_number[:255],
                assignee_upn=(verdict.assignee_upn or "")[:255],
                manufacturer=verdict.manufacturer[:255],
                model=verdict.model[:255],
                display_name=(verdict.display_name or "")[:255],
                time_interval=verdict.time_interval,
                hash_function=verdict.hash_function,
                secret=seal_text(verdict.secret_key),
            )
        else:
            yield _rejected_row(job, verdict)


def _assignment_rows(job: ImportJob, verdicts: Iterable[AssignmentRow | RejectedRow]) -> Iterator[ImportRow]:
    for verdict in verdicts:
        if isinstance(verdict, AssignmentRow):
            yield ImportRow(
                job=job,
                row_number=verdict.row_number,
                serial=verdict.serial_number[:255],
                assignee_upn=verdict.upn[:255],
            )
        else:
            yield _rejected_row(job, verdict)


def _rejected_row(job: ImportJob, verdict: RejectedRow) -> ImportRow:
    duplicate = verdict.repeated
    return ImportRow(
        job=job,
        row_number=verdict.row_number,
        serial=(verdict.serial_number or "")[:255],
        verdict=ImportRow.Verdict.SKIP_DUPLICATE_FILE if duplicate else ImportRow.Verdict.REJECT,
        outcome=ImportRow.Outcome.SKIPPED if duplicate else ImportRow.Outcome.REJECTED,
        reason=verdict.reason,
    )


def _store(rows: Iterable[ImportRow]) -> int:
    count = 0
    chunk: list[ImportRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= STAGE_CHUNK:
            ImportRow.objects.bulk_create(chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        ImportRow.objects.bulk_create(chunk)
        count += len(chunk)
    return count


def seed_file_stage(
    *,
    actor: User,
    stream: BinaryIO,
    file_name: str,
    delegation: DelegatedCache | None,
    assign_allowed: bool,
    pskc_key_hex: str | None = None,
    pskc_password: str | None = None,
    default_manufacturer: str = "",
    default_model: str = "",
    max_rows: int | None = None,
) -> ImportJob:
    """Store a seed file as a job waiting for its dry run. Raises SeedFileError (nothing stored)."""
    with transaction.atomic():
        parsed = parse_seed_file(
            stream,
            filename=file_name,
            pskc_key_hex=pskc_key_hex or None,
            pskc_password=pskc_password or None,
            max_rows=max_rows or settings.IMPORT_MAX_ROWS,
            default_manufacturer=default_manufacturer or None,
            default_model=default_model or None,
        )
        job = _new_job(
            kind=ImportJob.Kind.SEED,
            actor=actor,
            file_name=file_name,
            delegation=delegation,
            default_manufacturer=default_manufacturer,
            default_model=default_model,
            assign_allowed=assign_allowed,
        )
        job.file_format = parsed.format.id
        job.format_label = parsed.format.label[:120]
        job.total_rows = _store(_seed_rows(job, parsed.rows()))
        job.save(update_fields=["file_format", "format_label", "total_rows"])
    return job


def assignment_file_stage(
    *,
    actor: User,
    stream: BinaryIO,
    file_name: str,
    delegation: DelegatedCache | None,
    max_rows: int | None = None,
) -> ImportJob:
    """Store a `upn,serial` file as an assignment job waiting for its dry run."""
    with transaction.atomic():
        verdicts = parse_assignment_file(stream, max_rows=max_rows or settings.IMPORT_MAX_ROWS)
        job = _new_job(kind=ImportJob.Kind.ASSIGNMENT, actor=actor, file_name=file_name, delegation=delegation)
        job.file_format = "assignment-csv"
        job.format_label = gettext("CSV of users and serial numbers")
        job.total_rows = _store(_assignment_rows(job, verdicts))
        job.save(update_fields=["file_format", "format_label", "total_rows"])
    return job
