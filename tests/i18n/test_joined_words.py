"""Words the portal puts together from pieces are put together by the translator's pattern: a
translator gets whole sentences, or the pattern that joins them, never a fragment glued on in code."""

from __future__ import annotations

from django.utils import translation

from portal.core.wording import alternatives_text
from portal.imports.parsing.rows import RawToken, RejectedRow
from portal.imports.parsing.rules import DeviceDefaults, FormatRules, judge_token
from tests.support.pseudo import pseudo


def test_the_problems_of_one_import_row_are_joined_by_the_translators_pattern(pseudo_german: str) -> None:
    record = RawToken(row_number=2, serial="S-1", secret=None, time_interval="45", manufacturer="A", model="B")
    with translation.override(pseudo_german):
        verdict = judge_token(record, FormatRules(), DeviceDefaults())
    assert isinstance(verdict, RejectedRow)
    interval = pseudo("interval %(seconds)s s is not supported — Entra accepts 30 or 60") % {"seconds": 45}
    joined = pseudo("{earlier}; {next}").format(earlier=interval, next=pseudo("missing secret"))
    assert verdict.reason == joined


def test_a_pskc_keys_sizes_are_listed_by_the_translators_pattern(pseudo_german: str) -> None:
    with translation.override(pseudo_german):
        listed = alternatives_text(["32", "48", "64"])
    assert listed == pseudo("{earlier} or {last}").format(
        earlier=pseudo("{earlier}, {next}").format(earlier="32", next="48"), last="64"
    )
