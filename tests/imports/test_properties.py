"""Properties over generated input: the parsers never fail except with their documented
file-level error, and a well-formed file gives exactly one verdict per record."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

from hypothesis import given
from hypothesis import strategies as st

from portal.core.seed_secrets import hex_to_base32, normalise_base32
from portal.imports.parsing import (
    RejectedRow,
    SeedFileError,
    SeedRow,
    parse_assignment_file,
    parse_seed_file,
)
from tests.imports.filemakers import LEGACY_HEADER

BASE32_OUT = re.compile(r"^[A-Z2-7]{16,128}$")
DEVICE = {"default_manufacturer": "M", "default_model": "X"}


def _drain_seed_file(data: bytes) -> list[SeedRow | RejectedRow] | None:
    try:
        return list(parse_seed_file(io.BytesIO(data), pskc_password="pw", max_rows=500, **DEVICE).rows())
    except SeedFileError as error:
        assert str(error)  # noqa: PT017 (the property: any failure is this one, with a message)
        return None


def _check_verdict(verdict: SeedRow | RejectedRow) -> None:
    if isinstance(verdict, SeedRow):
        assert BASE32_OUT.match(verdict.secret_key)
        assert verdict.time_interval in (30, 60)
        assert verdict.hash_function in ("hmacsha1", "hmacsha256")
        assert verdict.serial_number.strip() == verdict.serial_number != ""
    else:
        assert verdict.reason


@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_escape_as_anything_but_a_file_error(data: bytes) -> None:
    for verdict in _drain_seed_file(data) or []:
        _check_verdict(verdict)


PREFIXES = [
    b"upn,serial number,secret key,time interval,manufacturer,model\r\n",
    b"serialNumber,secretKey,timeIntervalInSeconds,manufacturer,model,hashFunction\r\n",
    b"# version: 2\n",
    b"SN1, 3132333435363738393031323334353637383930, totp, 6, 30\n",
    b"[",
    b'{"inventory": [',
    b'<?xml version="1.0"?><KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc" Version="1.0">',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
]


@given(st.sampled_from(PREFIXES), st.binary(max_size=2000))
def test_a_known_opening_followed_by_junk_never_escapes(prefix: bytes, junk: bytes) -> None:
    for verdict in _drain_seed_file(prefix + junk) or []:
        _check_verdict(verdict)


@given(st.binary(max_size=2000))
def test_assignment_parser_on_arbitrary_bytes(data: bytes) -> None:
    try:
        for verdict in parse_assignment_file(io.BytesIO(b"upn,serial\r\n" + data), max_rows=500):
            assert verdict.row_number >= 2
    except SeedFileError:
        pass


# Plausible cells: real values, near misses, and text that stresses CSV quoting.
# Any printable text (and tabs/newlines) — what a spreadsheet cell can hold.
awkward_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], whitelist_characters="\t\n\r"), max_size=20
)
serials = st.one_of(st.from_regex(r"\A[0-9A-Z-]{1,12}\Z"), awkward_text.filter(lambda s: s.strip() != ""))
secrets_ = st.one_of(
    st.binary(min_size=8, max_size=90).map(lambda b: base64.b32encode(b).decode()),
    st.binary(min_size=8, max_size=40).map(lambda b: base64.b32encode(b).decode().lower().rstrip("=")),
    st.sampled_from(["1234567890abcdef1234567890abcdef", "JBSWY3DPEHPK3PXP", ""]),
    awkward_text,
)
intervals = st.one_of(st.sampled_from(["30", "60", "30.0", "45", "", "sixty"]), awkward_text)
upns = st.one_of(st.sampled_from(["a@contoso.com", "", "bob", "x#EXT#@c.com"]), awkward_text)
plain = st.one_of(st.sampled_from(["Contoso", "Acme, Inc.", 'Q "T" 6', "line\nbreak"]), awkward_text)


@given(st.lists(st.tuples(upns, serials, secrets_, intervals, plain, plain), max_size=25), st.booleans())
def test_well_formed_entra_csv_gives_one_verdict_per_record(
    records: list[tuple[str, str, str, str, str, str]], crlf: bool
) -> None:
    out = io.StringIO()
    # The csv writer only quotes line breaks that occur in its own terminator: with bare "\n"
    # lines, quote everything so a "\r" inside a value stays inside it (as Excel would).
    style = {"lineterminator": "\r\n"} if crlf else {"lineterminator": "\n", "quoting": csv.QUOTE_ALL}
    csv.writer(out, **style).writerows([LEGACY_HEADER, *records])  # type: ignore[arg-type]
    verdicts = list(parse_seed_file(io.BytesIO(out.getvalue().encode()), **DEVICE).rows())
    assert len(verdicts) == len(records)
    numbers = [v.row_number for v in verdicts]
    assert numbers == sorted(numbers)
    assert all(n >= 2 for n in numbers)
    for verdict, record in zip(verdicts, records, strict=True):
        _check_verdict(verdict)
        if isinstance(verdict, SeedRow):
            assert verdict.serial_number == record[1].strip()


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), awkward_text)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(awkward_text, inner, max_size=3),
    max_leaves=6,
)
token_like = st.fixed_dictionaries(
    {},
    optional={
        "serialNumber": st.one_of(serials, st.integers()),
        "secretKey": st.one_of(secrets_, json_values),
        "timeIntervalInSeconds": st.one_of(intervals, st.integers(), st.floats(allow_nan=False)),
        "hashFunction": st.one_of(st.sampled_from(["hmacsha1", "SHA-256", "sha512"]), json_values),
        "secretFormat": st.sampled_from(["base32", "hex", "text", "other"]),
        "assignTo": st.one_of(st.fixed_dictionaries({"id": upns}), json_values),
        "manufacturer": plain,
        "model": plain,
    },
)


@given(st.lists(st.one_of(token_like, json_values), max_size=20))
def test_json_list_gives_one_verdict_per_item(items: list[object]) -> None:
    data = json.dumps(items).encode()
    verdicts = list(parse_seed_file(io.BytesIO(data), **DEVICE).rows())
    assert [v.row_number for v in verdicts] == list(range(1, len(items) + 1))
    for verdict in verdicts:
        _check_verdict(verdict)


@given(st.binary(min_size=10, max_size=80))
def test_hex_and_base32_spellings_of_one_seed_agree(seed: bytes) -> None:
    expected = base64.b32encode(seed).decode().rstrip("=")
    assert hex_to_base32(seed.hex()) == expected
    assert hex_to_base32(seed.hex().upper()) == expected
    padded = base64.b32encode(seed).decode()
    assert normalise_base32(padded.lower()) == expected
    assert normalise_base32(" ".join(padded[i : i + 4] for i in range(0, len(padded), 4))) == expected


def _valid_files() -> list[bytes]:
    from tests.imports import filemakers as make

    row = ["a@contoso.com", "0001", make.GRAPH_EXAMPLE_SECRET, "30", "Contoso", "OTP-6"]
    keys = [make.pskc_key("1"), make.pskc_key("2")]
    return [
        make.entra_csv([row, row]),
        make.entra_csv([row[1:]], with_upn=False, encoding="utf-16"),
        make.graph_json([make.graph_token("1"), make.graph_token("2", make.RFC4226_HEX, secretFormat="hex")]),
        make.module_json([make.graph_token("1")], [{"serialNumber": "1", "upn": "a@contoso.com"}]),
        make.oath_csv([["u@contoso.com", "r", "realm", "A", make.RFC4226_HEX, "totp", "6", "30"]], version2=True),
        make.pskc_file(keys),
        make.pskc_file(keys, password="pw"),
        make.pskc_file(keys, preshared_key=bytes(16)),
    ]


VALID_FILES = _valid_files()
edits = st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 2), st.binary(min_size=1, max_size=4)),
    min_size=1,
    max_size=4,
)


@given(st.sampled_from(VALID_FILES), edits, st.sampled_from([None, "00" * 16]))
def test_damaged_valid_files_never_escape(
    data: bytes, changes: list[tuple[float, int, bytes]], key: str | None
) -> None:
    damaged = bytearray(data)
    for where, kind, payload in changes:
        at = int(where * len(damaged))
        if kind == 0:
            damaged[at : at + len(payload)] = payload
        elif kind == 1:
            del damaged[at : at + 4 * len(payload)]
        else:
            damaged[at:at] = payload
    try:
        parsed = parse_seed_file(io.BytesIO(bytes(damaged)), pskc_password="pw", pskc_key_hex=key, **DEVICE)
        for verdict in parsed.rows():
            _check_verdict(verdict)
    except SeedFileError as error:
        assert str(error)  # noqa: PT017 (the property: any failure is this one, with a message)
