"""Template helpers of the admin area: building the query strings of pager links."""

from __future__ import annotations

from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def query_without(query: QueryDict, key: str) -> str:
    """The current filters as a query string, without `key` (e.g. back to the first page)."""
    copy = query.copy()
    copy.pop(key, None)
    return copy.urlencode()


@register.filter
def query_with_page(query: QueryDict, page_token: str) -> str:
    """The current filters with `page` set to the next page's token."""
    copy = query.copy()
    copy["page"] = page_token
    return copy.urlencode()
