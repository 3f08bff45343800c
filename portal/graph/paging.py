"""Reading OData collections: `value`, `@odata.nextLink`, `@odata.count`.

Graph's paging contract: follow `@odata.nextLink` verbatim (it already carries every query option)
until it is absent; pages may be empty; `@odata.count` only comes on the first page. The client's
`get_page()` / `iterate()` use this; the nextLink itself is only ever sent to the configured Graph
base URL (see `GraphClient.request`).
"""

from __future__ import annotations

from typing import Any

from portal.graph.errors import bad_response


def parse_collection(data: Any, *, status: int) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """(items, next_link, count) of one page; GraphBadResponse when it is not a collection."""
    if not isinstance(data, dict):
        raise bad_response(status, f"a collection answer is a {type(data).__name__}, not an object")
    items = data.get("value")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise bad_response(status, "a collection answer has no list of objects in 'value'")
    next_link = data.get("@odata.nextLink")
    if next_link is not None and (not isinstance(next_link, str) or not next_link):
        raise bad_response(status, "@odata.nextLink is not a string")
    count = data.get("@odata.count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise bad_response(status, "@odata.count is not an integer")
    return items, next_link, count
