"""Entry point of the sandbox identity provider: route, answer, log.

`handle` is what the in-process requests adapter (portal.sandbox.transport) and the dev-server
view (portal.sandbox.views) call. It is a plain function over plain values — never a nested run of
Django's request cycle, which would close the outer request's database connection.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from portal.sandbox.config import sandbox_bool
from portal.sandbox.http import SandboxRequest, SandboxResponse
from portal.sandbox.identity import discovery, errors
from portal.sandbox.identity.clients import known_tenant
from portal.sandbox.identity.context import Call
from portal.sandbox.identity.token_endpoint import token
from portal.sandbox.models import RequestLogEntry

Route = Callable[[SandboxRequest, Call, str], SandboxResponse]
_TENANT = r"/(?P<tenant>[^/]+)"


def _get_only(view: Callable[[SandboxRequest], SandboxResponse]) -> Route:
    def route(request: SandboxRequest, call: Call, tenant: str) -> SandboxResponse:
        if request.method not in {"GET", "HEAD"}:
            return SandboxResponse.json(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
        return view(request)

    return route


def _to_browser_page(path: str) -> Route:
    """authorize/logout on the Microsoft host: send the browser to the sandbox's own page."""

    def route(request: SandboxRequest, call: Call, tenant: str) -> SandboxResponse:
        target = discovery.browser_login_url(path)
        if request.query_string:
            target += "?" + request.query_string
        return SandboxResponse.empty(302, {"Location": target})

    return route


_WELL_KNOWN = r"\.well-known/openid-configuration"
_ROUTES: list[tuple[re.Pattern[str], Route, bool]] = [
    # (path pattern, handler, whether the tenant segment must be the sandbox tenant)
    (re.compile(rf"^{_TENANT}/v2\.0/{_WELL_KNOWN}$"), _get_only(discovery.openid_configuration_v2), True),
    (re.compile(rf"^{_TENANT}/{_WELL_KNOWN}$"), _get_only(discovery.openid_configuration_v1), True),
    (re.compile(rf"^{_TENANT}/discovery/(?:v2\.0/)?keys$"), _get_only(discovery.signing_keys), False),
    (re.compile(r"^/(?P<tenant>common)/discovery/instance$"), _get_only(discovery.instance_discovery), False),
    (re.compile(rf"^{_TENANT}/oauth2/v2\.0/token$"), token, True),
    (re.compile(rf"^{_TENANT}/oauth2/v2\.0/authorize$"), _to_browser_page("/oauth2/v2.0/authorize"), True),
    (re.compile(rf"^{_TENANT}/oauth2/v2\.0/logout$"), _to_browser_page("/oauth2/v2.0/logout"), True),
]


def handle(request: SandboxRequest) -> SandboxResponse:
    call = Call()
    client_request_id = request.headers.get("client-request-id", "")
    if client_request_id:
        call.correlation_id = client_request_id[:64]
    try:
        response = _dispatch(request, call)
    except errors.OAuthError as err:
        response = errors.error_response(err, trace_id=call.trace_id, correlation_id=call.correlation_id)
    response.headers.setdefault("x-ms-request-id", call.trace_id)
    if client_request_id:
        response.headers.setdefault("client-request-id", call.correlation_id)
    _log(request, response, call, client_request_id)
    return response


def _dispatch(request: SandboxRequest, call: Call) -> SandboxResponse:
    for pattern, route, tenant_bound in _ROUTES:
        match = pattern.match(request.path)
        if match is None:
            continue
        tenant = match.group("tenant")
        if tenant_bound and not known_tenant(tenant):
            raise errors.unknown_tenant(tenant)
        return route(request, call, tenant)
    return SandboxResponse.json(404, {"error": "not_found", "error_description": "No such endpoint."})


def _log(request: SandboxRequest, response: SandboxResponse, call: Call, client_request_id: str) -> None:
    if not sandbox_bool("REQUEST_LOG"):
        return
    # Path only: the query string and the body carry codes, secrets and tokens.
    RequestLogEntry.objects.create(
        service="login",
        method=request.method[:10],
        path=request.path[:2000],
        status=response.status,
        request_id=call.trace_id,
        client_request_id=client_request_id[:64],
        caller_oid=call.caller_oid,
    )
