"""JSON batching (`POST /$batch`): up to 20 requests per HTTP call, answered member by member.

A batch that succeeds as a whole (HTTP 200) can still contain failed members: each
`BatchResponse` has its own status, and `raise_for_error()` turns a failed member into the same
`GraphError` subclass a direct call would have raised. Members are throttled individually; a member
answered 429 was not processed (Graph's throttling contract), so `run_batch` resends those, together
with the members that were skipped (424) only because they depended on one, under the connection's
retry policy: one `Retrying` per chunk counts both the `$batch` POSTs and the member resends, so a
chunk is never tried more often, nor waited on longer, than the policy allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from portal.graph.connection import GraphConnection
from portal.graph.errors import GraphError, bad_response, parse_retry_after
from portal.graph.retry import Retrying

MAX_BATCH_SIZE = 20
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})


@dataclass(frozen=True)
class BatchRequest:
    id: str
    method: str
    #: Relative to the Graph version root, e.g. "/users/{id}/authentication/hardwareOathMethods".
    url: str
    body: Any = None
    depends_on: Sequence[str] | None = None
    headers: Mapping[str, str] | None = None

    def to_graph(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.id, "method": self.method.upper(), "url": self.url}
        headers = dict(self.headers or {})
        if self.body is not None:
            entry["body"] = self.body
            headers.setdefault("Content-Type", "application/json")  # required whenever a body is sent
        if headers:
            entry["headers"] = headers
        if self.depends_on:
            entry["dependsOn"] = list(self.depends_on)
        return entry


@dataclass(frozen=True)
class BatchResponse:
    id: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    #: The member's own request-id when Graph gives one, else the enclosing $batch call's.
    request_id: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def retry_after(self) -> float | None:
        lowered = {key.lower(): value for key, value in self.headers.items()}
        return parse_retry_after(lowered.get("retry-after"))

    def error(self) -> GraphError | None:
        if self.ok:
            return None
        error = GraphError.from_parts(self.status, self.headers, self.body)
        error.request_id = error.request_id or self.request_id
        return error

    def raise_for_error(self) -> None:
        error = self.error()
        if error is not None:
            raise error


def run_batch(connection: GraphConnection, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
    """Every request's response by id, in request order. ValueError for an invalid set of requests
    (duplicate ids, unknown or cross-chunk `depends_on`, absolute URLs)."""
    chunks = _chunks(requests)
    results: dict[str, BatchResponse] = {}
    for chunk in chunks:
        retrying = connection.policy.start()
        answers = _send(connection, chunk, retrying)
        while again := _throttled(chunk, answers):
            wait = retrying.after_throttled_members(_longest_retry_after(answers, again))
            if wait is None:
                break  # callers see the 429 members, with their retry_after, and decide
            connection.sleep(wait)
            answers.update(_send(connection, _resend(chunk, again), retrying))
        results.update(answers)
    return {request.id: results[request.id] for request in requests}


def _chunks(requests: Sequence[BatchRequest]) -> list[list[BatchRequest]]:
    ids = [request.id for request in requests]
    if any(not isinstance(request_id, str) or not request_id for request_id in ids):
        raise ValueError("Every batch request needs a non-empty string id.")
    if len(set(ids)) != len(ids):
        raise ValueError("Batch request ids must be unique.")
    for request in requests:
        if request.method.upper() not in _METHODS:
            raise ValueError(f"Batch request {request.id}: unsupported method {request.method!r}.")
        if not request.url.startswith("/") or request.url.startswith("//"):
            raise ValueError(f"Batch request {request.id}: url must be relative, starting with '/'.")
    chunks = [list(requests[start : start + MAX_BATCH_SIZE]) for start in range(0, len(requests), MAX_BATCH_SIZE)]
    for chunk in chunks:
        in_chunk = {request.id for request in chunk}
        for request in chunk:
            for dependency in request.depends_on or ():
                if dependency not in in_chunk:
                    where = "is not in this batch" if dependency not in ids else "is in another chunk of 20"
                    raise ValueError(f"Batch request {request.id} depends on {dependency!r}, which {where}.")
    return chunks


def _send(connection: GraphConnection, chunk: list[BatchRequest], retrying: Retrying) -> dict[str, BatchResponse]:
    # The $batch POST itself may be resent after a timeout only if every member is harmless to repeat.
    idempotent = all(request.method.upper() in _IDEMPOTENT for request in chunk)
    response = connection.request(
        "POST",
        "/$batch",
        json={"requests": [request.to_graph() for request in chunk]},
        idempotent=idempotent,
        retrying=retrying,
    )
    data = response.data
    entries = data.get("responses") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise bad_response(response.status, "$batch answer has no 'responses' list")
    answers: dict[str, BatchResponse] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise bad_response(response.status, "a $batch response has no id")
        status = entry.get("status")
        if isinstance(status, bool) or not isinstance(status, int):
            raise bad_response(response.status, "a $batch response has no integer status")
        raw_headers = entry.get("headers")
        headers = {str(k): str(v) for k, v in raw_headers.items()} if isinstance(raw_headers, dict) else {}
        own_id = next((v for k, v in headers.items() if k.lower() == "request-id"), None)
        answers[entry["id"]] = BatchResponse(
            id=entry["id"],
            status=status,
            headers=headers,
            body=entry.get("body"),
            request_id=own_id or response.request_id,
        )
    missing = [request.id for request in chunk if request.id not in answers]
    if missing:
        raise bad_response(response.status, f"$batch answer lacks {len(missing)} of the requests")
    return answers


def _throttled(chunk: list[BatchRequest], answers: Mapping[str, BatchResponse]) -> set[str]:
    """Ids to send again: members answered 429, and those skipped (424) only because something
    they depend on was throttled."""
    again = {request_id for request_id, answer in answers.items() if answer.status == 429}
    grew = bool(again)
    while grew:
        grew = False
        for request in chunk:
            skipped = request.id not in again and answers[request.id].status == 424
            if skipped and any(dependency in again for dependency in request.depends_on or ()):
                again.add(request.id)
                grew = True
    return again


def _longest_retry_after(answers: Mapping[str, BatchResponse], ids: set[str]) -> float | None:
    waits = [answers[request_id].retry_after for request_id in ids if answers[request_id].status == 429]
    return max((wait for wait in waits if wait is not None), default=None)


def _resend(chunk: list[BatchRequest], again: set[str]) -> list[BatchRequest]:
    return [
        BatchRequest(
            id=request.id,
            method=request.method,
            url=request.url,
            body=request.body,
            # Dependencies that already succeeded are not resent, so they can't be depended on.
            depends_on=[d for d in request.depends_on or () if d in again] or None,
            headers=request.headers,
        )
        for request in chunk
        if request.id in again
    ]
