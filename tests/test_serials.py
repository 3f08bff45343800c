"""One rule for "the same serial number" (portal.core.serials), wherever the portal asks."""

from __future__ import annotations

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from portal.core.attempts import TooManyAttempts, attempt_begin, attempt_finish
from portal.core.forms import SerialNumberField
from portal.core.serials import serial_normalise
from tests.imports.filemakers import entra_csv
from tests.imports.readback import accepted, parse_all, reasons

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("60200104", "60200104"),
        ("6020 0104", "60200104"),
        ("  si-0100\u00a00101\t", "SI-01000101"),
        ("ab12", "AB12"),
    ],
)
def test_the_canonical_form_drops_whitespace_and_case(typed: str, canonical: str) -> None:
    assert serial_normalise(typed) == canonical


@given(st.text(alphabet=st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=30))
def test_spelling_variants_of_one_serial_are_the_same_serial(serial: str) -> None:
    canonical = serial_normalise(serial)
    assert serial_normalise(canonical) == canonical
    assert serial_normalise(serial.lower()) == canonical
    assert serial_normalise(" ".join(serial)) == canonical


def test_what_a_person_types_is_sent_in_the_canonical_form() -> None:
    assert SerialNumberField().clean(" si-0100 0101 ") == "SI-01000101"


def test_a_seed_file_naming_one_serial_twice_keeps_the_first_row() -> None:
    data = entra_csv(
        [("ab12", SECRET, "30", "Feitian", "c200"), ("AB 12", SECRET, "30", "Feitian", "c200")], with_upn=False
    )
    _, verdicts = parse_all(data)
    assert [row.serial_number for row in accepted(verdicts)] == ["ab12"]
    assert reasons(verdicts) == {3: "duplicate serial in this file (first seen on row 2)"}


@pytest.mark.django_db
@override_settings(CODE_ATTEMPT_LIMIT=2)
def test_wrong_codes_count_against_the_token_however_its_serial_is_typed() -> None:
    for person, spelling in (("person-1", "SI-01000101"), ("person-2", "si-0100 0101")):
        attempt_finish(attempt_begin(person_oid=person, serial=spelling), wrong_code=True)
    with pytest.raises(TooManyAttempts):
        attempt_begin(person_oid="person-3", serial=" Si-01000101")
