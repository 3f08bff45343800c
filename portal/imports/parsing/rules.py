"""Entra's rules applied to one record: a `RawToken` in, exactly one verdict out.

All formats funnel through `judge_token`, so a rule is written once and every format reports it in
the same words. Every problem found in a record is reported together (portal.core.wording's
`problems_text` joins them the way the reader's language does), so the
administrator can fix a row in one go — except an unsupported token type, which makes the other
checks meaningless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_lazy

from portal.core.seed_secrets import (
    SecretProblem,
    hash_for_seed_length,
    looks_like_hex,
    secret_to_base32,
)
from portal.core.wording import problems_text
from portal.imports.parsing.fields import (
    FieldProblem,
    check_digits,
    check_token_type,
    clean_text,
    looks_like_upn,
    normalise_hash,
    normalise_interval,
    normalise_serial,
    normalise_upn,
)
from portal.imports.parsing.rows import HashFunction, RawToken, RejectedRow, SeedRow, SeedVerdict

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Text
else:
    Text = str


HEX_HINT = gettext_lazy("it looks like a hex seed: convert it to Base32")


@dataclass(frozen=True, slots=True)
class FormatRules:
    """How a format fills the gaps its files leave."""

    #: Seconds to assume when the record gives no interval; `None` means the format requires one.
    default_interval: int | None = 30
    #: Headerless OATH files say nothing about the hash: a 32-byte seed means SHA-256.
    infer_hash_from_seed_length: bool = False
    #: False where the "user" may be a plain login name (privacyIDEA, PSKC UserId): such values are
    #: not an assignment we can make, so they are dropped instead of failing the row.
    assignee_must_be_upn: bool = True
    #: Extra advice when a Base32 secret fails but looks like hex.
    hex_hint: Text = HEX_HINT


@dataclass(frozen=True, slots=True)
class DeviceDefaults:
    """Manufacturer and model to use for files that do not name them (OATH CSV, some PSKC)."""

    manufacturer: str | None = None
    model: str | None = None


def judge_token(raw: RawToken, rules: FormatRules, defaults: DeviceDefaults) -> SeedVerdict:
    """Apply every rule to one record and return a `SeedRow` or a `RejectedRow`."""
    serial: str | None = None
    problems: list[str] = []
    try:
        serial = normalise_serial(raw.serial)
    except FieldProblem as problem:
        problems.append(problem.reason)
        serial = clean_text(raw.serial)
    if raw.problem:
        return RejectedRow(raw.row_number, serial, raw.problem)
    try:
        check_token_type(raw.token_type)
    except FieldProblem as problem:
        return RejectedRow(raw.row_number, serial, problem.reason)

    interval = None
    hash_function: HashFunction | None = None
    secret_key = None
    seed_bytes = 0
    try:
        check_digits(raw.digits)
    except FieldProblem as problem:
        problems.append(problem.reason)
    try:
        interval = normalise_interval(raw.time_interval, default=rules.default_interval)
    except FieldProblem as problem:
        problems.append(problem.reason)
    try:
        hash_function = normalise_hash(raw.hash_function)
    except FieldProblem as problem:
        problems.append(problem.reason)
        hash_function = "hmacsha1"  # placeholder; the row is rejected anyway

    if raw.secret is None or (isinstance(raw.secret, str) and not raw.secret.strip()):
        problems.append(gettext("missing secret"))
    else:
        try:
            secret_key, seed_bytes = secret_to_base32(raw.secret, raw.secret_encoding)
        except SecretProblem as problem:
            reason = problem.reason
            if raw.secret_encoding == "base32" and isinstance(raw.secret, str) and looks_like_hex(raw.secret):
                # Translators: a problem with a row's secret, then advice on it in brackets.
                reason = gettext("%(problem)s (%(hint)s)") % {"problem": reason, "hint": rules.hex_hint}
            problems.append(reason)
    if hash_function is None:
        hash_function = (
            hash_for_seed_length(seed_bytes) if rules.infer_hash_from_seed_length and seed_bytes else "hmacsha1"
        )

    manufacturer = clean_text(raw.manufacturer) or defaults.manufacturer
    model = clean_text(raw.model) or defaults.model
    if not manufacturer and not model:
        problems.append(
            gettext("missing manufacturer and model (give defaults for this import if the file names none)")
        )
    elif not manufacturer:
        problems.append(gettext("missing manufacturer (give a default for this import if the file names none)"))
    elif not model:
        problems.append(gettext("missing model (give a default for this import if the file names none)"))

    assignee: str | None = None
    candidate = clean_text(raw.assignee)
    if candidate is not None and (rules.assignee_must_be_upn or looks_like_upn(candidate)):
        try:
            assignee = normalise_upn(candidate)
        except FieldProblem as problem:
            problems.append(problem.reason)

    if problems or serial is None or interval is None or secret_key is None:
        return RejectedRow(raw.row_number, serial, problems_text(problems))
    # A missing manufacturer or model was reported above.
    assert manufacturer is not None
    assert model is not None
    return SeedRow(
        row_number=raw.row_number,
        serial_number=serial,
        secret_key=secret_key,
        time_interval=interval,
        hash_function=hash_function,
        manufacturer=manufacturer,
        model=model,
        display_name=clean_text(raw.display_name),
        assignee_upn=assignee,
    )
