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


# Each phrase is a count's phrase: `% {"n": count}` picks the form for the count. Written out as
# ngettext_lazy calls (not through a helper) so that makemessages finds them.
_PLAN: tuple[tuple[str, Text], ...] = (
    (Verdict.CREATE_ASSIGN, ngettext_lazy("%(n)d to create and assign", "%(n)d to create and assign", "n")),
    (Verdict.CREATE, ngettext_lazy("%(n)d to create", "%(n)d to create", "n")),
    (
        Verdict.CREATE_UNASSIGNED,
        ngettext_lazy("%(n)d to create without assignment", "%(n)d to create without assignment", "n"),
    ),
    (Verdict.ASSIGN, ngettext_lazy("%(n)d to assign", "%(n)d to assign", "n")),
    (
        Verdict.SKIP_EXISTS,
        ngettext_lazy("%(n)d skipped: already in the inventory", "%(n)d skipped: already in the inventory", "n"),
    ),
    (
        Verdict.SKIP_ASSIGNED,
        ngettext_lazy(
            "%(n)d skipped: already assigned to that user", "%(n)d skipped: already assigned to that user", "n"
        ),
    ),
    (
        Verdict.SKIP_DUPLICATE_FILE,
        ngettext_lazy("%(n)d skipped: serial repeated in the file", "%(n)d skipped: serial repeated in the file", "n"),
    ),
    (Verdict.REJECT, ngettext_lazy("%(n)d rejected", "%(n)d rejected", "n")),
)
_RESULTS: tuple[tuple[str, Text], ...] = (
    (Outcome.CREATED, ngettext_lazy("%(n)d created", "%(n)d created", "n")),
    (Outcome.CREATED_UNASSIGNED, ngettext_lazy("%(n)d created, not assigned", "%(n)d created, not assigned", "n")),
    (Outcome.SKIPPED, ngettext_lazy("%(n)d skipped", "%(n)d skipped", "n")),
    (Outcome.FAILED, ngettext_lazy("%(n)d failed", "%(n)d failed", "n")),
    (Outcome.REJECTED, ngettext_lazy("%(n)d rejected (not sent)", "%(n)d rejected (not sent)", "n")),
    (Outcome.CANCELLED, ngettext_lazy("%(n)d cancelled (not sent)", "%(n)d cancelled (not sent)", "n")),
    (Outcome.PENDING, ngettext_lazy("%(n)d waiting", "%(n)d waiting", "n")),
)
_ASSIGNED: dict[str, Text] = {
    ImportJob.Kind.SEED: ngettext_lazy("%(n)d created and assigned", "%(n)d created and assigned", "n"),
    ImportJob.Kind.ASSIGNMENT: ngettext_lazy("%(n)d assigned", "%(n)d assigned", "n"),
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
