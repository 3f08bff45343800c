"""Rules across rows (duplicates, the row cap) and the promise that no reason leaks a secret."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable

import pytest

from portal.imports.parsing import RejectedRow, SeedFileError, TooManyRows, parse_seed_file
from tests.imports.filemakers import (
    GRAPH_EXAMPLE_SECRET,
    RFC4226_HEX,
    entra_csv,
    graph_json,
    graph_token,
    oath_csv,
    pskc_file,
    pskc_key,
)
from tests.imports.readback import accepted, parse_all, reasons, rejected

DEVICE = {"default_manufacturer": "Token2", "default_model": "C202"}


def test_duplicate_serials_point_at_the_first_occurrence() -> None:
    rows = [[f"{s}", GRAPH_EXAMPLE_SECRET, "30", "C", "M"] for s in ("001", "002", "001", "ab9", "AB9", "001")]
    verdicts = parse_all(entra_csv(rows, with_upn=False))[1]
    assert [v.serial_number for v in accepted(verdicts)] == ["001", "002", "ab9"]
    assert reasons(verdicts) == {
        4: "duplicate serial in this file (first seen on row 2)",
        6: "duplicate serial in this file (first seen on row 5)",
        7: "duplicate serial in this file (first seen on row 2)",
    }


def test_serials_that_differ_only_by_leading_zeros_are_different_tokens() -> None:
    rows = [["0123", GRAPH_EXAMPLE_SECRET, "30", "C", "M"], ["123", GRAPH_EXAMPLE_SECRET, "30", "C", "M"]]
    assert len(accepted(parse_all(entra_csv(rows, with_upn=False))[1])) == 2


def test_duplicates_in_json_and_pskc() -> None:
    json_verdicts = parse_all(graph_json([graph_token("X"), graph_token("X")]))[1]
    assert reasons(json_verdicts) == {2: "duplicate serial in this file (first seen on row 1)"}
    pskc_verdicts = parse_all(pskc_file([pskc_key("X"), pskc_key("X")]))[1]
    assert reasons(pskc_verdicts) == {2: "duplicate serial in this file (first seen on row 1)"}


@pytest.mark.parametrize(
    "make",
    [
        lambda n: entra_csv([[f"{i}", GRAPH_EXAMPLE_SECRET, "30", "C", "M"] for i in range(n)], with_upn=False),
        lambda n: graph_json([graph_token(str(i)) for i in range(n)]),
        lambda n: oath_csv([[str(i), RFC4226_HEX, "totp"] for i in range(n)]),
        lambda n: pskc_file([pskc_key(str(i)) for i in range(n)]),
    ],
    ids=["csv", "json", "oath", "pskc"],
)
def test_max_rows_stops_with_a_file_level_error(make: Callable[[int], bytes]) -> None:
    rows = parse_seed_file(io.BytesIO(make(11)), max_rows=10, **DEVICE).rows()
    seen = list(itertools.islice(rows, 10))
    with pytest.raises(TooManyRows, match="more than 10 rows"):
        next(rows)
    assert len(seen) == 10
    assert len(list(parse_seed_file(io.BytesIO(make(10)), max_rows=10, **DEVICE).rows())) == 10


# Canaries: secrets (some valid, some not) whose two-character runs never occur in our wording, so
# "no run of two characters of the secret appears in the reason" is a meaningful check.
BASE32_CANARIES = [
    "QXJZQXJZQXJZQXJZQXJZQXJZQXJZQXJZ",  # valid Base32, row refused for another reason
    "QXJZ1QXJZQXJZQXJZ",  # invalid character
    "QXJZQXJZQXJ",  # too short
    "QXJZ" * 40,  # too long
    "QXJZQXJZQXJZQXJZQ",  # impossible length
]
HEX_CANARIES = ["FACEDFACEDFACEDFACEDFACED", "FACEDFACEDFACEDFACEDFACEDFACEDFACEDFACEDG", "FACED"]


def _runs(secret: str) -> set[str]:
    return {secret[i : i + 2] for i in range(len(secret) - 1)}


def _assert_no_leak(messages: list[str], secrets: list[str]) -> None:
    for message in messages:
        for secret in secrets:
            for run in _runs(secret):
                assert run not in message, (run, message)


def test_canary_secrets_never_appear_in_reasons() -> None:
    csv_rows = [[f"s{i}", canary, "45", "Contoso", "OTP-6"] for i, canary in enumerate(BASE32_CANARIES)]
    json_items = [graph_token(f"j{i}", canary, hashFunction="sha512") for i, canary in enumerate(BASE32_CANARIES)]
    json_items += [graph_token(f"h{i}", canary, secretFormat="hex") for i, canary in enumerate(HEX_CANARIES)]
    oath_rows = [[f"o{i}", canary, "totp", "8"] for i, canary in enumerate(HEX_CANARIES)]
    oath_rows += [[f"p{i}", canary, "hotp"] for i, canary in enumerate(HEX_CANARIES)]
    files = [
        entra_csv(csv_rows, with_upn=False),
        graph_json(json_items),
        oath_csv(oath_rows),
        pskc_file([pskc_key(f"k{i}", canary.encode(), response_length=8) for i, canary in enumerate(BASE32_CANARIES)]),
    ]
    messages: list[str] = []
    for data in files:
        verdicts = parse_all(data)[1]
        assert len(rejected(verdicts)) == len(verdicts)
        messages += [v.reason for v in verdicts if isinstance(v, RejectedRow)]
        messages += [v.serial_number or "" for v in verdicts]
    assert len(messages) > 20
    _assert_no_leak(messages, BASE32_CANARIES + HEX_CANARIES)


def test_canary_secrets_never_appear_in_file_level_errors() -> None:
    canary = BASE32_CANARIES[0]
    broken = [
        graph_json([graph_token("1", canary), graph_token("2", canary)])[:-30],
        b'[{"secretKey": "' + canary.encode() + b'"} {"x": 1}]',
        pskc_file([pskc_key("1", canary.encode())])[:-50],
        b'serialNumber,secretKey\r\n1,"' + canary.encode() + b"\r\n",
    ]
    messages = []
    for data in broken:
        with pytest.raises(SeedFileError) as caught:
            parse_all(data)
        messages.append(str(caught.value))
    _assert_no_leak(messages, [canary])
