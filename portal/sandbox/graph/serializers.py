"""Resource shapes exactly as Graph returns them (reference §2, §3, §6.6).

`secretKey` is always null: the secret is write-only. Devices are flat objects with `@odata.type`
(what the SDKs deserialise), not the wrappers of the doc examples (reference §3.1 [CONFLICT]).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.utils import translation

from portal.sandbox import roles
from portal.sandbox.graph import errors
from portal.sandbox.models import DirectoryUser, HardwareToken

DEVICE_TYPE = "#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice"
METHOD_TYPE = "#microsoft.graph.hardwareOathAuthenticationMethod"

DEVICES_PATH = "directory/authenticationMethodDevices/hardwareOathDevices"


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity(user: DirectoryUser | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": str(user.id), "displayName": user.display_name}


def device(token: HardwareToken, *, nested: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {} if nested else {"@odata.type": DEVICE_TYPE}
    data.update(
        {
            "id": str(token.id),
            "displayName": token.display_name,
            "serialNumber": token.serial_number,
            "manufacturer": token.manufacturer,
            "model": token.model,
            "secretKey": None,
            "timeIntervalInSeconds": token.time_interval,
            "status": token.status,
            "lastUsedDateTime": iso(token.last_used_at),
            "hashFunction": token.hash_function,
            "assignedTo": identity(token.assigned_to),
        }
    )
    return data


def method(token: HardwareToken) -> dict[str, Any]:
    return {
        "@odata.type": METHOD_TYPE,
        "id": str(token.id),
        # Seed data may assign without a timestamp; the device's creation is the best stand-in.
        "createdDateTime": iso(token.assigned_at or token.created_at),
        "lastUsedDateTime": iso(token.last_used_at),
        "device": device(token, nested=True),
    }


def user(person: DirectoryUser) -> dict[str, Any]:
    # Graph answers null, never "", for an unset string property.
    return {
        "id": str(person.id),
        "displayName": person.display_name,
        "userPrincipalName": person.user_principal_name,
        "mail": person.mail or None,
        "givenName": person.given_name or None,
        "surname": person.surname or None,
        "jobTitle": person.job_title or None,
        "department": person.department or None,
        "userType": person.user_type,
        "accountEnabled": person.account_enabled,
    }


DEVICE_PROPERTIES = tuple(key for key in device(HardwareToken()) if not key.startswith("@"))
METHOD_PROPERTIES = ("id", "createdDateTime", "lastUsedDateTime", "device")
USER_PROPERTIES = tuple(user(DirectoryUser()).keys())


#: What a membership in `memberOf` carries (the sandbox has no groups: only directory roles).
DIRECTORY_ROLE_PROPERTIES = ("id", "displayName", "roleTemplateId")
#: Graph: `$expand` on directory objects "returns a maximum of 20 objects", without a nextLink.
EXPAND_LIMIT = 20
_ROLE_NAMESPACE = uuid.UUID("4f1c1a36-6b4e-4a4e-9d0a-8a3c6f1b2e70")


def member_of(person: DirectoryUser, fields: list[str] | None) -> list[dict[str, Any]]:
    """The user's direct memberships as `$expand=memberOf` returns them: one activated
    `directoryRole` per role they hold (the member template in `wids` is not a directory role).
    A role object's id is the tenant's own, not the template id; here derived from it."""
    held = [role for role in (person.roles or []) if role != roles.MEMBER]
    with translation.override("en"):  # Graph names roles in English, whatever the caller's language
        names = {role: str(roles.NAMES.get(role, "Directory role")) for role in held}
    items = [
        {
            "@odata.type": "#microsoft.graph.directoryRole",
            "id": str(uuid.uuid5(_ROLE_NAMESPACE, role)),
            "displayName": names[role],
            "roleTemplateId": role,
        }
        for role in held
    ]
    return [select(item, fields) for item in items[:EXPAND_LIMIT]]


def parse_select(raw: str | None, allowed: Iterable[str], type_name: str) -> list[str] | None:
    """The `$select` list (case-insensitive, answered in the resource's own spelling)."""
    if raw is None:
        return None
    by_lower = {name.lower(): name for name in allowed}
    selected: list[str] = []
    for part in raw.split(","):
        name = part.strip()
        if not name:
            continue
        if name == "*":
            return None
        if name.lower() not in by_lower:
            raise errors.BAD_REQUEST(f"Could not find a property named '{name}' on type '{type_name}'.")
        selected.append(by_lower[name.lower()])
    return selected or None


def select(item: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    if fields is None:
        return item
    return {key: value for key, value in item.items() if key.startswith("@") or key in fields}
