"""Reading the sandbox request log: how tests count the Graph HTTP round trips a page made.

    from portal.sandbox.requestlog import count_graph_calls

    with count_graph_calls() as graph:
        client.get("/admin/users/")
    assert len(graph.requests) <= 1          # HTTP round trips to Graph ($batch counts once)
    assert graph.batch_items == []           # members of $batch requests, if any

Service values written by the sandbox (RequestLogEntry.service): "graph" for an HTTP request to the
Graph emulator (a `$batch` envelope included), "graph-item" for each member of a `$batch`, "login"
for the identity provider. Needs SANDBOX["REQUEST_LOG"] (on by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from portal.sandbox.models import RequestLogEntry

GRAPH = "graph"
GRAPH_BATCH_ITEM = "graph-item"
LOGIN = "login"


def last_entry_id() -> int:
    """The id of the newest log entry (0 when empty): a bookmark for `since_id`."""
    newest = RequestLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    return newest or 0


def _entries(service: str, since_id: int | None) -> list[RequestLogEntry]:
    entries = RequestLogEntry.objects.filter(service=service)
    if since_id is not None:
        entries = entries.filter(id__gt=since_id)
    return list(entries.order_by("id"))


def graph_round_trips(since_id: int | None = None) -> list[RequestLogEntry]:
    """HTTP requests the Graph emulator answered (after `since_id`), oldest first."""
    return _entries(GRAPH, since_id)


def graph_batch_items(since_id: int | None = None) -> list[RequestLogEntry]:
    """Members of `$batch` requests the Graph emulator answered (after `since_id`), oldest first."""
    return _entries(GRAPH_BATCH_ITEM, since_id)


class GraphCalls:
    """What the Graph emulator answered since the block began; read live, so usable inside it."""

    def __init__(self, since_id: int) -> None:
        self.since_id = since_id

    @property
    def requests(self) -> list[RequestLogEntry]:
        return graph_round_trips(self.since_id)

    @property
    def batch_items(self) -> list[RequestLogEntry]:
        return graph_batch_items(self.since_id)

    @property
    def count(self) -> int:
        return len(self.requests)

    def describe(self) -> list[str]:
        """`"GET /beta/me → 200"` lines, for assertion messages."""
        return [str(entry) for entry in self.requests]


@contextmanager
def count_graph_calls() -> Iterator[GraphCalls]:
    yield GraphCalls(last_entry_id())
