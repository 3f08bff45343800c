"""Every Graph call the portal makes, built in one place: the request and the parser of its answer.

A `GraphCall[T]` is what to send (method, URL under the version root with its query, body,
headers) and how to read a successful answer into a `T`. The same call goes direct or inside a
`$batch`, and either way comes back as a `Result[T]`: the value — or, in a batch, the member's
`GraphError` — and the request-id Graph gave it (the audit trail records it for successes):

    done = client.call(calls.method_activate(user_id, method_id, code))   # raises GraphError
    audit.success(graph_request_id=done.request_id)

    read = calls.method_get(None, method_id)
    token, activated = client.batch(read, calls.method_activate(None, method_id, code).after(read))
    token.value        # the HardwareOathMethod, or raises the member's GraphError

`user_id=None` means the signed-in person (`/me/...`); otherwise an object id or a UPN
(`/users/{id}/...`, percent-encoded). Verification codes and token secrets only ever travel in the
JSON body: never in a URL, a log line or an error.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar, cast
from urllib.parse import quote

from portal.graph.errors import GraphError, bad_response
from portal.graph.paging import parse_collection
from portal.graph.types import (
    BulkItemResult,
    DirectoryUser,
    FoundUser,
    HardwareOathDevice,
    HardwareOathMethod,
    Page,
    PassPolicy,
    TemporaryAccessPass,
    unwrap_device,
)

T = TypeVar("T")

DEVICES = "/directory/authenticationMethodDevices/hardwareOathDevices"
PASS_POLICY = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"
#: `$count` and `$search` on directory objects need this header (also when following the nextLink).
EVENTUAL = {"ConsistencyLevel": "eventual"}

# Snake-case keyword → Graph property, for what updating one device allows.
_UPDATABLE = {
    "display_name": "displayName",
    "manufacturer": "manufacturer",
    "model": "model",
    "time_interval": "timeIntervalInSeconds",
    "hash_function": "hashFunction",
}
_FILTER_PROPERTY = re.compile(r"^[A-Za-z][A-Za-z0-9]*(/[A-Za-z][A-Za-z0-9]*)?$")


# -- the types ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A successful answer, as a call's parser sees it."""

    status: int
    body: Any
    #: Every item of the collection at a nextLink, following further links (the client's pager).
    follow: Callable[[str], Iterator[dict[str, Any]]]

    def page(self) -> tuple[list[dict[str, Any]], str | None, int | None]:
        """(items, next_link, count) of this one page."""
        return parse_collection(self.body, status=self.status)

    def every_item(self) -> list[dict[str, Any]]:
        """The items of this page and of every page after it."""
        items, next_link, _ = self.page()
        return [*items, *self.follow(next_link)] if next_link else items


@dataclass(frozen=True, eq=False)  # compared by identity: `after()` names calls of the same batch
class GraphCall(Generic[T]):
    """One Graph request and how to read its answer. Build them with this module's functions."""

    method: str
    #: Under the version root with its query ("/me?$select=id"), or a nextLink verbatim.
    url: str
    parse: Callable[[Reply], T]
    body: Any = None
    headers: Mapping[str, str] | None = None
    #: In a `$batch`: run only if these calls (of the same batch) succeeded.
    depends_on: tuple[GraphCall[Any], ...] = ()

    def after(self, *calls: GraphCall[Any]) -> GraphCall[T]:
        """This call, to run in a `$batch` only after `calls` (in the same batch) succeeded."""
        return replace(self, depends_on=(*self.depends_on, *calls))


@dataclass(frozen=True)
class Result(Generic[T]):
    """What one call gave: its value or its `GraphError`, and Graph's request-id either way."""

    request_id: str | None
    error: GraphError | None = None
    _value: Any = None

    @classmethod
    def success(cls, value: T, request_id: str | None) -> Result[T]:
        return cls(request_id, None, value)

    @classmethod
    def failure(cls, error: GraphError) -> Result[T]:
        return cls(error.request_id, error)

    @property
    def ok(self) -> bool:
        return self.error is None

    def raise_for_error(self) -> None:
        """Raises the call's GraphError if it failed."""
        if self.error is not None:
            raise self.error

    @property
    def value(self) -> T:
        """The value; raises the call's GraphError if it failed."""
        self.raise_for_error()
        return cast(T, self._value)


# -- paths and query options --------------------------------------------------------------------


def user_path(user_id: str | None) -> str:
    return "/me" if user_id is None else "/users/" + quote(user_id, safe="")


def methods_path(user_id: str | None, method_id: str | None = None) -> str:
    path = user_path(user_id) + "/authentication/hardwareOathMethods"
    return path if method_id is None else path + "/" + quote(method_id, safe="")


def passes_path(user_id: str | None) -> str:
    return user_path(user_id) + "/authentication/temporaryAccessPassMethods"


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


#: What the admin search matches the beginning of (Graph supports `startsWith` on each by default).
SEARCHED_PROPERTIES = ("displayName", "givenName", "surname", "userPrincipalName", "mail")


def search_filter(text: str) -> str:
    """`$filter` matching users whose name, first name, last name, UPN or mail starts with `text`."""
    literal = "'" + text.replace("'", "''") + "'"
    return " or ".join(f"startswith({prop},{literal})" for prop in SEARCHED_PROPERTIES)


def with_query(path: str, params: Mapping[str, str | int]) -> str:
    """`path?name=value&...` with the values percent-encoded (the one URL form for direct calls and
    `$batch` members alike)."""
    if not params:
        return path
    return path + "?" + "&".join(f"{name}={quote(str(value), safe='')}" for name, value in params.items())


# -- users --------------------------------------------------------------------------------------


def me() -> GraphCall[DirectoryUser]:
    return user_get(None)


def user_get(user_id_or_upn: str | None, *, select: str = DirectoryUser.SELECT) -> GraphCall[DirectoryUser]:
    """One user's profile (`None`: the signed-in person); GraphNotFound when there is no such user."""
    return GraphCall("GET", with_query(user_path(user_id_or_upn), {"$select": select}), _user)


def users_search(text: str, *, top: int = 25, next_link: str | None = None) -> GraphCall[Page[FoundUser]]:
    """Users whose name, first or last name, UPN or mail starts with `text`, each with their direct
    memberships' types (`$expand=memberOf`: a directory role among them puts the user out of an
    Authentication Administrator's reach); with `next_link`, the page after the one that returned it.

    A `$filter`, not `$search`: Graph does not support `$expand` in advanced queries (and `$search`
    on users is one), so this is the only way to learn both in one round trip."""
    if next_link is not None:
        return GraphCall("GET", next_link, _found_users_page)
    if not text.strip():
        raise ValueError("users_search() needs something to search for.")
    params: dict[str, str | int] = {
        "$filter": search_filter(text.strip()),
        "$select": DirectoryUser.SELECT,
        "$expand": "memberOf($select=id)",
        "$top": top,
    }
    return GraphCall("GET", with_query("/users", params), _found_users_page)


#: Graph accepts at most 15 clauses joined by `or` (or values in `in`) in a directory `$filter`.
MAX_OR_CLAUSES = 15


def users_by_id(user_ids: Sequence[str], *, select: str = DirectoryUser.SELECT) -> GraphCall[list[DirectoryUser]]:
    """The users among `user_ids` (at most MAX_OR_CLAUSES) that exist; a deleted one is absent."""
    if not 0 < len(user_ids) <= MAX_OR_CLAUSES:
        raise ValueError(f"users_by_id() takes 1 to {MAX_OR_CLAUSES} ids.")
    clauses = " or ".join("id eq '" + user_id.replace("'", "''") + "'" for user_id in user_ids)
    params: dict[str, str | int] = {"$filter": clauses, "$select": select, "$top": MAX_OR_CLAUSES}
    return GraphCall("GET", with_query("/users", params), _users, headers=EVENTUAL)


# -- a user's hardware OATH methods -------------------------------------------------------------


def methods_list(user_id: str | None = None, *, select: str | None = None) -> GraphCall[list[HardwareOathMethod]]:
    """Every hardware token of the user (following nextLinks); `select`, e.g. "id,createdDateTime",
    when the inlined device is not needed."""
    url = with_query(methods_path(user_id), {"$select": select}) if select else methods_path(user_id)
    return GraphCall("GET", url, _methods)


def method_get(user_id: str | None, method_id: str) -> GraphCall[HardwareOathMethod]:
    return GraphCall("GET", methods_path(user_id, method_id), _method)


def method_assign(user_id: str | None, device_id: str) -> GraphCall[HardwareOathMethod]:
    """Assign an inventory token without activating it (201 with the new method)."""
    return GraphCall("POST", methods_path(user_id), _method, body={"device": {"id": device_id}})


def method_assign_and_activate(
    user_id: str | None, device_id: str, code: str, display_name: str | None = None
) -> GraphCall[None]:
    body: dict[str, Any] = {"device": {"id": device_id}, "verificationCode": code}
    _add_display_name(body, display_name)
    return GraphCall("POST", methods_path(user_id) + "/assignAndActivate", _nothing, body=body)


def method_assign_and_activate_by_serial(
    user_id: str | None, serial: str, code: str, display_name: str | None = None
) -> GraphCall[None]:
    body: dict[str, Any] = {"serialNumber": serial, "verificationCode": code}
    _add_display_name(body, display_name)
    return GraphCall("POST", methods_path(user_id) + "/assignAndActivateBySerialNumber", _nothing, body=body)


def method_activate(user_id: str | None, method_id: str, code: str, display_name: str | None = None) -> GraphCall[None]:
    body: dict[str, Any] = {"verificationCode": code}
    _add_display_name(body, display_name)
    return GraphCall("POST", methods_path(user_id, method_id) + "/activate", _nothing, body=body)


def method_deactivate(user_id: str | None, method_id: str) -> GraphCall[None]:
    return GraphCall("POST", methods_path(user_id, method_id) + "/deactivate", _nothing)


def method_unassign(user_id: str | None, method_id: str) -> GraphCall[None]:
    """Remove the token from the user; it goes back to the inventory as `available`."""
    return GraphCall("DELETE", methods_path(user_id, method_id), _nothing)


def device_assign_to(user_id: str, device_id: str, *, base_url: str) -> GraphCall[None]:
    """Assign by reference (PUT `.../{device_id}/device/assignTo/$ref`); `base_url` is the client's,
    for the absolute `@odata.id` Graph expects."""
    body = {"@odata.id": base_url.rstrip("/") + user_path(user_id)}
    return GraphCall("PUT", methods_path(user_id, device_id) + "/device/assignTo/$ref", _nothing, body=body)


# -- the tenant inventory -----------------------------------------------------------------------


# -- Temporary Access Pass ------------------------------------------------------------------------


def pass_create(
    user_id: str, *, lifetime_minutes: int | None = None, usable_once: bool = False
) -> GraphCall[TemporaryAccessPass]:
    """Issue a Temporary Access Pass for another user. The answer carries the pass itself, this
    once: it goes to the one screen that shows it, nowhere else (TemporaryAccessPass keeps it out
    of its repr, so out of logs and tracebacks)."""
    body: dict[str, Any] = {"isUsableOnce": usable_once}
    if lifetime_minutes is not None:
        body["lifetimeInMinutes"] = lifetime_minutes
    return GraphCall("POST", passes_path(user_id), _pass, body=body)


def passes_list(user_id: str | None) -> GraphCall[list[TemporaryAccessPass]]:
    """The user's Temporary Access Pass, if any (at most one; never the pass itself)."""
    return GraphCall("GET", passes_path(user_id), _passes)


def pass_policy_get() -> GraphCall[PassPolicy]:
    """The tenant's Temporary Access Pass policy: enabled, lifetime bounds, one-time only."""
    return GraphCall("GET", PASS_POLICY, _pass_policy)


def devices_list(
    *,
    filters: Mapping[str, str | int] | None = None,
    top: int | None = None,
    next_link: str | None = None,
    count: bool = False,
) -> GraphCall[Page[HardwareOathDevice]]:
    """One page of inventory tokens. `filters` use Graph property names, e.g.
    `{"serialNumber": "SN-1"}`, `{"status": "available"}`, `{"assignedTo/id": user_id}`."""
    headers = EVENTUAL if count else None
    url = next_link if next_link is not None else with_query(DEVICES, _list_params(filters, top, count))
    return GraphCall("GET", url, _devices_page, headers=headers)


def devices_all(filters: Mapping[str, str | int] | None = None) -> GraphCall[list[HardwareOathDevice]]:
    """Every inventory token matching `filters` (following nextLinks): for small answers, such as
    the tokens with one serial number."""
    return GraphCall("GET", with_query(DEVICES, _list_params(filters, None, False)), _devices)


def devices_count(filters: Mapping[str, str | int] | None = None) -> GraphCall[int | None]:
    """How many inventory tokens match `filters` (`$count`, reading one item); None when Graph
    did not count them."""
    url = with_query(DEVICES, _list_params(filters, 1, True))
    return GraphCall("GET", url, _count, headers=EVENTUAL)


def device_get(device_id: str) -> GraphCall[HardwareOathDevice]:
    return GraphCall("GET", device_path(device_id), _device)


def device_create(
    *,
    serial_number: str,
    manufacturer: str,
    model: str,
    secret_key: str,
    time_interval: int = 30,
    hash_function: str = "hmacsha1",
    display_name: str | None = None,
    assign_to: str | None = None,
) -> GraphCall[HardwareOathDevice]:
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
    return GraphCall("POST", DEVICES, _device, body=body)


def device_update(device_id: str, **fields: str | int | None) -> GraphCall[None]:
    """Update an unassigned token: display_name, manufacturer, model, time_interval, hash_function."""
    unknown = set(fields) - set(_UPDATABLE)
    if unknown:
        raise TypeError(f"device_update() got unexpected fields: {', '.join(sorted(unknown))}")
    if not fields:
        raise TypeError("device_update() needs at least one field")
    body = {_UPDATABLE[name]: value for name, value in fields.items()}
    return GraphCall("PATCH", device_path(device_id), _nothing, body=body)


def device_delete(device_id: str) -> GraphCall[None]:
    return GraphCall("DELETE", device_path(device_id), _nothing)


def devices_bulk_create(items: list[dict[str, Any]]) -> GraphCall[list[BulkItemResult]]:
    """Create many tokens in one PATCH (OData delta payload). `items` use Graph's field names as
    in `device_create`'s body (`serialNumber`, `secretKey`, ...; `assignTo: {"id": ...}`).

    The result has one entry per input item, in input order. Graph documents neither the response
    shape nor per-item failures, so this accepts 200 or 201, flat devices or the docs' wrappers,
    and `{"@contentId", "error": {...}}` entries; an item with no answer at all comes back with
    `error_code="noResult"` (look it up by serial before retrying it).
    """
    if not items:
        raise ValueError("devices_bulk_create() needs at least one item.")
    sent: list[dict[str, Any]] = []
    for index, item in enumerate(items, start=1):
        entry = dict(item)
        entry["@contentId"] = str(entry.get("@contentId") or index)
        sent.append(entry)

    def parse(reply: Reply) -> list[BulkItemResult]:
        return _bulk_results(sent, reply.body, reply.status)

    return GraphCall("PATCH", DEVICES, parse, body={"@context": "#$delta", "value": sent})


def mail_send_mime(mailbox: str, mime: bytes) -> GraphCall[None]:
    """Send a message from `mailbox` (UPN or id) given as RFC 5322 MIME: Graph takes it base64
    encoded, as `Content-Type: text/plain` (user-sendmail, "send a message in MIME format"); 202, no
    body. Kept whole, so its plain-text and HTML parts arrive as built. Not for `$batch` (not JSON)."""
    return GraphCall(
        "POST",
        user_path(mailbox) + "/sendMail",
        _nothing,
        body=base64.b64encode(mime),
        headers={"Content-Type": "text/plain"},
    )


# -- parsers ------------------------------------------------------------------------------------


def _pass(reply: Reply) -> TemporaryAccessPass:
    return TemporaryAccessPass.from_graph(reply.body, status=reply.status)


def _passes(reply: Reply) -> list[TemporaryAccessPass]:
    return [TemporaryAccessPass.from_graph(item, status=reply.status) for item in reply.every_item()]


def _pass_policy(reply: Reply) -> PassPolicy:
    return PassPolicy.from_graph(reply.body, status=reply.status)


def _nothing(reply: Reply) -> None:
    return None


def _user(reply: Reply) -> DirectoryUser:
    return DirectoryUser.from_graph(reply.body, status=reply.status)


def _users(reply: Reply) -> list[DirectoryUser]:
    return [DirectoryUser.from_graph(item, status=reply.status) for item in reply.every_item()]


def _found_users_page(reply: Reply) -> Page[FoundUser]:
    items, link, count = reply.page()
    return Page([FoundUser.from_graph(item, status=reply.status) for item in items], link, count)


def _method(reply: Reply) -> HardwareOathMethod:
    return HardwareOathMethod.from_graph(reply.body, status=reply.status)


def _methods(reply: Reply) -> list[HardwareOathMethod]:
    return [HardwareOathMethod.from_graph(item, status=reply.status) for item in reply.every_item()]


def _device(reply: Reply) -> HardwareOathDevice:
    return HardwareOathDevice.from_graph(reply.body, status=reply.status)


def _devices(reply: Reply) -> list[HardwareOathDevice]:
    return [HardwareOathDevice.from_graph(item, status=reply.status) for item in reply.every_item()]


def _devices_page(reply: Reply) -> Page[HardwareOathDevice]:
    items, link, count = reply.page()
    return Page([HardwareOathDevice.from_graph(item, status=reply.status) for item in items], link, count)


def _count(reply: Reply) -> int | None:
    _, _, count = reply.page()
    return count


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
