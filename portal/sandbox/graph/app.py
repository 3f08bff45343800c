"""The Graph emulator's entry point: `handle(SandboxRequest) -> SandboxResponse`.

Pipeline for every request (and every $batch member):
request ids → authentication → fault injection → route → endpoint → error envelope → headers → log.

Every answer carries `request-id` (new per request), `client-request-id` (the caller's, echoed, or
a new one) and `Date`; every error is Graph's envelope with `innerError.date` (UTC, seconds, no Z),
`request-id` and `client-request-id` (reference §6.1).
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime
from email.utils import formatdate

from portal.sandbox.graph import batch, errors, faults, requestlog, routes
from portal.sandbox.graph.auth import authenticate
from portal.sandbox.graph.context import API_VERSION, Call, json_response
from portal.sandbox.http import SandboxRequest, SandboxResponse

logger = logging.getLogger(__name__)

# Echo what a client sent only when it looks like an id (it lands in headers and the log).
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def handle(request: SandboxRequest) -> SandboxResponse:
    faults.apply_latency()
    response = answer(request, batch_item=False)
    if response.status < 400:
        faults.after_write(request.method)  # may "kill" the caller now that the write is done
    return response


def answer(request: SandboxRequest, *, batch_item: bool, forced: errors.GraphError | None = None) -> SandboxResponse:
    call = Call(
        request=request,
        request_id=str(uuid.uuid4()),
        client_request_id=_client_request_id(request),
        batch_item=batch_item,
    )
    try:
        if forced is not None:
            raise forced
        response = _process(call)
    except errors.GraphError as exc:
        response = render_error(call, exc)
    except Exception:
        # Path only: a query string may carry a search term; bodies may carry codes and secrets.
        logger.exception("Sandbox Graph emulator failed on %s %s", request.method, request.path)
        response = render_error(call, errors.GENERAL_EXCEPTION())
    response.headers.update(
        {
            "request-id": call.request_id,
            "client-request-id": call.client_request_id,
            "Date": formatdate(usegmt=True),
        }
    )
    requestlog.record(call, response)
    return response


def _process(call: Call) -> SandboxResponse:
    call.caller_or_none = authenticate(call.request)
    path = call.request.path
    if path.lower() != API_VERSION and not path.lower().startswith(API_VERSION + "/"):
        raise errors.BAD_REQUEST("The sandbox tenant emulates the Graph beta endpoint only (/beta/...).")
    relative = path[len(API_VERSION) :] or "/"
    if relative.rstrip("/").lower() == "/$batch":
        if call.batch_item:
            raise errors.BAD_REQUEST("Batch requests can't be nested.")
        if call.request.method != "POST":
            raise errors.METHOD_NOT_ALLOWED()
        return batch.run_batch(call, _run_member)
    fault = faults.injected_fault()
    if fault is not None:
        raise fault
    handler, params = routes.resolve(call.request.method, relative)
    return handler(call, params)


def _run_member(request: SandboxRequest, forced: errors.GraphError | None) -> SandboxResponse:
    return answer(request, batch_item=True, forced=forced)


def _client_request_id(request: SandboxRequest) -> str:
    sent = request.headers.get("client-request-id", "").strip()
    return sent if _CLIENT_REQUEST_ID.match(sent) else str(uuid.uuid4())


def render_error(call: Call, exc: errors.GraphError) -> SandboxResponse:
    inner = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": call.request_id,
        "client-request-id": call.client_request_id,
        **exc.inner,
    }
    body = {"error": {"code": exc.code, "message": exc.message, "innerError": inner}}
    return json_response(body, status=exc.status, headers=exc.headers)
