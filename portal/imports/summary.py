"""An import's counts in words, once for the job's page and the imports list alike.

The dry run counts verdicts ("8 to create and assign", "2 to create without assignment",
"1 rejected"); a confirmed job counts outcomes, in the past tense ("3 created", "2 created, not
assigned", "1 rejected"). Every count the job has is said; none is folded into another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import ngettext_lazy

from portal.imports.models import ImportJob, ImportRow

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Text
else:
    Text = str

Verdict = ImportRow.Verdict
Outcome = ImportRow.Outcome


def _n(singular: str, plural: str) -> Text:
    """A count's phrase; `% {"n": count}` picks the form for the count."""
    return ngettext_lazy(singular, plural, "n")


_PLAN: tuple[tuple[str, Text], ...] = (
    (Verdict.CREATE_ASSIGN, _n("%(n)d to create and assign", "%(n)d to create and assign")),
    (Verdict.CREATE, _n("%(n)d to create", "%(n)d to create")),
    (Verdict.CREATE_UNASSIGNED, _n("%(n)d to create without assignment", "%(n)d to create without assignment")),
    (Verdict.ASSIGN, _n("%(n)d to assign", "%(n)d to assign")),
    (Verdict.SKIP_EXISTS, _n("%(n)d skipped: already in the inventory", "%(n)d skipped: already in the inventory")),
    (
        Verdict.SKIP_ASSIGNED,
        _n("%(n)d skipped: already assigned to that user", "%(n)d skipped: already assigned to that user"),
    ),
    (
        Verdict.SKIP_DUPLICATE_FILE,
        _n("%(n)d skipped: serial repeated in the file", "%(n)d skipped: serial repeated in the file"),
    ),
    (Verdict.REJECT, _n("%(n)d rejected", "%(n)d rejected")),
)
_RESULTS: tuple[tuple[str, Text], ...] = (
    (Outcome.CREATED, _n("%(n)d created", "%(n)d created")),
    (Outcome.CREATED_UNASSIGNED, _n("%(n)d created, not assigned", "%(n)d created, not assigned")),
    (Outcome.SKIPPED, _n("%(n)d skipped", "%(n)d skipped")),
    (Outcome.FAILED, _n("%(n)d failed", "%(n)d failed")),
    (Outcome.REJECTED, _n("%(n)d rejected (not sent)", "%(n)d rejected (not sent)")),
    (Outcome.CANCELLED, _n("%(n)d cancelled (not sent)", "%(n)d cancelled (not sent)")),
    (Outcome.PENDING, _n("%(n)d waiting", "%(n)d waiting")),
)
_ASSIGNED: dict[str, Text] = {
    ImportJob.Kind.SEED: _n("%(n)d created and assigned", "%(n)d created and assigned"),
    ImportJob.Kind.ASSIGNMENT: _n("%(n)d assigned", "%(n)d assigned"),
}


def _say(phrase: Text, count: int) -> str:
    return str(phrase % {"n": count})


def plan_counts(plan: dict[str, int]) -> list[str]:
    """The dry run's counts, e.g. ["8 to create and assign", "2 to create without assignment", "1 rejected"]."""
    return [_say(phrase, plan[key]) for key, phrase in _PLAN if plan.get(key)]


def result_counts(job: ImportJob, counts: dict[str, int], *, always_failed: bool = False) -> list[str]:
    """A confirmed job's counts, e.g. ["3 created", "2 created, not assigned", "1 rejected (not sent)"]."""
    lines = [(Outcome.ASSIGNED, _ASSIGNED[job.kind]), *_RESULTS]
    return [
        _say(phrase, counts.get(key, 0))
        for key, phrase in lines
        if counts.get(key) or (always_failed and key == Outcome.FAILED)
    ]
