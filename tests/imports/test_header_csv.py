from __future__ import annotations

import io

from portal.imports.parsing import SeedRow, parse_seed_file
from tests.imports.filemakers import (
    ENTRA_EXAMPLE_SECRET,
    GRAPH_EXAMPLE_SECRET,
    RFC4226_BASE32,
    RFC4226_HEX,
    OneWayStream,
    csv_bytes,
    entra_csv,
    graph_csv,
)
from tests.imports.readback import accepted, parse_all, reasons


def test_entra_csv_with_upn_becomes_graph_fields() -> None:
    data = entra_csv(
        [
            ["Alice@Contoso.com", "000123", "jbsw y3dp ehpk 3pxp", "30", "Contoso", "OTP-6"],
            ["bob@contoso.com", "000124", RFC4226_BASE32, "60", "Contoso", "OTP-6"],
        ]
    )
    format_id, verdicts = parse_all(data)
    assert format_id == "entra-csv"
    assert verdicts == [
        SeedRow(2, "000123", GRAPH_EXAMPLE_SECRET, 30, "hmacsha1", "Contoso", "OTP-6", None, "alice@contoso.com"),
        SeedRow(3, "000124", RFC4226_BASE32, 60, "hmacsha1", "Contoso", "OTP-6", None, "bob@contoso.com"),
    ]


def test_entra_csv_without_upn_leaves_tokens_unassigned() -> None:
    format_id, verdicts = parse_all(
        entra_csv([["000123", GRAPH_EXAMPLE_SECRET, "30", "Contoso", "OTP-6"]], with_upn=False)
    )
    assert format_id == "entra-csv-no-upn"
    assert accepted(verdicts)[0].assignee_upn is None
    assert accepted(verdicts)[0].serial_number == "000123"


def test_entra_csv_requires_an_interval() -> None:
    _, verdicts = parse_all(entra_csv([["000123", GRAPH_EXAMPLE_SECRET, "", "Contoso", "OTP-6"]], with_upn=False))
    assert reasons(verdicts) == {2: "missing time interval (30 or 60 seconds)"}


def test_entra_csv_rejections_in_plain_words() -> None:
    data = entra_csv(
        [
            ["a@contoso.com", "1", ENTRA_EXAMPLE_SECRET, "30", "Contoso", "OTP-6"],
            ["b@contoso.com", "2", GRAPH_EXAMPLE_SECRET, "45", "Contoso", "OTP-6"],
            ["b@contoso.com", "", GRAPH_EXAMPLE_SECRET, "30", "Contoso", "OTP-6"],
            ["not-a-upn", "4", GRAPH_EXAMPLE_SECRET, "30", "Contoso", "OTP-6"],
            ["a@contoso.com", "5", RFC4226_HEX, "30", "Contoso", "OTP-6"],
            ["a@contoso.com", "1.23457E+11", GRAPH_EXAMPLE_SECRET, "30", "Contoso", "OTP-6"],
        ]
    )
    found = reasons(parse_all(data)[1])
    assert found[2].startswith("secret is not valid Base32 (character '1' at position 1")
    assert found[3] == "interval 45 s is not supported — Entra accepts 30 or 60"
    assert found[4] == "missing serial number"
    assert found[5] == "assignee 'not-a-upn' is not a user principal name (name@domain)"
    assert "it looks like a hex seed" in found[6]
    assert "scientific notation" in found[7]


def test_several_problems_in_one_row_are_reported_together() -> None:
    data = entra_csv([["x", "1", "JBSWY3D1EHPK3PXP", "45", "", ""]])
    reason = reasons(parse_all(data)[1])[2]
    for part in (
        "interval 45 s",
        "character '1' at position 8",
        "missing manufacturer and model",
        "assignee 'x'",
    ):
        assert part in reason


def test_graph_csv_any_column_order_with_optional_columns() -> None:
    columns = ["upn", "model", "displayName", "hashFunction", "secretKey", "manufacturer", "serialNumber"]
    tokens = [
        {
            "serialNumber": "007",
            "secretKey": GRAPH_EXAMPLE_SECRET,
            "manufacturer": "Contoso",
            "model": "OTP-6",
            "hashFunction": "HMACSHA256",
            "displayName": "Reception, desk 2",
            "upn": "Carol@Contoso.com",
        }
    ]
    format_id, verdicts = parse_all(graph_csv(columns, tokens))
    assert format_id == "graph-csv"
    assert verdicts == [
        SeedRow(
            2,
            "007",
            GRAPH_EXAMPLE_SECRET,
            30,
            "hmacsha256",
            "Contoso",
            "OTP-6",
            "Reception, desk 2",
            "carol@contoso.com",
        )
    ]


def test_graph_csv_secret_format_column() -> None:
    columns = ["serialNumber", "secretKey", "secretFormat", "manufacturer", "model"]
    tokens = [
        {
            "serialNumber": "1",
            "secretKey": RFC4226_HEX,
            "secretFormat": "hex",
            "manufacturer": "C",
            "model": "M",
        },
        {
            "serialNumber": "2",
            "secretKey": "12345678901234567890",
            "secretFormat": "TEXT",
            "manufacturer": "C",
            "model": "M",
        },
        {
            "serialNumber": "3",
            "secretKey": RFC4226_HEX,
            "secretFormat": "base64",
            "manufacturer": "C",
            "model": "M",
        },
    ]
    verdicts = parse_all(graph_csv(columns, tokens))[1]
    assert [row.secret_key for row in accepted(verdicts)] == [RFC4226_BASE32, RFC4226_BASE32]
    assert reasons(verdicts) == {4: "secretFormat must be base32, hex or text"}


def test_quoted_fields_with_commas_quotes_and_newlines_keep_row_numbers() -> None:
    columns = ["serialNumber", "secretKey", "manufacturer", "model", "displayName"]
    tokens = [
        {
            "serialNumber": "1",
            "secretKey": GRAPH_EXAMPLE_SECRET,
            "manufacturer": 'Acme "Pro"',
            "model": "M, 2",
            "displayName": "two\nlines",
        },
        {"serialNumber": "2", "secretKey": GRAPH_EXAMPLE_SECRET, "manufacturer": "Acme", "model": "M"},
    ]
    verdicts = parse_all(graph_csv(columns, tokens, quote_all=True))[1]
    rows = accepted(verdicts)
    assert [row.row_number for row in rows] == [2, 4]
    assert rows[0].manufacturer == 'Acme "Pro"'
    assert rows[0].model == "M, 2"
    assert rows[0].display_name == "two\nlines"


def test_row_numbers_count_blank_lines_like_an_editor() -> None:
    data = (
        "\r\nserial number,secret key,time interval,manufacturer,model\r\n"
        f"1,{GRAPH_EXAMPLE_SECRET},30,C,M\r\n\r\n,,,,\r\n2,{GRAPH_EXAMPLE_SECRET},30,C,M\r\n"
    ).encode()
    verdicts = parse_all(data)[1]
    assert [v.row_number for v in verdicts] == [3, 6]


def test_windows_1252_and_utf16_files() -> None:
    row = ["0001", GRAPH_EXAMPLE_SECRET, "30", "Señor Tokens", "OTP-6"]
    for encoding in ("cp1252", "utf-16"):
        verdicts = parse_all(entra_csv([row], with_upn=False, encoding=encoding))[1]
        assert accepted(verdicts)[0].manufacturer == "Señor Tokens", encoding


def test_semicolon_separated_excel_export() -> None:
    data = csv_bytes(
        [
            ["serialNumber", "secretKey", "timeIntervalInSeconds", "manufacturer", "model"],
            ["0001", GRAPH_EXAMPLE_SECRET, "60", "Contoso", "OTP-6"],
        ],
        delimiter=";",
        bom=True,
    )
    assert accepted(parse_all(data)[1])[0].time_interval == 60


def test_a_shifted_row_is_refused_and_the_secret_in_the_wrong_column_is_not_echoed() -> None:
    # The vendor file has no upn column but the admin pasted UPNs in front of each row.
    header = ["serial number", "secret key", "time interval", "manufacturer", "model"]
    secret = "QXJZQXJZQXJZQXJZQXJZQXJZQXJZQXJZ"
    data = csv_bytes([header, ["a@contoso.com", "0001", secret, "30", "Contoso", "OTP-6"]])
    reason = reasons(parse_all(data)[1])[2]
    assert "more values (6) than the header has columns (5)" in reason
    assert "QX" not in reason


def test_time_interval_in_the_wrong_column_is_summarised_not_quoted() -> None:
    secret = "QXJZQXJZQXJZQXJZQXJZQXJZQXJZQXJZ"
    data = entra_csv([["0001", "JBSWY3DPEHPK3PXP", secret, "Contoso", "OTP-6"]], with_upn=False)
    reason = reasons(parse_all(data)[1])[2]
    assert reason == "time interval (a 32-character value) is not a whole number of seconds"


def test_a_stream_that_cannot_seek_is_read_the_same() -> None:
    data = entra_csv([["a@contoso.com", f"{n:04}", GRAPH_EXAMPLE_SECRET, "30", "C", "M"] for n in range(500)])
    parsed = parse_seed_file(OneWayStream(data))  # type: ignore[arg-type]
    rows = list(parsed.rows())
    assert len(accepted(rows)) == 500
    assert rows[-1].serial_number == "0499"


def test_manufacturer_and_model_defaults_fill_only_gaps() -> None:
    columns = ["serialNumber", "secretKey", "manufacturer", "model"]
    tokens = [
        {"serialNumber": "1", "secretKey": GRAPH_EXAMPLE_SECRET},
        {"serialNumber": "2", "secretKey": GRAPH_EXAMPLE_SECRET, "manufacturer": "Acme", "model": "X"},
    ]
    data = graph_csv(columns, tokens)
    without = parse_all(data)[1]
    assert reasons(without)[2].startswith("missing manufacturer and model")
    with_defaults = accepted(parse_all(data, default_manufacturer="Token2", default_model="C202")[1])
    assert [(r.manufacturer, r.model) for r in with_defaults] == [("Token2", "C202"), ("Acme", "X")]


def test_secret_is_never_in_the_repr() -> None:
    row = accepted(parse_all(entra_csv([["0001", GRAPH_EXAMPLE_SECRET, "30", "C", "M"]], with_upn=False))[1])[0]
    assert GRAPH_EXAMPLE_SECRET not in repr(row)
    assert row.secret_key == GRAPH_EXAMPLE_SECRET


def test_header_only_file_has_no_rows() -> None:
    parsed = parse_seed_file(io.BytesIO(entra_csv([])))
    assert list(parsed.rows()) == []
