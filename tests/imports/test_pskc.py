from __future__ import annotations

import pytest

from portal.imports.parsing import (
    DecryptionKeyNeeded,
    SeedRow,
    UnreadableFile,
    UnsupportedFile,
    WrongDecryptionKey,
)
from tests.imports.filemakers import (
    HOTP,
    RFC4226_BASE32,
    RFC4226_SECRET,
    RFC6238_SHA256_BASE32,
    RFC6238_SHA256_SECRET,
    pskc_file,
    pskc_key,
)
from tests.imports.readback import accepted, parse_all, reasons

AES_KEY = bytes.fromhex("12345678901234567890123456789012")
PASSWORD = "correct horse battery staple"


def test_plain_pskc_keys_become_rows() -> None:
    data = pskc_file(
        [
            pskc_key("000123", friendly_name="Desk 1", key_userid="Alice@Contoso.com", algorithm_suite="HMAC-SHA1"),
            pskc_key("000124", RFC6238_SHA256_SECRET, algorithm_suite="HMAC-SHA256", time_interval=60),
            pskc_key("000125", key_userid="CN=Bob,OU=Staff"),
        ]
    )
    format_id, verdicts = parse_all(data)
    assert format_id == "pskc"
    assert verdicts == [
        SeedRow(1, "000123", RFC4226_BASE32, 30, "hmacsha1", "Contoso", "OTP-6", "Desk 1", "alice@contoso.com"),
        SeedRow(2, "000124", RFC6238_SHA256_BASE32, 60, "hmacsha256", "Contoso", "OTP-6"),
        SeedRow(3, "000125", RFC4226_BASE32, 30, "hmacsha1", "Contoso", "OTP-6"),
    ]


def test_keys_without_device_info_use_the_import_defaults_and_the_key_id() -> None:
    data = pskc_file([{"id": "K-77", "secret": RFC4226_SECRET}])
    assert reasons(parse_all(data)[1])[1].startswith("missing manufacturer and model")
    row = accepted(parse_all(data, default_manufacturer="Acme", default_model="T")[1])[0]
    assert (row.serial_number, row.manufacturer, row.model) == ("K-77", "Acme", "T")


def test_tokens_entra_cannot_take_are_refused() -> None:
    data = pskc_file(
        [
            pskc_key("H", algorithm=HOTP, time_interval=None),
            pskc_key("D8", response_length=8),
            pskc_key("S512", algorithm_suite="HMAC-SHA512"),
            pskc_key("T45", time_interval=45),
            pskc_key("SHORT", b"short"),
            pskc_key("NOSECRET", None),
            pskc_key("OCRA", algorithm="urn:ietf:params:xml:ns:keyprov:pskc#OCRA-1:HOTP-SHA1-6"),
        ]
    )
    found = reasons(parse_all(data)[1])
    assert found == {
        1: "HOTP (counter-based) tokens are not supported by Entra",
        2: "8-digit codes are not supported — Entra accepts 6",
        3: "SHA-512 is not supported — Entra accepts SHA-1 or SHA-256",
        4: "interval 45 s is not supported — Entra accepts 30 or 60",
        5: "secret is only 40 bits long — at least 80 bits (10 bytes) are required",
        6: "missing secret",
        7: "algorithm “OCRA-1:HOTP-SHA1-6” is not supported — Entra accepts TOTP only",
    }


@pytest.mark.parametrize("algorithm", ["aes128-cbc", "kw-aes128", "aes256-cbc"])
def test_preshared_key_encryption(algorithm: str) -> None:
    key = AES_KEY if "128" in algorithm else AES_KEY * 2
    data = pskc_file([pskc_key("000123")], preshared_key=key, algorithm=algorithm)
    rows = accepted(parse_all(data, pskc_key_hex=key.hex().upper())[1])
    assert rows[0].secret_key == RFC4226_BASE32


def test_preshared_key_missing_wrong_or_malformed() -> None:
    data = pskc_file([pskc_key("000123")], preshared_key=AES_KEY)
    with pytest.raises(DecryptionKeyNeeded, match=r"pre-shared key.*32 hex digits"):
        parse_all(data)
    wrong = "00" * 16
    with pytest.raises(WrongDecryptionKey) as caught:
        parse_all(data, pskc_key_hex=wrong)
    assert wrong not in str(caught.value)
    with pytest.raises(WrongDecryptionKey, match="must be written in hex"):
        parse_all(data, pskc_key_hex="not hex at all")
    with pytest.raises(WrongDecryptionKey, match="32 hex digits"):
        parse_all(data, pskc_key_hex="0011")
    with pytest.raises(DecryptionKeyNeeded, match="not a password"):
        parse_all(data, pskc_password=PASSWORD)


def test_password_encryption() -> None:
    data = pskc_file([pskc_key("000123"), pskc_key("000124")], password=PASSWORD)
    rows = accepted(parse_all(data, pskc_password=PASSWORD)[1])
    assert [r.secret_key for r in rows] == [RFC4226_BASE32, RFC4226_BASE32]
    with pytest.raises(DecryptionKeyNeeded, match="password"):
        parse_all(data)
    with pytest.raises(WrongDecryptionKey) as caught:
        parse_all(data, pskc_password="Tr0ub4dor&3")
    assert "Tr0ub4dor" not in str(caught.value)


def test_absurd_pbkdf2_parameters_are_refused_before_deriving() -> None:
    data = pskc_file([pskc_key("1")], password=PASSWORD).replace(
        b"<IterationCount>1000</IterationCount>", b"<IterationCount>2000000000</IterationCount>"
    )
    with pytest.raises(UnsupportedFile, match="unreasonable password derivation"):
        parse_all(data, pskc_password=PASSWORD)


def test_truncated_pskc_is_a_file_level_error() -> None:
    data = pskc_file([pskc_key("1"), pskc_key("2")])
    with pytest.raises(UnreadableFile, match="not well-formed XML"):
        parse_all(data[: len(data) // 2])


def test_doctype_and_entities_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE k [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc" Version="1.0">&b;</KeyContainer>'
    )
    with pytest.raises(UnsupportedFile, match="DOCTYPE"):
        parse_all(bomb)


@pytest.mark.parametrize(
    "data",
    [
        b'<KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc" Version="9.9"/>',
        b'<Other xmlns="urn:ietf:params:xml:ns:keyprov:pskc"><KeyContainer/></Other>',
    ],
)
def test_xml_in_the_pskc_namespace_that_is_not_a_container(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="not a PSKC key container we can read"):
        parse_all(data)


def test_empty_container_has_no_rows() -> None:
    assert parse_all(pskc_file([]))[1] == []


def test_rfc6030_style_document_with_plain_base64_secret() -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <DeviceInfo><Manufacturer>Manufacturer</Manufacturer><SerialNo>987654321</SerialNo></DeviceInfo>
    <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <TimeInterval><PlainValue>30</PlainValue></TimeInterval>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>"""
    rows = accepted(parse_all(data, default_model="Unknown model")[1])
    assert rows == [SeedRow(1, "987654321", RFC4226_BASE32, 30, "hmacsha1", "Manufacturer", "Unknown model")]
