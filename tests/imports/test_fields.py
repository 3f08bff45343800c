from __future__ import annotations

import pytest

from portal.imports.parsing.fields import (
    FieldProblem,
    check_digits,
    check_token_type,
    describe,
    normalise_hash,
    normalise_interval,
    normalise_serial,
    normalise_upn,
)


@pytest.mark.parametrize("value", ["30", "30.0", 30, 30.0, " 30 "])
def test_interval_30_however_written(value: str | int | float) -> None:
    assert normalise_interval(value, default=None) == 30


def test_interval_default_applies_only_when_absent() -> None:
    assert normalise_interval(None, default=30) == 30
    assert normalise_interval("", default=60) == 60
    with pytest.raises(FieldProblem, match="missing time interval"):
        normalise_interval("", default=None)


def test_interval_45_is_refused_in_plain_words() -> None:
    with pytest.raises(FieldProblem) as caught:
        normalise_interval("45", default=30)
    assert caught.value.reason == "interval 45 s is not supported — Entra accepts 30 or 60"


@pytest.mark.parametrize("value", ["thirty", "30.5", "-30", "3e1"])
def test_interval_that_is_not_a_whole_number(value: str) -> None:
    with pytest.raises(FieldProblem, match="not a whole number of seconds"):
        normalise_interval(value, default=30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hmacsha1", "hmacsha1"),
        ("HMACSHA1", "hmacsha1"),
        ("sha1", "hmacsha1"),
        ("SHA-1", "hmacsha1"),
        ("HMAC-SHA1", "hmacsha1"),
        ("sha256", "hmacsha256"),
        ("SHA-256", "hmacsha256"),
        ("hmacsha256", "hmacsha256"),
        ("", None),
        (None, None),
    ],
)
def test_hash_names(value: str | None, expected: str | None) -> None:
    assert normalise_hash(value) == expected


def test_sha512_is_refused() -> None:
    with pytest.raises(FieldProblem) as caught:
        normalise_hash("sha512")
    assert caught.value.reason == "SHA-512 is not supported — Entra accepts SHA-1 or SHA-256"


def test_unknown_hash() -> None:
    with pytest.raises(FieldProblem, match="hash function 'md5' is not recognised"):
        normalise_hash("md5")


def test_digits() -> None:
    check_digits("6")
    check_digits(None)
    with pytest.raises(FieldProblem) as caught:
        check_digits("8")
    assert caught.value.reason == "8-digit codes are not supported — Entra accepts 6"


def test_token_types() -> None:
    check_token_type("TOTP")
    check_token_type(None)
    with pytest.raises(FieldProblem) as caught:
        check_token_type("hotp")
    assert caught.value.reason == "HOTP (counter-based) tokens are not supported by Entra"
    with pytest.raises(FieldProblem, match="token type 'ocra' is not supported"):
        check_token_type("ocra")


@pytest.mark.parametrize("serial", ["000123", " 000123 ", "SN-0001"])
def test_serial_keeps_leading_zeros_and_text(serial: str) -> None:
    assert normalise_serial(serial) == serial.strip()


def test_serial_missing_or_mangled_by_excel() -> None:
    with pytest.raises(FieldProblem, match="missing serial number"):
        normalise_serial("  ")
    with pytest.raises(FieldProblem, match="scientific notation"):
        normalise_serial("1.23457E+11")


def test_upn_lower_cased_and_checked() -> None:
    assert normalise_upn(" Alice@Contoso.COM ") == "alice@contoso.com"
    assert normalise_upn("") is None
    with pytest.raises(FieldProblem, match="not a user principal name"):
        normalise_upn("alice")
    with pytest.raises(FieldProblem, match=r"'alice\.smith@contoso' is not a user principal name"):
        normalise_upn("alice.smith@contoso")
    with pytest.raises(FieldProblem, match="object ID"):
        normalise_upn("8f3c1a52-1d2e-4c6b-9a3f-0e5b7d9c1a2b")
    with pytest.raises(FieldProblem, match="guest accounts"):
        normalise_upn("bob_fabrikam.com#EXT#@contoso.onmicrosoft.com")


def test_describe_never_quotes_long_values() -> None:
    assert describe("45") == "'45'"
    assert describe("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") == "(a 32-character value)"
