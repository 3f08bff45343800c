from __future__ import annotations

from portal.imports.parsing import SeedRow
from tests.imports.filemakers import (
    RFC4226_BASE32,
    RFC4226_HEX,
    RFC6238_SHA256_BASE32,
    RFC6238_SHA256_SECRET,
    oath_csv,
)
from tests.imports.readback import accepted, parse_all, reasons

DEVICE = {"default_manufacturer": "Token2", "default_model": "C202"}
SHA256_HEX = RFC6238_SHA256_SECRET.hex()


def test_privacyidea_csv_hex_seed_becomes_base32() -> None:
    format_id, verdicts = parse_all(oath_csv([["0001", RFC4226_HEX, "totp", "6", "30"]]), **DEVICE)
    assert format_id == "oath-csv"
    assert verdicts == [SeedRow(1, "0001", RFC4226_BASE32, 30, "hmacsha1", "Token2", "C202")]


def test_hash_is_inferred_from_seed_length_unless_given() -> None:
    data = oath_csv(
        [
            ["A", SHA256_HEX, "totp", "6", "30"],
            ["B", RFC4226_HEX, "totp", "6", "60"],
            ["C", RFC4226_HEX, "totp", "6", "30", "sha256"],
            ["D", SHA256_HEX, "totp", "6", "30", "sha1"],
        ]
    )
    rows = accepted(parse_all(data, **DEVICE)[1])
    assert [(r.serial_number, r.hash_function, r.time_interval) for r in rows] == [
        ("A", "hmacsha256", 30),
        ("B", "hmacsha1", 60),
        ("C", "hmacsha256", 30),
        ("D", "hmacsha1", 30),
    ]
    assert rows[0].secret_key == RFC6238_SHA256_BASE32


def test_defaults_digits_6_and_step_30() -> None:
    rows = accepted(parse_all(oath_csv([["A", RFC4226_HEX, "TOTP"]]), **DEVICE)[1])
    assert (rows[0].time_interval, rows[0].hash_function) == (30, "hmacsha1")


def test_linotp_rows_entra_cannot_take_are_refused_with_reasons() -> None:
    data = oath_csv(
        [
            ["H1", RFC4226_HEX, "hotp", "6", "0"],
            ["T8", RFC4226_HEX, "totp", "8", "30"],
            ["T512", RFC4226_HEX, "totp", "6", "30", "sha512"],
            ["T45", RFC4226_HEX, "totp", "6", "45"],
            ["NOTYPE", RFC4226_HEX],
            ["OCRA", RFC4226_HEX, "ocra", "OCRA-1:HOTP-SHA1-6:QN08"],
            ["BAD", RFC4226_HEX[:-1] + "g", "totp", "6", "30"],
        ]
    )
    found = reasons(parse_all(data, **DEVICE)[1])
    assert found[1] == "HOTP (counter-based) tokens are not supported by Entra"
    assert found[2] == "8-digit codes are not supported — Entra accepts 6"
    assert found[3] == "SHA-512 is not supported — Entra accepts SHA-1 or SHA-256"
    assert found[4] == "interval 45 s is not supported — Entra accepts 30 or 60"
    assert found[5].startswith("no token type given, which this format reads as HOTP")
    assert found[6] == "token type 'ocra' is not supported — Entra accepts TOTP only"
    assert found[7].startswith("secret is not valid hex (character 'g' at position 40")


def test_comment_lines_are_skipped_and_counted() -> None:
    data = b"# exported 2024-01-01\n\nA, " + RFC4226_HEX.encode() + b", totp, 6, 30\n"
    rows = accepted(parse_all(data, **DEVICE)[1])
    assert [r.row_number for r in rows] == [3]


def test_version2_user_becomes_assignee_only_when_it_is_a_upn() -> None:
    data = oath_csv(
        [
            ["Alice@Contoso.com", "ldap", "contoso", "A", RFC4226_HEX, "totp", "6", "30"],
            ["bob", "ldap", "contoso", "B", RFC4226_HEX, "totp", "6", "30"],
            ["", "", "", "C", RFC4226_HEX, "totp", "6", "30", "sha256"],
        ],
        version2=True,
    )
    format_id, verdicts = parse_all(data, **DEVICE)
    assert format_id == "oath-csv-v2"
    rows = accepted(verdicts)
    assert [(r.row_number, r.serial_number, r.assignee_upn) for r in rows] == [
        (2, "A", "alice@contoso.com"),
        (3, "B", None),
        (4, "C", None),
    ]
    assert rows[2].hash_function == "hmacsha256"


def test_without_device_defaults_every_row_says_what_is_missing() -> None:
    verdicts = parse_all(oath_csv([["A", RFC4226_HEX, "totp", "6", "30"]]))[1]
    assert (
        reasons(verdicts)[1] == "missing manufacturer and model (give defaults for this import if the file names none)"
    )
