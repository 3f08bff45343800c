from __future__ import annotations

import json

import pytest

from portal.imports.parsing import SeedRow, UnreadableFile
from portal.imports.parsing.formats.graph_json import MAX_ITEM_CHARS
from tests.imports.filemakers import (
    GRAPH_EXAMPLE_SECRET,
    RFC4226_BASE32,
    RFC4226_HEX,
    graph_json,
    graph_token,
    module_json,
)
from tests.imports.readback import accepted, parse_all, reasons


def test_json_array_with_graph_names() -> None:
    tokens = [
        graph_token("0001", displayName="Front desk", hashFunction="hmacsha256", timeIntervalInSeconds="60"),
        graph_token("0002", assignTo={"id": "Dave@Contoso.com"}),
    ]
    format_id, verdicts = parse_all(graph_json(tokens))
    assert format_id == "graph-json"
    assert verdicts == [
        SeedRow(1, "0001", GRAPH_EXAMPLE_SECRET, 60, "hmacsha256", "Contoso", "OTP-6", "Front desk", None),
        SeedRow(2, "0002", GRAPH_EXAMPLE_SECRET, 30, "hmacsha1", "Contoso", "OTP-6", None, "dave@contoso.com"),
    ]


def test_field_names_are_case_insensitive_and_defaults_apply() -> None:
    item = {"SerialNumber": "1", "SecretKey": GRAPH_EXAMPLE_SECRET, "Manufacturer": "C", "Model": "M"}
    row = accepted(parse_all(graph_json([item]))[1])[0]
    assert (row.time_interval, row.hash_function) == (30, "hmacsha1")


def test_secret_format_hint_hex_and_text() -> None:
    tokens = [
        graph_token("1", RFC4226_HEX, secretFormat="hex"),
        graph_token("2", "12345678901234567890", secretFormat="text"),
        graph_token("3", RFC4226_HEX),
        graph_token("4", RFC4226_HEX, secretFormat="rot13"),
    ]
    verdicts = parse_all(graph_json(tokens))[1]
    assert [r.secret_key for r in accepted(verdicts)] == [RFC4226_BASE32, RFC4226_BASE32]
    found = reasons(verdicts)
    assert "set secretFormat to hex" in found[3]
    assert found[4] == "secretFormat must be base32, hex or text"


def test_community_module_shape_with_assignments() -> None:
    inventory = [graph_token("A1"), graph_token("A2"), graph_token("A3", assignTo={"id": "own@contoso.com"})]
    assignments = [
        {"serialNumber": "a1", "userPrincipalName": "Erin@Contoso.com"},
        {"serial": "A3", "upn": "other@contoso.com"},
        {"tokenId": "guid-only", "userId": "x@contoso.com"},
    ]
    rows = accepted(parse_all(module_json(inventory, assignments))[1])
    assert [(r.serial_number, r.assignee_upn) for r in rows] == [
        ("A1", "erin@contoso.com"),
        ("A2", None),
        ("A3", "own@contoso.com"),
    ]


def test_graph_bulk_body_shape() -> None:
    body = {"@context": "#$delta", "value": [{"@contentId": "1", **graph_token("B1")}]}
    rows = accepted(parse_all(json.dumps(body).encode())[1])
    assert rows[0].serial_number == "B1"


def test_items_that_are_not_token_objects() -> None:
    data = json.dumps([graph_token("1"), "text", 5, None, {"serialNumber": 12345, "secretKey": 123}]).encode()
    found = reasons(parse_all(data)[1])
    assert found[2] == found[3] == found[4] == "item is not a JSON object with token fields"
    assert found[5] == "secretKey is a number; write the secret as text in quotes"


def test_numeric_serial_is_kept_as_text() -> None:
    rows = accepted(parse_all(graph_json([graph_token(12345)]))[1])  # type: ignore[arg-type]
    assert rows[0].serial_number == "12345"


def test_long_array_streams_across_chunk_boundaries() -> None:
    # Vary the item size so items (and bare numbers) straddle the reader's 64 KB chunks.
    tokens = [graph_token(f"{n:06}", displayName="x" * (n % 97), timeIntervalInSeconds=30) for n in range(3000)]
    data = json.dumps(tokens, separators=(",", ":")).encode()
    assert len(data) > 5 * 64 * 1024
    verdicts = parse_all(data)[1]
    assert len(accepted(verdicts)) == 3000
    assert [v.row_number for v in verdicts] == list(range(1, 3001))


@pytest.mark.parametrize(
    "data",
    [
        b'[{"serialNumber": "1"}',
        b'[{"serialNumber": "1"},',
        b'[{"serialNumber": "1"} {"serialNumber": "2"}]',
        b'[{"serialNumber": "1"}] trailing',
        b"[" + b"[" * 100_000,
        b'{"inventory": [',
        b'{"tokens": []}',
        b'{"inventory": {"serialNumber": "1"}}',
    ],
)
def test_broken_json_is_a_file_level_error(data: bytes) -> None:
    with pytest.raises(UnreadableFile):
        parse_all(data)


def test_truncated_array_yields_the_complete_items_first() -> None:
    from io import BytesIO

    from portal.imports.parsing import parse_seed_file

    data = graph_json([graph_token("1"), graph_token("2")])[:-40]
    rows = parse_seed_file(BytesIO(data)).rows()
    assert next(rows).serial_number == "1"
    with pytest.raises(UnreadableFile, match="at item 2"):
        next(rows)


def test_an_oversized_item_is_refused() -> None:
    data = graph_json([graph_token("1", displayName="x" * (MAX_ITEM_CHARS + 10))], indent=None)
    with pytest.raises(UnreadableFile, match="larger than 64 KB"):
        parse_all(data)


def test_empty_list() -> None:
    assert parse_all(b"  [ ]  ")[1] == []
