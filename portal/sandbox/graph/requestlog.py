"""Writing the sandbox request log for Graph (reading it: portal.sandbox.requestlog).

One RequestLogEntry per answer when SANDBOX["REQUEST_LOG"]:
* service "graph": an HTTP request (a round trip), the `$batch` envelope included;
* service "graph-item": a member of a `$batch` (path "/beta" + the member's relative URL), so tests
  can count round trips and batched operations separately.
Paths are stored without the query string: it may carry a search term or a filter value.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError

from portal.sandbox.config import sandbox_bool
from portal.sandbox.graph.context import Call
from portal.sandbox.http import SandboxResponse
from portal.sandbox.models import RequestLogEntry

GRAPH = "graph"
GRAPH_BATCH_ITEM = "graph-item"  # RequestLogEntry.service holds at most 10 characters

logger = logging.getLogger(__name__)


def record(call: Call, response: SandboxResponse) -> None:
    if not sandbox_bool("REQUEST_LOG"):
        return
    try:
        RequestLogEntry.objects.create(
            service=GRAPH_BATCH_ITEM if call.batch_item else GRAPH,
            method=call.request.method[:10],
            path=call.request.path[:2000],
            status=response.status,
            request_id=call.request_id[:64],
            client_request_id=call.client_request_id[:64],
            caller_oid=call.caller_or_none.oid[:64] if call.caller_or_none else "",
        )
    except DatabaseError:
        # The log is a test aid; losing a line must not turn an answer into a failure.
        logger.warning("Could not write the sandbox Graph request log", exc_info=True)
