"""The Graph client: `call()` one `GraphCall`, or `batch()` several in one round trip.

Layers, each importing only those below it (checked by `make lint`):

    client      GraphClient: call(), batch(), and a shorthand method per call
    calls       GraphCall[T] builders with their parsers, Result[T]
    batch       BatchRequest/BatchResponse, run_batch (chunks, throttled members resent)
    connection  GraphConnection: request(), paging, the shared session
    retry, errors, paging, types, transport

The shorthand methods (`client.user_get(id)`, `client.method_activate(...)`, ...) are
`client.call(calls.<same name>(...)).value`: use `call()` itself when you need the request-id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar, overload

from portal.graph import calls
from portal.graph.batch import BatchRequest, BatchResponse, run_batch
from portal.graph.calls import GraphCall, Reply, Result
from portal.graph.connection import GraphConnection
from portal.graph.errors import GraphError
from portal.graph.types import (
    BulkItemResult,
    DirectoryUser,
    FoundUser,
    HardwareOathDevice,
    HardwareOathMethod,
    Page,
)

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
P = ParamSpec("P")


def _shorthand(make: Callable[P, GraphCall[T]]) -> Callable[Concatenate[GraphClient, P], T]:
    """A method that calls what `make` builds and returns its value, taking `make`'s parameters."""

    def method(self: GraphClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.call(make(*args, **kwargs)).value

    method.__doc__ = make.__doc__
    return method


class GraphClient(GraphConnection):
    """Microsoft Graph (beta) on behalf of one signed-in person: see `GraphConnection` for the
    constructor (`GraphClient(access_token, policy=RetryPolicy.for_jobs())` for background work)."""

    def call(self, call: GraphCall[T]) -> Result[T]:
        """One call on its own. Raises its GraphError; returns the value with Graph's request-id."""
        if call.depends_on:
            raise ValueError("depends_on only has a meaning inside a $batch.")
        raw = call.body if isinstance(call.body, bytes) else None  # e.g. sendMail's base64 MIME
        response = self.request(
            call.method, call.url, json=None if raw is not None else call.body, data=raw, headers=call.headers
        )
        try:
            value = call.parse(Reply(response.status, response.data, self.iterate))
        except GraphError as exc:
            exc.request_id = exc.request_id or response.request_id
            raise
        return Result.success(value, response.request_id)

    @overload
    def batch(self, a: GraphCall[A], /) -> tuple[Result[A]]: ...
    @overload
    def batch(self, a: GraphCall[A], b: GraphCall[B], /) -> tuple[Result[A], Result[B]]: ...
    @overload
    def batch(self, a: GraphCall[A], b: GraphCall[B], c: GraphCall[C], /) -> tuple[Result[A], Result[B], Result[C]]: ...
    @overload
    def batch(
        self, a: GraphCall[A], b: GraphCall[B], c: GraphCall[C], d: GraphCall[D], /
    ) -> tuple[Result[A], Result[B], Result[C], Result[D]]: ...
    @overload
    def batch(self, a: GraphCall[A], /, *rest: GraphCall[T]) -> tuple[Result[A], *tuple[Result[T], ...]]: ...

    def batch(self, *calls: GraphCall[Any]) -> tuple[Result[Any], ...]:
        """Several calls through `$batch` (20 per round trip), one Result each, in order.

        A member that failed comes back as a Result holding its GraphError (`.value` raises it); the
        `$batch` call itself failing raises. Members answered 429 are resent under the client's
        retry policy (see `portal.graph.batch`). `call.after(other)` becomes `dependsOn`.
        """
        if not calls:
            return ()
        ids = {id(call): str(index) for index, call in enumerate(calls)}
        if len(ids) != len(calls):
            raise ValueError("The same GraphCall appears twice in one batch.")
        requests = []
        for call in calls:
            missing = [dependency for dependency in call.depends_on if id(dependency) not in ids]
            if missing:
                raise ValueError(f"{call.method} {call.url} depends on a call that is not in this batch.")
            requests.append(
                BatchRequest(
                    id=ids[id(call)],
                    method=call.method,
                    url=self.relative(call.url),
                    body=call.body,
                    depends_on=[ids[id(dependency)] for dependency in call.depends_on] or None,
                    headers=call.headers,
                )
            )
        answers = run_batch(self, requests)
        return tuple(self._result(call, answers[ids[id(call)]]) for call in calls)

    def _result(self, call: GraphCall[T], answer: BatchResponse) -> Result[T]:
        error = answer.error()
        if error is not None:
            return Result.failure(error)
        try:
            value = call.parse(Reply(answer.status, answer.body, self.iterate))
        except GraphError as exc:
            exc.request_id = exc.request_id or answer.request_id
            return Result.failure(exc)
        return Result.success(value, answer.request_id)

    # -- shorthands: `self.call(calls.<name>(...)).value` ---------------------------------------

    def me(self) -> DirectoryUser:
        return self.call(calls.me()).value

    def user_get(self, user_id_or_upn: str, *, select: str = DirectoryUser.SELECT) -> DirectoryUser:
        return self.call(calls.user_get(user_id_or_upn, select=select)).value

    def users_search(self, text: str, *, top: int = 25, next_link: str | None = None) -> Page[FoundUser]:
        """Users whose name, UPN or mail starts with `text`; an empty page for blank text."""
        if next_link is None and not text.strip():
            return Page(items=[])
        return self.call(calls.users_search(text, top=top, next_link=next_link)).value

    def methods_list(self, user_id: str | None = None) -> list[HardwareOathMethod]:
        return self.call(calls.methods_list(user_id)).value

    def method_get(self, user_id: str | None, method_id: str) -> HardwareOathMethod:
        return self.call(calls.method_get(user_id, method_id)).value

    def method_assign(self, user_id: str | None, device_id: str) -> HardwareOathMethod:
        return self.call(calls.method_assign(user_id, device_id)).value

    def method_assign_and_activate(
        self, user_id: str | None, device_id: str, code: str, display_name: str | None = None
    ) -> None:
        self.call(calls.method_assign_and_activate(user_id, device_id, code, display_name))

    def method_assign_and_activate_by_serial(
        self, user_id: str | None, serial: str, code: str, display_name: str | None = None
    ) -> None:
        self.call(calls.method_assign_and_activate_by_serial(user_id, serial, code, display_name))

    def method_activate(self, user_id: str | None, method_id: str, code: str, display_name: str | None = None) -> None:
        self.call(calls.method_activate(user_id, method_id, code, display_name))

    def method_deactivate(self, user_id: str | None, method_id: str) -> None:
        self.call(calls.method_deactivate(user_id, method_id))

    def method_unassign(self, user_id: str | None, method_id: str) -> None:
        self.call(calls.method_unassign(user_id, method_id))

    def device_assign_to(self, user_id: str, device_id: str) -> None:
        self.call(calls.device_assign_to(user_id, device_id, base_url=self.base_url))

    def devices_list(
        self,
        *,
        filters: Mapping[str, str | int] | None = None,
        top: int | None = None,
        next_link: str | None = None,
        count: bool = False,
    ) -> Page[HardwareOathDevice]:
        return self.call(calls.devices_list(filters=filters, top=top, next_link=next_link, count=count)).value

    def devices_all(self, filters: Mapping[str, str | int] | None = None) -> list[HardwareOathDevice]:
        return self.call(calls.devices_all(filters)).value

    def device_get(self, device_id: str) -> HardwareOathDevice:
        return self.call(calls.device_get(device_id)).value

    #: Add one token to the inventory: `calls.device_create`'s keywords (serial_number, manufacturer,
    #: model, secret_key; optional time_interval, hash_function, display_name, assign_to).
    device_create = _shorthand(calls.device_create)

    def device_update(self, device_id: str, **fields: str | int | None) -> None:
        self.call(calls.device_update(device_id, **fields))

    def device_delete(self, device_id: str) -> None:
        self.call(calls.device_delete(device_id))

    def devices_bulk_create(self, items: list[dict[str, Any]]) -> list[BulkItemResult]:
        return self.call(calls.devices_bulk_create(items)).value if items else []
