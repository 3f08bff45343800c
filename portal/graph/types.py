"""Typed, immutable views of the Graph objects the portal reads.

Every `from_graph()` checks the shape it relies on and raises `GraphBadResponse` (status = the
HTTP status of the answer) instead of a KeyError deep inside a view. Enum-like strings (`status`,
`hashFunction`) are kept as they arrive: Graph may add members (its `unknownFutureValue` rule), and
a new status must not break the page that lists tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final, Generic, TypeVar

from portal.graph.errors import bad_response


class TokenStatus:
    """`hardwareOathTokenStatus` members; compare with these, but expect other values too."""

    AVAILABLE: Final = "available"
    ASSIGNED: Final = "assigned"
    ACTIVATED: Final = "activated"
    FAILED_ACTIVATION: Final = "failedActivation"
    UNKNOWN_FUTURE_VALUE: Final = "unknownFutureValue"
    KNOWN: Final = frozenset({AVAILABLE, ASSIGNED, ACTIVATED, FAILED_ACTIVATION})


class HashFunction:
    HMACSHA1: Final = "hmacsha1"
    HMACSHA256: Final = "hmacsha256"
    KNOWN: Final = frozenset({HMACSHA1, HMACSHA256})


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    #: Pass back to the same list call to get the next page; None on the last page.
    next_link: str | None = None
    #: `@odata.count`, only when asked for, and only on the first page.
    count: int | None = None


@dataclass(frozen=True)
class Identity:
    id: str
    display_name: str | None

    @classmethod
    def from_graph(cls, data: Any, *, status: int = 200) -> Identity:
        obj = _object(data, "identity", status)
        return cls(id=_req_str(obj, "id", status), display_name=_opt_str(obj, "displayName", status))


@dataclass(frozen=True)
class HardwareOathDevice:
    """A token in the tenant inventory (`hardwareOathTokenAuthenticationMethodDevice`)."""

    id: str
    serial_number: str
    display_name: str | None
    manufacturer: str | None
    model: str | None
    time_interval: int | None
    hash_function: str | None
    status: str | None
    assigned_to: Identity | None
    last_used: datetime | None

    @classmethod
    def from_graph(cls, data: Any, *, status: int = 200) -> HardwareOathDevice:
        obj = unwrap_device(_object(data, "device", status))
        assigned = obj.get("assignedTo")
        return cls(
            id=_req_str(obj, "id", status),
            serial_number=_req_str(obj, "serialNumber", status),
            display_name=_opt_str(obj, "displayName", status),
            manufacturer=_opt_str(obj, "manufacturer", status),
            model=_opt_str(obj, "model", status),
            time_interval=_opt_int(obj, "timeIntervalInSeconds", status),
            hash_function=_opt_str(obj, "hashFunction", status),
            status=_opt_str(obj, "status", status),
            assigned_to=None if assigned is None else Identity.from_graph(assigned, status=status),
            last_used=_opt_datetime(obj, "lastUsedDateTime", status),
        )


@dataclass(frozen=True)
class HardwareOathMethod:
    """A token assigned to a user (`hardwareOathAuthenticationMethod`); its id is the device id."""

    id: str
    created: datetime | None
    last_used: datetime | None
    #: Inlined by Graph in every documented example, but not promised: None when absent.
    device: HardwareOathDevice | None

    @classmethod
    def from_graph(cls, data: Any, *, status: int = 200) -> HardwareOathMethod:
        obj = _object(data, "method", status)
        device = obj.get("device")
        return cls(
            id=_req_str(obj, "id", status),
            created=_opt_datetime(obj, "createdDateTime", status),
            last_used=_opt_datetime(obj, "lastUsedDateTime", status),
            device=None if device is None else HardwareOathDevice.from_graph(device, status=status),
        )


@dataclass(frozen=True)
class DirectoryUser:
    id: str
    display_name: str | None
    user_principal_name: str | None
    mail: str | None
    job_title: str | None
    department: str | None
    user_type: str | None
    account_enabled: bool | None

    #: The `$select` that fills every field (Graph returns a smaller default set without it).
    SELECT: ClassVar[str] = "id,displayName,userPrincipalName,mail,jobTitle,department,userType,accountEnabled"

    @property
    def guest(self) -> bool:
        """A guest account (B2B): Entra does not let it hold a hardware token."""
        return (self.user_type or "").lower() == "guest"

    @classmethod
    def from_graph(cls, data: Any, *, status: int = 200) -> DirectoryUser:
        obj = _object(data, "user", status)
        enabled = obj.get("accountEnabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise bad_response(status, "user.accountEnabled is not a boolean")
        return cls(
            id=_req_str(obj, "id", status),
            display_name=_opt_str(obj, "displayName", status),
            user_principal_name=_opt_str(obj, "userPrincipalName", status),
            mail=_opt_str(obj, "mail", status),
            job_title=_opt_str(obj, "jobTitle", status),
            department=_opt_str(obj, "department", status),
            user_type=_opt_str(obj, "userType", status),
            account_enabled=enabled,
        )


#: Graph's cap on an expanded directory relationship: "`$expand` returns a maximum of 20 objects"
#: (no nextLink), so a full list may have left some memberships out.
EXPAND_LIMIT = 20
DIRECTORY_ROLE_TYPE = "#microsoft.graph.directoryRole"


@dataclass(frozen=True)
class FoundUser:
    """A user from the admin search, with what their `memberOf` says about directory roles."""

    user: DirectoryUser
    #: True: holds a directory role (only a Privileged Authentication Administrator may change their
    #: methods); False: none; None: Graph's answer can't tell (no `memberOf`, or cut at EXPAND_LIMIT).
    holds_admin_role: bool | None

    @classmethod
    def from_graph(cls, data: Any, *, status: int = 200) -> FoundUser:
        user = DirectoryUser.from_graph(data, status=status)
        member_of = data.get("memberOf")
        if member_of is None:
            return cls(user, None)
        if not isinstance(member_of, list) or not all(isinstance(item, dict) for item in member_of):
            raise bad_response(status, "user.memberOf is not a list of objects")
        if any(item.get("@odata.type") == DIRECTORY_ROLE_TYPE for item in member_of):
            return cls(user, True)
        return cls(user, None if len(member_of) >= EXPAND_LIMIT else False)


@dataclass(frozen=True)
class TemporaryAccessPass:
    """A user's Temporary Access Pass (`temporaryAccessPassAuthenticationMethod`).

    `value` (Graph's `temporaryAccessPass`) is only in the create answer; it is a credential, so it
    is kept out of `repr()` (and with it out of every log line and traceback that prints this).
    """

    id: str
    start: datetime | None
    lifetime_minutes: int | None
    usable_once: bool
    usable: bool | None
    #: `methodUsabilityReason`: EnabledByPolicy, DisabledByPolicy, Expired, NotYetValid, OneTimeUsed.
    usability_reason: str | None
    value: str | None = field(default=None, repr=False)

    @property
    def ends(self) -> datetime | None:
        if self.start is None or self.lifetime_minutes is None:
            return None
        return self.start + timedelta(minutes=self.lifetime_minutes)

    @classmethod
    def from_graph(cls, data: Any, *, status: int = 200) -> TemporaryAccessPass:
        obj = _object(data, "temporaryAccessPass", status)
        return cls(
            id=_req_str(obj, "id", status),
            start=_opt_datetime(obj, "startDateTime", status),
            lifetime_minutes=_opt_int(obj, "lifetimeInMinutes", status),
            usable_once=bool(_opt_bool(obj, "isUsableOnce", status)),
            usable=_opt_bool(obj, "isUsable", status),
            usability_reason=_opt_str(obj, "methodUsabilityReason", status),
            value=_opt_str(obj, "temporaryAccessPass", status),
        )


@dataclass(frozen=True)
class PassPolicy:
    """The tenant's Temporary Access Pass policy (`temporaryAccessPassAuthenticationMethodConfiguration`)."""

    enabled: bool
    default_lifetime: int | None
    minimum_lifetime: int | None
    maximum_lifetime: int | None
    usable_once: bool

    @classmethod
    def from_graph(cls, data: Any, *, status: int = 200) -> PassPolicy:
        obj = _object(data, "temporaryAccessPassPolicy", status)
        return cls(
            enabled=_opt_str(obj, "state", status) == "enabled",
            default_lifetime=_opt_int(obj, "defaultLifetimeInMinutes", status),
            minimum_lifetime=_opt_int(obj, "minimumLifetimeInMinutes", status),
            maximum_lifetime=_opt_int(obj, "maximumLifetimeInMinutes", status),
            usable_once=bool(_opt_bool(obj, "isUsableOnce", status)),
        )


@dataclass(frozen=True)
class BulkItemResult:
    """One row of a bulk create: either `device` or `error_code`/`error_message` is set."""

    content_id: str | None
    device: HardwareOathDevice | None
    error_code: str | None = None
    #: Graph's developer text: for logs and admins' detail views, not for the main message.
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.device is not None and self.error_code is None


# -- shape helpers ----------------------------------------------------------------------------------


def unwrap_device(obj: dict[str, Any]) -> dict[str, Any]:
    """The device inside the docs' wrapper `{"@odata.type": "...hardwareOathAuthenticationMethod",
    "device": {...}}` (used by the list and bulk examples), or the object itself when already flat."""
    inner = obj.get("device")
    if isinstance(inner, dict) and "serialNumber" not in obj:
        return inner
    return obj


def unwrap_entity(data: Any) -> Any:
    """The entity inside the docs' single-GET quirk `{"value": {...}}`, or the data unchanged."""
    if isinstance(data, dict) and isinstance(data.get("value"), dict) and "id" not in data:
        return data["value"]
    return data


def parse_datetime(value: str) -> datetime:
    """Graph's DateTimeOffset: ISO 8601, 'Z' suffix, up to 7 fractional digits; naive means UTC."""
    text = value.strip()
    if "." in text:
        # Python < 3.11 rejected 7 digits; trim to microseconds so no version has to guess.
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[: min(digits, 6)] + rest[digits:] if digits else head + rest
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _object(data: Any, what: str, status: int) -> dict[str, Any]:
    data = unwrap_entity(data)
    if not isinstance(data, dict):
        raise bad_response(status, f"{what} is a {type(data).__name__}, not an object")
    return data


def _req_str(obj: dict[str, Any], key: str, status: int) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise bad_response(status, f"{key} is missing or not a string")
    return value


def _opt_str(obj: dict[str, Any], key: str, status: int) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise bad_response(status, f"{key} is not a string")
    return value


def _opt_int(obj: dict[str, Any], key: str, status: int) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():  # the bulk docs send "30"
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_response(status, f"{key} is not an integer")
    return value


def _opt_bool(obj: dict[str, Any], key: str, status: int) -> bool | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, bool):
        raise bad_response(status, f"{key} is not a boolean")
    return value


def _opt_datetime(obj: dict[str, Any], key: str, status: int) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_response(status, f"{key} is not a date-time string")
    try:
        return parse_datetime(value)
    except ValueError:
        raise bad_response(status, f"{key} is not an ISO 8601 date-time") from None
