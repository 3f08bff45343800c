from __future__ import annotations

import base64

import pytest

from portal.core.seed_secrets import (
    SecretProblem,
    hash_for_seed_length,
    hex_to_base32,
    normalise_base32,
    text_to_base32,
)
from tests.imports.filemakers import (
    ENTRA_EXAMPLE_SECRET,
    GRAPH_EXAMPLE_SECRET,
    RFC4226_BASE32,
    RFC4226_HEX,
    RFC6238_SHA256_BASE32,
    RFC6238_SHA256_SECRET,
)


def test_rfc4226_secret_hex_converts_to_its_known_base32() -> None:
    assert RFC4226_HEX == "3132333435363738393031323334353637383930"
    assert hex_to_base32(RFC4226_HEX) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def test_hex_conversion_tolerates_case_spaces_and_0x() -> None:
    spaced = " ".join(RFC4226_HEX[i : i + 2] for i in range(0, len(RFC4226_HEX), 2))
    assert hex_to_base32(spaced.upper()) == RFC4226_BASE32
    assert hex_to_base32("0x" + RFC4226_HEX) == RFC4226_BASE32


def test_sha256_seed_converts_without_padding() -> None:
    assert hex_to_base32(RFC6238_SHA256_SECRET.hex()) == RFC6238_SHA256_BASE32
    assert "=" not in RFC6238_SHA256_BASE32


def test_text_secret_is_its_utf8_bytes() -> None:
    assert text_to_base32("12345678901234567890") == RFC4226_BASE32


@pytest.mark.parametrize(
    "written",
    [
        "jbswy3dpehpk3pxp",
        "JBSW Y3DP EHPK 3PXP",
        "JBSW-Y3DP-EHPK-3PXP",
        "JBSWY3DPEHPK3PXP====",
        " JBSWY3DPEHPK3PXP\t",
    ],
)
def test_base32_presentation_is_normalised(written: str) -> None:
    assert normalise_base32(written) == GRAPH_EXAMPLE_SECRET


def test_base32_padded_to_a_full_block_decodes_the_same() -> None:
    padded = base64.b32encode(RFC6238_SHA256_SECRET).decode()
    assert padded.endswith("=")
    assert normalise_base32(padded) == RFC6238_SHA256_BASE32


def test_microsofts_example_secret_is_refused_naming_the_first_bad_character() -> None:
    with pytest.raises(SecretProblem) as caught:
        normalise_base32(ENTRA_EXAMPLE_SECRET)
    assert caught.value.reason.startswith("secret is not valid Base32 (character '1' at position 1")


def test_position_counts_in_the_value_as_written() -> None:
    with pytest.raises(SecretProblem) as caught:
        normalise_base32("JBSW Y3D8 EHPK 3PXP")
    assert "character '8' at position 9" in caught.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "missing secret"),
        ("   ", "missing secret"),
        ("JBSWY3DPEHPK", "only 60 bits"),
        ("A" * 129 + "AAAAAAA", "Entra accepts at most 128"),
        ("JBSWY3DPEHPK3PXPA", "no whole number of bytes"),
        ("JBSW=Y3DPEHPK3PXP", "character '=' at position 5"),
        ("JBSWY3DPEHPK3PX\u00a0P\u200b", "U+200B"),
        ("JBSWY3DPEHPK3PX\u017f", "character '\u017f' at position 16"),  # would upper-case to "S"
    ],
)
def test_base32_refusals(value: str, expected: str) -> None:
    with pytest.raises(SecretProblem) as caught:
        normalise_base32(value)
    assert expected in caught.value.reason


def test_exactly_128_characters_and_exactly_80_bits_are_accepted() -> None:
    assert len(normalise_base32("A" * 128)) == 128
    assert normalise_base32("A" * 16) == "A" * 16


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("313233", "only 24 bits"),
        ("31323", "odd number of digits"),
        ("3132333435363738393g", "character 'g' at position 20"),
        ("00" * 81, "at most 80 bytes"),
    ],
)
def test_hex_refusals(value: str, expected: str) -> None:
    with pytest.raises(SecretProblem) as caught:
        hex_to_base32(value)
    assert expected in caught.value.reason


def test_hash_is_inferred_from_seed_length() -> None:
    assert hash_for_seed_length(20) == "hmacsha1"
    assert hash_for_seed_length(32) == "hmacsha256"
    assert hash_for_seed_length(16) == "hmacsha1"
