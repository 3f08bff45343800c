"""Small template helpers for the import pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from portal.imports.models import ImportJob, ImportRow
from portal.imports.summary import plan_counts, result_counts

register = template.Library()

_OUTCOME_CLASS: dict[str, str] = {
    ImportRow.Outcome.CREATED: "outcome-success",
    ImportRow.Outcome.ASSIGNED: "outcome-success",
    ImportRow.Outcome.CREATED_UNASSIGNED: "outcome-denied",
    ImportRow.Outcome.SKIPPED: "badge-other",
    ImportRow.Outcome.FAILED: "outcome-failure",
    ImportRow.Outcome.REJECTED: "outcome-failure",
    ImportRow.Outcome.CANCELLED: "outcome-denied",
    ImportRow.Outcome.PENDING: "badge-available",
}
_VERDICT_CLASS: dict[str, str] = {
    ImportRow.Verdict.CREATE: "outcome-success",
    ImportRow.Verdict.CREATE_ASSIGN: "outcome-success",
    ImportRow.Verdict.CREATE_UNASSIGNED: "outcome-denied",
    ImportRow.Verdict.ASSIGN: "outcome-success",
    ImportRow.Verdict.REJECT: "outcome-failure",
}
_STATUS_CLASS: dict[str, str] = {
    ImportJob.Status.DONE: "outcome-success",
    ImportJob.Status.FAILED: "outcome-failure",
    ImportJob.Status.CANCELLED: "outcome-denied",
    ImportJob.Status.DRAFT: "badge-assigned",
}


@register.filter
def outcome_label(row: ImportRow, kind: str) -> str:
    if row.outcome == ImportRow.Outcome.ASSIGNED and kind == ImportJob.Kind.SEED:
        return "Created and assigned"
    return row.get_outcome_display()


@register.filter
def outcome_class(outcome: str) -> str:
    return _OUTCOME_CLASS.get(outcome, "badge-other")


@register.filter
def verdict_class(verdict: str) -> str:
    return _VERDICT_CLASS.get(verdict, "badge-other")


@register.filter
def job_status_class(status: str) -> str:
    return _STATUS_CLASS.get(status, "badge-available")


@register.filter
def results_summary(job: ImportJob) -> str:
    """ "3 created · 2 created, not assigned · 1 rejected (not sent)" for a finished job (every count
    it has); the dry run's plan in the same words for a draft."""
    if job.finished and job.results:
        return " · ".join(result_counts(job, job.results)) or str(_("nothing to do"))
    if job.status == ImportJob.Status.DRAFT:
        return " · ".join(plan_counts(job.plan))
    return ""
