"""Carrying Graph's `@odata.nextLink` through the browser without trusting the browser.

A next link is a full URL. Put in a query string as it is, anyone could hand the portal a URL of
their choosing and have it sent — with the admin's access token — wherever they like. So the link
travels as an opaque token signed with the portal's SECRET_KEY (django.core.signing), bound to the
admin who received it and to the search it belongs to, and it expires. The Graph client refuses any
URL outside its base URL as well (GraphForeignURL): two locks on the same door.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest

from portal.core.action_errors import ActionError
from portal.core.reasons import Reason
from portal.core.wording import Audience

_SALT = "portal.tokenadmin.page"
MAX_AGE_SECONDS = 3600  # a results page left open longer starts again from the first page


class PageTokenInvalid(Exception):
    """Tampered with, expired, or made for another person or another search."""


def page_token_make(*, next_link: str, actor_oid: str, scope: str) -> str:
    """The token for the `page` query parameter. `scope` names the search (e.g. its filters)."""
    return signing.dumps({"l": next_link, "a": actor_oid, "s": scope}, salt=_SALT, compress=True)


def page_token_read(token: str, *, actor_oid: str, scope: str) -> str:
    """The next link inside `token`, or PageTokenInvalid."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature as exc:  # SignatureExpired included
        raise PageTokenInvalid(type(exc).__name__) from exc
    if not isinstance(data, dict) or data.get("a") != actor_oid or data.get("s") != scope:
        raise PageTokenInvalid("token made for another person or another search")
    link = data.get("l")
    if not isinstance(link, str) or not link:
        raise PageTokenInvalid("no link")
    return link


def next_link_from(request: HttpRequest, *, actor_oid: str, scope: str) -> str | None:
    """The Graph next link carried by the `page` query parameter (None on the first page); an
    ActionError (Reason.PAGE_EXPIRED) when the token is not valid for this admin and this search."""
    token = request.GET.get("page", "")
    if not token:
        return None
    try:
        return page_token_read(token, actor_oid=actor_oid, scope=scope)
    except PageTokenInvalid as exc:
        raise ActionError.of(Reason.PAGE_EXPIRED, Audience.ADMIN) from exc
