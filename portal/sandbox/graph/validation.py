"""Checking device bodies of create (D2), bulk create (D3 items) and update (D5), reference §2.1/§3.

Strict like Graph's OData deserialiser: unknown and read-only properties are rejected, not ignored.
Tolerant where the docs show clients sending variants: `timeIntervalInSeconds` as a numeric string
(the bulk doc example), `hashFunction` in any case (an Entra example sent "HMACSHA1"), Base32
secrets in any case, with spaces or `=` padding. No message repeats the secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.sandbox import totp
from portal.sandbox.graph import errors

INTERVALS = (30, 60)
HASH_FUNCTIONS = ("hmacsha1", "hmacsha256")
MAX_TEXT = 255

CREATE_FIELDS = frozenset(
    {
        "displayName",
        "serialNumber",
        "manufacturer",
        "model",
        "secretKey",
        "timeIntervalInSeconds",
        "hashFunction",
        "assignTo",
    }
)
UPDATE_FIELDS = frozenset({"displayName", "manufacturer", "model", "timeIntervalInSeconds", "hashFunction"})
NOT_UPDATABLE = frozenset({"serialNumber", "secretKey"})
READ_ONLY = frozenset({"id", "status", "assignedTo", "lastUsedDateTime"})
# Annotations a client may send along (bulk items carry @contentId).
IGNORED = frozenset({"@odata.type", "@contentId", "@odata.id"})


@dataclass(frozen=True)
class NewDevice:
    serial_number: str
    manufacturer: str
    model: str
    secret_key: str
    time_interval: int
    hash_function: str
    display_name: str | None
    assign_to: str | None  # user id or UPN, resolved by the caller


def _invalid(message: str) -> errors.GraphError:
    return errors.INVALID_REQUEST(message)


def _check_properties(body: dict[str, Any], allowed: frozenset[str]) -> None:
    for key in body:
        if key in IGNORED or key in allowed:
            continue
        if key in READ_ONLY:
            raise _invalid(f"The property '{key}' is read-only and can't be set.")
        if key in NOT_UPDATABLE:
            raise _invalid(f"The property '{key}' can't be updated; delete the token and create it again.")
        raise _invalid(
            f"The property '{key}' does not exist on type "
            "'microsoft.graph.hardwareOathTokenAuthenticationMethodDevice'."
        )


def _text(body: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise _invalid(f"The property '{name}' is required.")
        return None
    if not isinstance(value, str):
        raise _invalid(f"The property '{name}' must be a string.")
    value = value.strip()
    if required and not value:
        raise _invalid(f"The property '{name}' is required.")
    if len(value) > MAX_TEXT:
        raise _invalid(f"The property '{name}' is longer than {MAX_TEXT} characters.")
    return value


def _interval(value: Any) -> int:
    # JSON numbers and numeric strings ("30" in the bulk doc example) both count; booleans don't.
    if isinstance(value, bool):
        raise _invalid("timeIntervalInSeconds must be 30 or 60.")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value not in INTERVALS:
        raise _invalid("timeIntervalInSeconds must be 30 or 60.")
    return value


def _hash_function(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in HASH_FUNCTIONS:
        raise _invalid("hashFunction must be 'hmacsha1' or 'hmacsha256'.")
    return value.strip().lower()


def _secret(value: Any) -> str:
    if value is None:
        raise _invalid("The property 'secretKey' is required.")
    try:
        return totp.normalise_base32(value)
    except ValueError as exc:
        # normalise_base32's messages never contain the secret; say what the rule is.
        raise _invalid(f"secretKey is not valid Base32 (letters A-Z and digits 2-7, at most 128): {exc}") from None


def _assign_to(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str) or not value["id"].strip():
        raise _invalid('assignTo must be an object with the id of a user: {"id": "<user id>"}.')
    return str(value["id"]).strip()


def parse_new_device(body: Any) -> NewDevice:
    if not isinstance(body, dict):
        raise _invalid("A hardware OATH token must be a JSON object.")
    _check_properties(body, CREATE_FIELDS)
    serial = _text(body, "serialNumber", required=True)
    manufacturer = _text(body, "manufacturer", required=True)
    model = _text(body, "model", required=True)
    assert serial is not None
    assert manufacturer is not None
    assert model is not None
    secret = _secret(body.get("secretKey"))
    if "timeIntervalInSeconds" not in body or body["timeIntervalInSeconds"] is None:
        raise _invalid("The property 'timeIntervalInSeconds' is required.")
    interval = _interval(body["timeIntervalInSeconds"])
    hash_function = _hash_function(body["hashFunction"]) if body.get("hashFunction") is not None else "hmacsha1"
    return NewDevice(
        serial_number=serial,
        manufacturer=manufacturer,
        model=model,
        secret_key=secret,
        time_interval=interval,
        hash_function=hash_function,
        display_name=_text(body, "displayName", required=False) or None,
        assign_to=_assign_to(body.get("assignTo")),
    )


def parse_device_update(body: dict[str, Any]) -> dict[str, Any]:
    """Model field → new value for the properties present in a D5 body."""
    _check_properties(body, UPDATE_FIELDS)
    changes: dict[str, Any] = {}
    if "displayName" in body:
        changes["display_name"] = _text(body, "displayName", required=False) or None
    if "manufacturer" in body:
        changes["manufacturer"] = _text(body, "manufacturer", required=True)
    if "model" in body:
        changes["model"] = _text(body, "model", required=True)
    if "timeIntervalInSeconds" in body:
        changes["time_interval"] = _interval(body["timeIntervalInSeconds"])
    if "hashFunction" in body:
        changes["hash_function"] = _hash_function(body["hashFunction"])
    return changes


def parse_verification_code(body: dict[str, Any]) -> str:
    """The `verificationCode` parameter: a string of six digits (an int would have lost leading 0s)."""
    code = body.get("verificationCode")
    if code is None:
        raise _invalid("The parameter 'verificationCode' is required.")
    if not isinstance(code, str):
        raise _invalid("The parameter 'verificationCode' must be a string.")
    code = code.strip()
    if len(code) != totp.DIGITS or not (code.isascii() and code.isdigit()):
        raise _invalid(f"The parameter 'verificationCode' must be {totp.DIGITS} digits.")
    return code


def parse_display_name(body: dict[str, Any]) -> str | None:
    return _text(body, "displayName", required=False) or None


def reject_unknown_parameters(body: dict[str, Any], allowed: frozenset[str]) -> None:
    for key in body:
        if key not in allowed and not key.startswith("@"):
            raise _invalid(f"The parameter '{key}' is not supported by this action.")
