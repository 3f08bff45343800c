"""OData system query options of collections, and server-driven paging (reference §6.5).

* `$top` is the page size (Graph's meaning): default SANDBOX["PAGE_SIZE"], at most SANDBOX["MAX_TOP"],
  anything larger or not a positive integer → 400.
* `@odata.nextLink` is a full URL on the caller's base URL that repeats every original query option
  and adds an opaque `$skiptoken`; clients follow it verbatim until it is absent.
* `@odata.count` (with `$count=true`) comes on the first page only.
* Unknown `$options` → 400, as Graph does; options without `$` are ignored.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote

from django.db.models import QuerySet

from portal.sandbox.config import sandbox_int
from portal.sandbox.graph import errors
from portal.sandbox.graph.context import Call

T = TypeVar("T")

SKIPTOKEN = "$skiptoken"
# Characters Graph leaves readable in its own nextLinks.
_SAFE = "$'(),/:@!*=;"


@dataclass(frozen=True)
class ListQuery:
    top: int
    offset: int
    count: bool
    filter: str | None
    select: str | None
    search: str | None
    orderby: str | None
    expand: str | None


def parse_list_query(call: Call, *, allowed: Iterable[str]) -> ListQuery:
    query = call.query
    permitted = set(allowed) | {"$top", SKIPTOKEN}
    for key in query:
        if key.startswith("$") and key.lower() not in permitted:
            raise errors.BAD_REQUEST(f"Query option '{key}' is not supported on this resource.")
    lowered = {key.lower(): value for key, value in query.items()}
    return ListQuery(
        top=_top(lowered.get("$top")),
        offset=_decode_skiptoken(lowered.get(SKIPTOKEN)),
        count=_bool_option("$count", lowered.get("$count")),
        filter=lowered.get("$filter"),
        select=lowered.get("$select"),
        search=lowered.get("$search"),
        orderby=lowered.get("$orderby"),
        expand=lowered.get("$expand"),
    )


def reject_unknown_options(call: Call, *, allowed: Iterable[str]) -> dict[str, str]:
    """For single-entity endpoints: the lower-cased `$options`, 400 on any outside `allowed`."""
    permitted = set(allowed)
    lowered: dict[str, str] = {}
    for key, value in call.query.items():
        if key.startswith("$"):
            if key.lower() not in permitted:
                raise errors.BAD_REQUEST(f"Query option '{key}' is not supported on this resource.")
            lowered[key.lower()] = value
    return lowered


def _top(raw: str | None) -> int:
    if raw is None:
        return sandbox_int("PAGE_SIZE")
    try:
        top = int(raw)
    except ValueError:
        raise errors.BAD_REQUEST(f"Invalid value '{raw}' for $top.") from None
    maximum = sandbox_int("MAX_TOP")
    if top < 1 or top > maximum:
        raise errors.BAD_REQUEST(f"Invalid page size specified: '{top}'. Must be between 1 and {maximum} inclusive.")
    return top


def _bool_option(name: str, raw: str | None) -> bool:
    if raw is None:
        return False
    if raw.lower() in {"true", "false"}:
        return raw.lower() == "true"
    raise errors.BAD_REQUEST(f"Invalid value '{raw}' for {name}; use true or false.")


def _encode_skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).rstrip(b"=").decode()


def _decode_skiptoken(raw: str | None) -> int:
    if raw is None:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        offset = data["o"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise errors.BAD_REQUEST("The $skiptoken is invalid.") from None
    if not isinstance(offset, int) or offset < 0:
        raise errors.BAD_REQUEST("The $skiptoken is invalid.")
    return offset


def next_link(call: Call, offset: int) -> str:
    """The request's own URL with every query option kept and `$skiptoken` replaced."""
    pairs = [
        (key, value)
        for key, value in parse_qsl(call.request.query_string, keep_blank_values=True)
        if key.lower() != SKIPTOKEN
    ]
    pairs.append((SKIPTOKEN, _encode_skiptoken(offset)))
    query = "&".join(f"{quote(key, safe=_SAFE)}={quote(value, safe=_SAFE)}" for key, value in pairs)
    return f"{call.request.base_url.rstrip('/')}{call.request.path}?{query}"


def collection_page(
    call: Call,
    items: QuerySet[Any] | Sequence[T],
    query: ListQuery,
    serialize: Callable[[Any], dict[str, Any]],
    *,
    context: str,
) -> dict[str, Any]:
    """One page of a collection as Graph shapes it."""
    window = list(items[query.offset : query.offset + query.top + 1])
    has_more = len(window) > query.top
    page: dict[str, Any] = {"@odata.context": context}
    if query.count and query.offset == 0:
        page["@odata.count"] = items.count() if isinstance(items, QuerySet) else len(items)
    if has_more:
        page["@odata.nextLink"] = next_link(call, query.offset + query.top)
    page["value"] = [serialize(item) for item in window[: query.top]]
    return page
