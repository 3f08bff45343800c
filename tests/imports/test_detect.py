from __future__ import annotations

import io

import pytest

from portal.imports.parsing import UnsupportedFile, parse_seed_file
from tests.imports.filemakers import (
    LEGACY_HEADER,
    csv_bytes,
    entra_csv,
    graph_csv,
    graph_json,
    graph_token,
    module_json,
    oath_csv,
    pskc_file,
    pskc_key,
)

ROW = ["alice@contoso.com", "0001", "JBSWY3DPEHPK3PXP", "30", "Contoso", "OTP-6"]


def detected(data: bytes) -> str:
    return parse_seed_file(io.BytesIO(data)).format.id


@pytest.mark.parametrize(
    ("data", "format_id"),
    [
        (entra_csv([ROW]), "entra-csv"),
        (entra_csv([ROW[1:]], with_upn=False), "entra-csv-no-upn"),
        (
            graph_csv(["serialNumber", "secretKey", "timeIntervalInSeconds", "manufacturer", "model"], []),
            "graph-csv",
        ),
        (graph_json([graph_token("1")]), "graph-json"),
        (module_json([graph_token("1")]), "graph-json"),
        (pskc_file([pskc_key("1")]), "pskc"),
        (oath_csv([["SN1", "3132333435363738393031323334353637383930", "totp", "6", "30"]]), "oath-csv"),
        (
            oath_csv([["u", "r", "realm", "SN1", "31323334353637383930", "totp"]], version2=True),
            "oath-csv-v2",
        ),
    ],
)
def test_each_format_is_recognised(data: bytes, format_id: str) -> None:
    assert detected(data) == format_id


@pytest.mark.parametrize(
    "header",
    [
        "UPN,Serial Number,Secret Key,Time Interval,Manufacturer,Model",
        " upn , serial  number ,secret key,time interval,manufacturer,model",
        "upn,serial number,secret key,time interval,manufacturer,model,,",
    ],
)
def test_legacy_header_is_case_and_space_tolerant(header: str) -> None:
    assert detected(header.encode() + b"\r\n") == "entra-csv"


def test_legacy_columns_in_another_order_are_read_by_name() -> None:
    shuffled = ["serial number", "upn", "model", "manufacturer", "secret key", "time interval"]
    assert detected(csv_bytes([shuffled])) == "graph-csv"


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + entra_csv([ROW]),
        ",".join(LEGACY_HEADER).encode("utf-16") + b"",
        ("\r\n\r\n  \r\n" + ",".join(LEGACY_HEADER) + "\r\n").encode(),
        ",".join(LEGACY_HEADER).encode() + b"\n",
    ],
    ids=["utf8-bom", "utf16-bom", "leading-blank-lines", "lf-only"],
)
def test_encodings_and_line_endings(data: bytes) -> None:
    assert detected(data) == "entra-csv"


def test_semicolon_and_tab_separated_graph_csv() -> None:
    assert detected(b"serialNumber;secretKey;manufacturer;model\r\n") == "graph-csv"
    assert detected(b"serialNumber\tsecretKey\r\n") == "graph-csv"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty"),
        (b"\r\n  \n", "The file is empty"),
        (b"\xef\xbb\xbf", "The file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel workbook"),
        (b"%PDF-1.7\n", "PDF"),
        (bytes(range(256)), "binary file"),
        (b"\x00\x01\x02serial", "binary file"),
        (b"name,colour\r\nwidget,blue\r\n", "not a header we know"),
        (b"<html><body>hi</body></html>", "not a PSKC key container"),
        (b"upn,serial\r\nalice@contoso.com,1\r\n", "assignment list"),
        (b"serialNumber,secretKey,serial\r\n", "twice"),
    ],
)
def test_unsupported_files_say_what_we_expected(data: bytes, expected: str) -> None:
    with pytest.raises(UnsupportedFile) as caught:
        parse_seed_file(io.BytesIO(data))
    assert expected in str(caught.value)


def test_the_expectation_lists_the_formats() -> None:
    with pytest.raises(UnsupportedFile) as caught:
        parse_seed_file(io.BytesIO(b"hello world\n"))
    message = str(caught.value)
    for name in ("Entra OATH CSV", "Graph field names", "JSON", "PSKC", "privacyIDEA"):
        assert name in message
