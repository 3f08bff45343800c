"""URL → endpoint, for paths below /beta (reference §1). First match wins, so literal segments
(`$count`, action names) come before `{id}` captures. Segments match case-insensitively, as Graph's.

`{subject}` stands for both forms of the user-method paths: `me` (params["user"] is None) and
`users/{user}` (id or UPN).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portal.sandbox.graph import errors, inventory, mail, methods, passes, users
from portal.sandbox.graph.context import Call
from portal.sandbox.http import SandboxResponse

Handler = Callable[[Call, dict[str, Any]], SandboxResponse]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    template: str
    handlers: Mapping[str, Handler]
    pattern: re.Pattern[str]


def _compile(template: str) -> re.Pattern[str]:
    regex = ""
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        regex += re.escape(template[position : match.start()])
        name = match.group(1)
        regex += r"(?:me|users/(?P<user>[^/]+))" if name == "subject" else rf"(?P<{name}>[^/]+)"
        position = match.end()
    regex += re.escape(template[position:])
    return re.compile(regex + "/?", re.IGNORECASE)


def route(template: str, **handlers: Handler) -> Route:
    return Route(template, handlers, _compile(template))


INVENTORY = "/directory/authenticationMethodDevices/hardwareOathDevices"
METHODS = "/{subject}/authentication/hardwareOathMethods"
PASSES = "/{subject}/authentication/temporaryAccessPassMethods"

ROUTES: tuple[Route, ...] = (
    # D9: the container singleton has no documented use.
    route("/directory/authenticationMethodDevices"),
    route(
        INVENTORY,
        GET=inventory.list_devices,
        POST=inventory.create_device,
        PATCH=inventory.bulk_create_devices,
    ),
    route(INVENTORY + "/$count", GET=inventory.count_devices),
    route(
        INVENTORY + "/{device_id}",
        GET=inventory.get_device,
        PATCH=inventory.update_device,
        DELETE=inventory.delete_device,
    ),
    route(INVENTORY + "/{device_id}/assignTo", GET=inventory.get_device_user),
    route(METHODS, GET=methods.list_methods, POST=methods.assign_method),
    route(METHODS + "/$count", GET=methods.count_methods),
    route(METHODS + "/assignAndActivate", POST=methods.assign_and_activate),
    route(METHODS + "/assignAndActivateBySerialNumber", POST=methods.assign_and_activate_by_serial),
    route(METHODS + "/{method_id}", GET=methods.get_method, DELETE=methods.unassign_method),
    route(METHODS + "/{method_id}/activate", POST=methods.activate_method),
    route(METHODS + "/{method_id}/deactivate", POST=methods.deactivate_method),
    route(METHODS + "/{method_id}/device", GET=methods.get_method_device),
    route(METHODS + "/{method_id}/device/assignTo", GET=methods.get_method_device_user),
    route(METHODS + "/{method_id}/device/assignTo/$ref", PUT=methods.put_assign_to_ref),
    route("/{subject}/sendMail", POST=mail.send_mail),
    route(PASSES, GET=passes.list_passes, POST=passes.create_pass),
    route(PASSES + "/{pass_id}", GET=passes.get_pass, DELETE=passes.delete_pass),
    route(
        "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{config_id}",
        GET=passes.get_policy,
    ),
    route("/me", GET=users.get_me),
    route("/users", GET=users.list_users),
    route("/users/$count", GET=users.count_users),
    route("/users/{user}", GET=users.get_user),
)


def resolve(method: str, path: str) -> tuple[Handler, dict[str, Any]]:
    """The endpoint for `method path` (path below /beta); 405 or 400 like Graph otherwise."""
    for candidate in ROUTES:
        match = candidate.pattern.fullmatch(path)
        if match is None:
            continue
        handler = candidate.handlers.get(method.upper())
        if handler is None:
            raise errors.METHOD_NOT_ALLOWED()
        return handler, match.groupdict()
    segment = next((part for part in reversed(path.split("/")) if part), "")
    raise errors.BAD_REQUEST(f"Resource not found for the segment '{segment}'.")
