"""The Graph calls the portal makes, one typed method each (mixed into `GraphClient`).

`user_id=None` means the signed-in person (`/me/...`); otherwise an object id or a UPN
(`/users/{id}/...`, percent-encoded). Verification codes and token secrets only ever travel in the
JSON body: never in a URL, a log line or an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from portal.graph.errors import bad_response
from portal.graph.paging import parse_collection
from portal.graph.types import (
    BulkItemResult,
    DirectoryUser,
    HardwareOathDevice,
    HardwareOathMethod,
    Page,
    unwrap_device,
)

if TYPE_CHECKING:
    from portal.graph.batch import BatchResponse
    from portal.graph.client import GraphResponse

DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"

# Snake-case keyword → Graph property, for what D5 (update one device) allows.
_UPDATABLE = {
    "display_name": "displayName",
    "manufacturer": "manufacturer",
    "model": "model",
    "time_interval": "timeIntervalInSeconds",
    "hash_function": "hashFunction",
}
_FILTER_PROPERTY = re.compile(r"^[A-Za-z][A-Za-z0-9]*(/[A-Za-z][A-Za-z0-9]*)?$")


def user_path(user_id: str | None) -> str:
    return "/me" if user_id is None else "/users/" + quote(user_id, safe="")


def methods_path(user_id: str | None, method_id: str | None = None) -> str:
    path = user_path(user_id) + "/authentication/hardwareOathMethods"
    return path if method_id is None else path + "/" + quote(method_id, safe="")


def device_path(device_id: str) -> str:
    return DEVICES + "/" + quote(device_id, safe="")


def odata_filter(filters: Mapping[str, str | int]) -> str:
    """`$filter` of `eq` clauses joined by `and`; strings quoted with single quotes doubled."""
    clauses = []
    for prop, value in filters.items():
        if not _FILTER_PROPERTY.match(prop):
            raise ValueError(f"Not a filterable property name: {prop!r}")
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError(f"Filter value for {prop} must be str or int")
        literal = str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"
        clauses.append(f"{prop} eq {literal}")
    return " and ".join(clauses)


def search_phrase(text: str) -> str:
    """The `$search` expression matching display name, UPN or mail; quotes and backslashes escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return " OR ".join(f'"{prop}:{escaped}"' for prop in ("displayName", "userPrincipalName", "mail"))


class GraphOperations:
    """High-level calls. Needs `request`, `get_page`, `iterate` and `base_url` from GraphClient."""

    base_url: str

    if TYPE_CHECKING:

        def request(
            self,
            method: str,
            path: str,
            *,
            params: Mapping[str, str | int] | None = None,
            json: Any = None,
            headers: Mapping[str, str] | None = None,
            idempotent: bool | None = None,
        ) -> GraphResponse: ...

        def get_page(
            self,
            path_or_next_link: str,
            params: Mapping[str, str | int] | None = None,
            *,
            headers: Mapping[str, str] | None = None,
        ) -> tuple[list[dict[str, Any]], str | None, int | None]: ...

        def iterate(
            self,
            path: str,
            params: Mapping[str, str | int] | None = None,
            *,
            headers: Mapping[str, str] | None = None,
        ) -> Iterator[dict[str, Any]]: ...

    # -- users ----------------------------------------------------------------------------------

    def me(self) -> DirectoryUser:
        response = self.request("GET", "/me", params={"$select": DirectoryUser.SELECT})
        return DirectoryUser.from_graph(response.data, status=response.status)

    def user_get(self, user_id_or_upn: str, *, select: str = DirectoryUser.SELECT) -> DirectoryUser:
        response = self.request("GET", user_path(user_id_or_upn), params={"$select": select})
        return DirectoryUser.from_graph(response.data, status=response.status)

    def users_search(self, text: str, *, top: int = 25, next_link: str | None = None) -> Page[DirectoryUser]:
        """Users whose display name, UPN or mail contains `text` (directory `$search`, eventual
        consistency). Pass the returned `next_link` back for the next page."""
        # $search on directory objects needs this header, also when following its nextLink.
        headers = {"ConsistencyLevel": "eventual"}
        if next_link is not None:
            items, link, count = self.get_page(next_link, headers=headers)
        else:
            text = text.strip()
            if not text:
                return Page(items=[])
            params: dict[str, str | int] = {
                "$search": search_phrase(text),
                "$select": DirectoryUser.SELECT,
                "$top": top,
                "$count": "true",
            }
            items, link, count = self.get_page("/users", params, headers=headers)
        return Page([DirectoryUser.from_graph(item) for item in items], link, count)

    # -- a user's hardware OATH methods ---------------------------------------------------------

    def methods_list(self, user_id: str | None = None) -> list[HardwareOathMethod]:
        return [HardwareOathMethod.from_graph(item) for item in self.iterate(methods_path(user_id))]

    def methods_from_batch_response(self, response: BatchResponse) -> list[HardwareOathMethod]:
        """The methods in a $batch member that listed them (following its nextLink, if any).
        Raises the member's GraphError if it failed."""
        response.raise_for_error()
        items, next_link, _ = parse_collection(response.body, status=response.status)
        if next_link:
            items = [*items, *self.iterate(next_link)]
        return [HardwareOathMethod.from_graph(item, status=response.status) for item in items]

    def method_get(self, user_id: str | None, method_id: str) -> HardwareOathMethod:
        response = self.request("GET", methods_path(user_id, method_id))
        return HardwareOathMethod.from_graph(response.data, status=response.status)

    def method_assign(self, user_id: str | None, device_id: str) -> HardwareOathMethod:
        """Assign an inventory token without activating it (201 with the new method)."""
        response = self.request("POST", methods_path(user_id), json={"device": {"id": device_id}})
        return HardwareOathMethod.from_graph(response.data, status=response.status)

    def method_assign_and_activate(
        self, user_id: str | None, device_id: str, code: str, display_name: str | None = None
    ) -> None:
        body: dict[str, Any] = {"device": {"id": device_id}, "verificationCode": code}
        _add_display_name(body, display_name)
        self.request("POST", methods_path(user_id) + "/assignAndActivate", json=body)

    def method_assign_and_activate_by_serial(
        self, user_id: str | None, serial: str, code: str, display_name: str | None = None
    ) -> None:
        body: dict[str, Any] = {"serialNumber": serial, "verificationCode": code}
        _add_display_name(body, display_name)
        self.request("POST", methods_path(user_id) + "/assignAndActivateBySerialNumber", json=body)

    def method_activate(self, user_id: str | None, method_id: str, code: str, display_name: str | None = None) -> None:
        body: dict[str, Any] = {"verificationCode": code}
        _add_display_name(body, display_name)
        self.request("POST", methods_path(user_id, method_id) + "/activate", json=body)

    def method_deactivate(self, user_id: str | None, method_id: str) -> None:
        self.request("POST", methods_path(user_id, method_id) + "/deactivate")

    def method_unassign(self, user_id: str | None, method_id: str) -> None:
        """Remove the token from the user; it goes back to the inventory as `available`."""
        self.request("DELETE", methods_path(user_id, method_id))

    def device_assign_to(self, user_id: str, device_id: str) -> None:
        """Assign by reference (PUT `.../{device_id}/device/assignTo/$ref`)."""
        body = {"@odata.id": self.base_url + user_path(user_id)}
        self.request("PUT", methods_path(user_id, device_id) + "/device/assignTo/$ref", json=body)

    # -- the tenant inventory -------------------------------------------------------------------

    def devices_list(
        self,
        *,
        filters: Mapping[str, str | int] | None = None,
        top: int | None = None,
        next_link: str | None = None,
        count: bool = False,
    ) -> Page[HardwareOathDevice]:
        """One page of inventory tokens. `filters` use Graph property names, e.g.
        `{"serialNumber": "SN-1"}`, `{"status": "available"}`, `{"assignedTo/id": user_id}`."""
        headers = {"ConsistencyLevel": "eventual"} if count else None
        if next_link is not None:
            items, link, total = self.get_page(next_link, headers=headers)
        else:
            items, link, total = self.get_page(DEVICES, _list_params(filters, top, count), headers=headers)
        return Page([HardwareOathDevice.from_graph(item) for item in items], link, total)

    def devices_iterate(self, filters: Mapping[str, str | int] | None = None) -> Iterator[HardwareOathDevice]:
        for item in self.iterate(DEVICES, _list_params(filters, None, False)):
            yield HardwareOathDevice.from_graph(item)

    def device_get(self, device_id: str) -> HardwareOathDevice:
        response = self.request("GET", device_path(device_id))
        return HardwareOathDevice.from_graph(response.data, status=response.status)

    def device_create(
        self,
        *,
        serial_number: str,
        manufacturer: str,
        model: str,
        secret_key: str,
        time_interval: int = 30,
        hash_function: str = "hmacsha1",
        display_name: str | None = None,
        assign_to: str | None = None,
    ) -> HardwareOathDevice:
        """Add one token to the inventory (optionally assigned to the user id `assign_to`)."""
        body: dict[str, Any] = {
            "serialNumber": serial_number,
            "manufacturer": manufacturer,
            "model": model,
            "secretKey": secret_key,
            "timeIntervalInSeconds": time_interval,
            "hashFunction": hash_function,
        }
        _add_display_name(body, display_name)
        if assign_to is not None:
            body["assignTo"] = {"id": assign_to}
        response = self.request("POST", DEVICES, json=body)
        return HardwareOathDevice.from_graph(response.data, status=response.status)

    def device_update(self, device_id: str, **fields: str | int | None) -> None:
        """Update an unassigned token: display_name, manufacturer, model, time_interval, hash_function."""
        unknown = set(fields) - set(_UPDATABLE)
        if unknown:
            raise TypeError(f"device_update() got unexpected fields: {', '.join(sorted(unknown))}")
        if not fields:
            raise TypeError("device_update() needs at least one field")
        body = {_UPDATABLE[name]: value for name, value in fields.items()}
        self.request("PATCH", device_path(device_id), json=body)

    def device_delete(self, device_id: str) -> None:
        self.request("DELETE", device_path(device_id))

    def devices_bulk_create(self, items: list[dict[str, Any]]) -> list[BulkItemResult]:
        """Create many tokens in one PATCH (OData delta payload). `items` use Graph's field names as
        in `device_create`'s body (`serialNumber`, `secretKey`, ...; `assignTo: {"id": ...}`).

        Returns one result per input item, in input order. Graph documents neither the response
        shape nor per-item failures, so this accepts 200 or 201, flat devices or the docs' wrappers,
        and `{"@contentId", "error": {...}}` entries; an item with no answer at all comes back with
        `error_code="noResult"` (look it up by serial before retrying it).
        """
        if not items:
            return []
        sent: list[dict[str, Any]] = []
        for index, item in enumerate(items, start=1):
            entry = dict(item)
            entry["@contentId"] = str(entry.get("@contentId") or index)
            sent.append(entry)
        response = self.request("PATCH", DEVICES, json={"@context": "#$delta", "value": sent})
        return _bulk_results(sent, response.data, response.status)


def _add_display_name(body: dict[str, Any], display_name: str | None) -> None:
    if display_name:
        body["displayName"] = display_name


def _list_params(filters: Mapping[str, str | int] | None, top: int | None, count: bool) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    if filters:
        params["$filter"] = odata_filter(filters)
    if top is not None:
        params["$top"] = top
    if count:
        params["$count"] = "true"
    return params


def _bulk_results(sent: list[dict[str, Any]], data: Any, status: int) -> list[BulkItemResult]:
    if not isinstance(data, dict) or not isinstance(data.get("value"), list):
        raise bad_response(status, "bulk create returned no 'value' list")
    answers: list[Any] = data["value"]
    ids = [entry["@contentId"] for entry in sent]
    by_serial = {entry.get("serialNumber"): entry["@contentId"] for entry in sent}
    results: dict[str, BulkItemResult] = {}
    for position, answer in enumerate(answers):
        if not isinstance(answer, dict):
            raise bad_response(status, "a bulk result is not an object")
        device_data = unwrap_device(answer)
        # Correlate by @contentId; else by serial number; else by position when the counts match.
        content_id = answer.get("@contentId") or device_data.get("@contentId")
        if content_id is None:
            content_id = by_serial.get(device_data.get("serialNumber"))
        if content_id is None and len(answers) == len(sent):
            content_id = ids[position]
        content_id = None if content_id is None else str(content_id)
        error = answer.get("error")
        if error is not None:
            code = error.get("code") if isinstance(error, dict) else error
            message = error.get("message") if isinstance(error, dict) else None
            result = BulkItemResult(
                content_id,
                None,
                code if isinstance(code, str) and code else "error",
                message if isinstance(message, str) else None,
            )
        else:
            result = BulkItemResult(content_id, HardwareOathDevice.from_graph(device_data, status=status))
        if content_id is not None and content_id not in results:
            results[content_id] = result
    return [
        results.get(cid, BulkItemResult(cid, None, "noResult", "Graph returned no result for this item."))
        for cid in ids
    ]
