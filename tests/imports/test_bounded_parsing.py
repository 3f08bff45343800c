"""Files made to exhaust memory are refused with a sentence, and parsing stays small whatever the
file holds (issue 11: an 8 MB PSKC of empty elements cost +490 MB and was accepted)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from portal.imports.parsing import SeedFileError, TooManyRows, UnreadableFile, parse_seed_file
from tests.imports.filemakers import graph_token, module_json, pskc_file, pskc_key
from tests.imports.readback import parse_all

PSKC_OPEN = b'<?xml version="1.0"?><KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">'
PSKC_CLOSE = b"</KeyContainer>"
UPLOAD_CAP = 10 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


def test_a_pskc_file_of_empty_key_packages_is_refused_by_the_row_cap() -> None:
    data = PSKC_OPEN + b"<KeyPackage/>" * 100 + PSKC_CLOSE
    with pytest.raises(TooManyRows, match="more than 10 entries"):
        parse_all(data, max_rows=10)


def test_a_key_package_holding_thousands_of_elements_is_refused() -> None:
    data = PSKC_OPEN + b"<KeyPackage>" + b"<a/>" * 2000 + b"</KeyPackage>" + PSKC_CLOSE
    with pytest.raises(UnreadableFile, match="holds more than 1,000 elements"):
        parse_all(data)


def test_deeply_nested_pskc_is_refused() -> None:
    data = PSKC_OPEN + b"<a>" * 30 + b"</a>" * 30 + PSKC_CLOSE
    with pytest.raises(UnreadableFile, match="nested more than 24 levels deep"):
        parse_all(data)


def test_a_pskc_tag_with_a_quarter_megabyte_of_attributes_is_refused() -> None:
    attributes = b"".join(b' a%d=""' % n for n in range(40_000))
    data = PSKC_OPEN + b"<KeyPackage" + attributes + b"/>" + PSKC_CLOSE
    with pytest.raises(UnreadableFile, match="tag longer than 256 KB"):
        parse_all(data)


def test_streamed_pskc_still_reads_every_key_in_order() -> None:
    data = pskc_file([pskc_key(f"{n:04}") for n in range(300)])
    serials = [row.serial_number for row in parse_all(data, default_manufacturer="C", default_model="M")[1]]
    assert serials == [f"{n:04}" for n in range(300)]


def test_a_json_inventory_past_the_row_cap_is_refused_before_any_row() -> None:
    data = b'{"inventory": [' + b",".join([b"[]"] * 20) + b"]}"
    with pytest.raises(TooManyRows, match="more than 10 rows"):
        parse_seed_file(io.BytesIO(data), max_rows=10)


def test_json_assignments_past_the_row_cap_are_refused() -> None:
    data = module_json([graph_token("1")], [{}] * 20)
    with pytest.raises(TooManyRows, match="more than 10 assignments"):
        parse_all(data, max_rows=10)


def test_a_json_object_with_two_token_lists_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="more than one list of tokens"):
        parse_all(b'{"inventory": [], "value": []}')


def test_a_csv_line_longer_than_a_quarter_megabyte_is_refused() -> None:
    data = b"serialNumber,secretKey\r\n" + b"," * (300 * 1024) + b"\r\n"
    with pytest.raises(UnreadableFile, match="Line 2 of the CSV is longer than 256 KB"):
        parse_all(data)


def _fill(opening: bytes, unit: bytes, closing: bytes) -> bytes:
    return opening + unit * ((UPLOAD_CAP - len(opening) - len(closing)) // len(unit)) + closing


@pytest.mark.parametrize(
    "data",
    [
        _fill(PSKC_OPEN + b"<KeyPackage>", b"<a/>", b"</KeyPackage>" + PSKC_CLOSE),
        _fill(PSKC_OPEN, b"<a>", PSKC_CLOSE),
        _fill(b"[[[]", b",[]", b"]]"),
        _fill(b"serialNumber,secretKey\r\n", b",", b"\r\n"),
    ],
    ids=["pskc-elements", "pskc-nesting", "json-item", "csv-line"],
)
def test_memory_stays_under_50_mb_for_files_made_to_exhaust_it(data: bytes, tmp_path: Path) -> None:
    """Measured as the real peak resident set of a fresh process (bench/parse_memory.py --child)."""
    path = tmp_path / "evil"
    path.write_bytes(data)
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "parse_memory.py"), "--child", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    peak_bytes, _seconds, outcome = out.strip().split(" ", 2)
    assert outcome.startswith("refused")
    assert int(peak_bytes) < 50 * 1024 * 1024


def test_every_refusal_is_a_seed_file_error_with_a_sentence() -> None:
    with pytest.raises(SeedFileError) as caught:
        parse_all(PSKC_OPEN + b"<a>" * 30)
    assert caught.value.message.endswith(".")
