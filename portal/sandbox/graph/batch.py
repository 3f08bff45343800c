"""JSON batching: `POST /beta/$batch` (reference §6.4).

* At most 20 requests, unique ids, relative URLs, `Content-Type` required with a body, known methods;
  anything else makes the whole batch a 400 (a malformed batch).
* Members run in the order given, one after the other, each through the same pipeline as a plain
  request (authentication with the envelope's token, fault injection, request log as "graph-item").
* `dependsOn` names earlier members; when one of them answered ≥ 400 the member is not run and gets
  424 Failed Dependency.
* The envelope answers 200 `{"responses": [{"id", "status", "headers", "body"?}]}` in request order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from requests.structures import CaseInsensitiveDict

from portal.sandbox.graph import errors
from portal.sandbox.graph.context import API_VERSION, Call, json_response
from portal.sandbox.http import SandboxRequest, SandboxResponse

MAX_REQUESTS = 20
METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})

# Runs one member: the member request and, when it must not run, the error to answer instead.
Execute = Callable[[SandboxRequest, errors.GraphError | None], SandboxResponse]


def _malformed(message: str) -> errors.GraphError:
    return errors.BAD_REQUEST(message)


def run_batch(call: Call, execute: Execute) -> SandboxResponse:
    members = _parse(call)
    statuses: dict[str, int] = {}
    responses: list[dict[str, Any]] = []
    for member_id, depends_on, request in members:
        failed = [dependency for dependency in depends_on if statuses[dependency] >= 400]
        forced = errors.FAILED_DEPENDENCY() if failed else None
        answer = execute(request, forced)
        statuses[member_id] = answer.status
        responses.append(_member_response(member_id, answer))
    return json_response({"responses": responses})


def _parse(call: Call) -> list[tuple[str, list[str], SandboxRequest]]:
    body = call.object_body()
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise _malformed("The batch needs a non-empty 'requests' array.")
    if len(requests) > MAX_REQUESTS:
        raise _malformed(f"A batch may contain at most {MAX_REQUESTS} requests.")
    seen: set[str] = set()
    members: list[tuple[str, list[str], SandboxRequest]] = []
    for entry in requests:
        if not isinstance(entry, dict):
            raise _malformed("Every batch request must be a JSON object.")
        member_id = entry.get("id")
        if not isinstance(member_id, str) or not member_id:
            raise _malformed("Every batch request needs a string 'id'.")
        if member_id in seen:
            raise _malformed(f"Batch request ids must be unique; '{member_id}' is used twice.")
        depends_on = entry.get("dependsOn") or []
        if not isinstance(depends_on, list) or not all(isinstance(item, str) for item in depends_on):
            raise _malformed("'dependsOn' must be an array of request ids.")
        for dependency in depends_on:
            if dependency not in seen:
                raise _malformed(f"'dependsOn' of '{member_id}' names '{dependency}', which is not an earlier request.")
        seen.add(member_id)
        members.append((member_id, list(depends_on), _member_request(call, member_id, entry)))
    return members


def _member_request(call: Call, member_id: str, entry: dict[str, Any]) -> SandboxRequest:
    method = entry.get("method")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise _malformed(f"Request '{member_id}' has no valid 'method'.")
    url = entry.get("url")
    if not isinstance(url, str) or not url.strip():
        raise _malformed(f"Request '{member_id}' has no 'url'.")
    split = urlsplit(url.strip())
    if split.scheme or split.netloc:
        raise _malformed(f"Request '{member_id}': the url must be relative, e.g. /me.")
    raw_headers = entry.get("headers") or {}
    if not isinstance(raw_headers, dict) or not all(isinstance(value, str) for value in raw_headers.values()):
        raise _malformed(f"Request '{member_id}': 'headers' must be an object of strings.")
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(raw_headers)
    body = b""
    if "body" in entry and entry["body"] is not None:
        if "Content-Type" not in headers:
            raise _malformed(f"Request '{member_id}': a body needs a Content-Type header.")
        content = entry["body"]
        body = content.encode("utf-8") if isinstance(content, str) else json.dumps(content).encode("utf-8")
    # Members act with the envelope's token (Graph ignores per-member credentials) and, unless they
    # name their own, share its client-request-id.
    headers["Authorization"] = call.request.headers.get("Authorization", "")
    headers.setdefault("client-request-id", call.client_request_id)
    path = "/" + split.path.lstrip("/")
    return SandboxRequest(
        method=method.upper(),
        base_url=call.request.base_url,
        path=API_VERSION + unquote(path),
        query_string=split.query,
        headers=headers,
        body=body,
    )


def _member_response(member_id: str, answer: SandboxResponse) -> dict[str, Any]:
    headers = {key: value for key, value in answer.headers.items() if key.lower() != "date"}
    result: dict[str, Any] = {"id": member_id, "status": answer.status, "headers": headers}
    if answer.body:
        text = answer.body.decode("utf-8")
        if "json" in headers.get("Content-Type", "").lower():
            result["body"] = json.loads(text)
        else:
            result["body"] = text
    return result
