"""Directory users: `GET /me`, `GET /users/{id | UPN}`, `GET /users` (search, filter, paging).

What an admin area needs to find a person. Like Graph, `$search` (and `$count`) on users need the
header `ConsistencyLevel: eventual` ("advanced queries"); `$search` takes quoted `"property:text"`
clauses (a quote or backslash in the text escaped with a backslash) joined by OR/AND and matches
the beginning of any word of the property (Graph tokenises display names and addresses into
words); `$filter` supports `startswith(...)` and `eq`.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Literal

from django.db.models import QuerySet

from portal.sandbox.graph import errors, permissions, serializers
from portal.sandbox.graph.context import Call, json_response, text_response
from portal.sandbox.graph.filters import Field, FilterSpec, compile_filter
from portal.sandbox.graph.paging import collection_page, parse_list_query, reject_unknown_options
from portal.sandbox.http import SandboxResponse
from portal.sandbox.models import DirectoryUser

USER_TYPE = "microsoft.graph.user"
ROLE_TYPE = "microsoft.graph.directoryRole"

USER_FILTER = FilterSpec(
    fields={
        "id": Field("id", "uuid"),
        "displayName": Field("display_name", "string"),
        "userPrincipalName": Field("user_principal_name", "string"),
        "mail": Field("mail", "string"),
        "givenName": Field("given_name", "string"),
        "surname": Field("surname", "string"),
        "jobTitle": Field("job_title", "string"),
        "department": Field("department", "string"),
        "userType": Field("user_type", "string"),
        "accountEnabled": Field("account_enabled", "bool"),
    },
    functions=frozenset({"startswith"}),
    connectives=frozenset({"and", "or"}),
    error=errors.UNSUPPORTED_QUERY,
)
SEARCHABLE = {
    "displayname": "display_name",
    "userprincipalname": "user_principal_name",
    "mail": "mail",
    "givenname": "given_name",
    "surname": "surname",
}
ORDERABLE = {"displayname": "display_name", "userprincipalname": "user_principal_name"}
# "The whole clause must be declared inside double quotes. If it contains double quotes or
# backslash, it should be escaped with a backslash" (Graph docs, "Use the $search query
# parameter"): so inside a clause `\"` and `\\` are a quote and a backslash, and a bare quote or
# backslash is a syntax error.
_CLAUSE = re.compile(r'\s*"((?:[^"\\]|\\["\\])*)"\s*')
_ESCAPED = re.compile(r'\\(["\\])')
_CONNECTIVE = re.compile(r"\s*(OR|AND)\s*")


# --- looking users up ---------------------------------------------------------------------------


def resolve(identifier: str) -> DirectoryUser:
    """A user by object id or userPrincipalName (Graph accepts both in /users/{id})."""
    identifier = identifier.strip()
    found: DirectoryUser | None
    try:
        found = DirectoryUser.objects.filter(pk=uuid.UUID(identifier)).first()
    except ValueError:
        found = DirectoryUser.objects.filter(user_principal_name__iexact=identifier).first()
    if found is None:
        raise errors.USER_NOT_FOUND(
            f"Resource '{identifier}' does not exist or one of its queried reference-property objects are not present."
        )
    return found


def signed_in_user(call: Call) -> DirectoryUser:
    try:
        return resolve(call.caller.oid)
    except errors.GraphError:
        # The token is valid but the account has been deleted since.
        raise errors.USER_NOT_FOUND() from None


def context_url(call: Call, fields: list[str] | None, *, entity: bool) -> str:
    selected = f"({','.join(fields)})" if fields else ""
    return f"{call.api_base}/$metadata#users{selected}{'/$entity' if entity else ''}"


def entity_response(call: Call, person: DirectoryUser, *, context: str | None = None) -> SandboxResponse:
    options = reject_unknown_options(call, allowed={"$select"})
    fields = serializers.parse_select(options.get("$select"), serializers.USER_PROPERTIES, USER_TYPE)
    body = {"@odata.context": context or context_url(call, fields, entity=True)}
    body.update(serializers.select(serializers.user(person), fields))
    return json_response(body)


# --- endpoints ---------------------------------------------------------------------------------


def get_me(call: Call, params: dict[str, Any]) -> SandboxResponse:
    permissions.require_me_allowed(call)
    permissions.require_user_read(call, target_is_self=True)
    return entity_response(call, signed_in_user(call))


def get_user(call: Call, params: dict[str, Any]) -> SandboxResponse:
    # A caller without any user scope learns nothing, not even whether the user exists.
    permissions.require_user_read(call, target_is_self=True)
    person = resolve(params["user"])
    permissions.require_user_read(call, target_is_self=permissions.is_self(call.caller, person))
    return entity_response(call, person)


def list_users(call: Call, params: dict[str, Any]) -> SandboxResponse:
    permissions.require_user_read(call, target_is_self=False)
    query = parse_list_query(
        call, allowed={"$filter", "$search", "$select", "$count", "$orderby", "$top", "$skiptoken", "$expand"}
    )
    _require_eventual_consistency(call, search=query.search is not None, count=query.count)
    member_fields = _member_of_expansion(query.expand, advanced=query.search is not None or query.count)
    fields = serializers.parse_select(query.select, serializers.USER_PROPERTIES, USER_TYPE)
    people = _matching(query.filter, query.search, query.orderby)

    def serialize(person: DirectoryUser) -> dict[str, Any]:
        item = serializers.select(serializers.user(person), fields)
        if member_fields is not False:
            item["memberOf"] = serializers.member_of(person, member_fields)
        return item

    page = collection_page(call, people, query, serialize, context=context_url(call, fields, entity=False))
    return json_response(page)


def count_users(call: Call, params: dict[str, Any]) -> SandboxResponse:
    permissions.require_user_read(call, target_is_self=False)
    options = reject_unknown_options(call, allowed={"$filter", "$search"})
    _require_eventual_consistency(call, search=True, count=True)
    return text_response(str(len(_matching(options.get("$filter"), options.get("$search"), None))))


# --- query evaluation ---------------------------------------------------------------------------

_EXPAND_MEMBER_OF = re.compile(r"^\s*memberOf\s*(?:\(\s*\$select\s*=\s*([^)]*)\))?\s*$", re.IGNORECASE)


def _member_of_expansion(raw: str | None, *, advanced: bool) -> list[str] | Literal[False] | None:
    """`$expand=memberOf` (optionally with a nested `$select`): the fields to return of each
    membership (None: all), or False when nothing is expanded. Graph: "`$expand` is not currently
    supported with advanced queries", so `$search`/`$count` with it is a 400."""
    if raw is None:
        return False
    match = _EXPAND_MEMBER_OF.match(raw)
    if match is None:
        raise errors.BAD_REQUEST("Only $expand=memberOf is supported on users.")
    if advanced:
        raise errors.UNSUPPORTED_QUERY("$expand is not supported with advanced queries ($search, $count).")
    if match.group(1) is None:
        return None
    return serializers.parse_select(match.group(1), serializers.DIRECTORY_ROLE_PROPERTIES, ROLE_TYPE)


def _require_eventual_consistency(call: Call, *, search: bool, count: bool) -> None:
    if not (search or count):
        return
    if call.request.headers.get("ConsistencyLevel", "").strip().lower() != "eventual":
        what = "$search" if search else "$count"
        raise errors.UNSUPPORTED_QUERY(
            f"Request with {what} query parameter only works through MSGraph with a special request "
            "header: 'ConsistencyLevel: eventual'"
        )


def _matching(filter_text: str | None, search_text: str | None, orderby: str | None) -> list[DirectoryUser]:
    people: QuerySet[DirectoryUser] = DirectoryUser.objects.all()
    if filter_text:
        people = people.filter(compile_filter(filter_text, USER_FILTER))
    people = people.order_by(*_ordering(orderby))
    found = list(people)
    if search_text:
        clauses = _parse_search(search_text)
        found = [person for person in found if _search_matches(person, clauses)]
    return found


def _ordering(orderby: str | None) -> tuple[str, ...]:
    if not orderby:
        return ("display_name", "id")
    parts = orderby.split()
    if (
        len(parts) > 2
        or parts[0].lower() not in ORDERABLE
        or (len(parts) == 2 and parts[1].lower() not in {"asc", "desc"})
    ):
        raise errors.UNSUPPORTED_QUERY("$orderby is supported on displayName and userPrincipalName only.")
    column = ORDERABLE[parts[0].lower()]
    descending = len(parts) == 2 and parts[1].lower() == "desc"
    return (f"-{column}" if descending else column, "id")


def _parse_search(text: str) -> list[list[tuple[str, str]]]:
    """`"displayName:amy" OR "mail:amy"` → OR-list of AND-lists of (model field, lower-cased text)."""
    alternatives: list[list[tuple[str, str]]] = [[]]
    position, expect_clause = 0, True
    while position < len(text):
        if expect_clause:
            match = _CLAUSE.match(text, position)
            if match is None:
                raise errors.UNSUPPORTED_QUERY('Syntax error in $search: use "property:text" clauses.')
            prop, sep, term = match.group(1).partition(":")
            if not sep or prop.strip().lower() not in SEARCHABLE:
                raise errors.UNSUPPORTED_QUERY(
                    f'$search is supported on {", ".join(sorted(SEARCHABLE))} with "property:text" clauses.'
                )
            alternatives[-1].append((SEARCHABLE[prop.strip().lower()], _ESCAPED.sub(r"\1", term).strip().lower()))
            position, expect_clause = match.end(), False
            continue
        connective = _CONNECTIVE.match(text, position)
        if connective is None:
            raise errors.UNSUPPORTED_QUERY("Syntax error in $search: clauses are joined by OR or AND.")
        if connective.group(1) == "OR":
            alternatives.append([])
        position, expect_clause = connective.end(), True
    if expect_clause:
        raise errors.UNSUPPORTED_QUERY("Syntax error in $search: it ends without a clause.")
    return alternatives


def _search_matches(person: DirectoryUser, alternatives: list[list[tuple[str, str]]]) -> bool:
    return any(
        all(_word_prefix(str(getattr(person, column) or ""), term) for column, term in clauses)
        for clauses in alternatives
    )


def _word_prefix(value: str, term: str) -> bool:
    """Does `term` start the value or any word in it ("amy" finds "Amy Example" and "x.amy@y")?"""
    value = value.lower()
    if not term:
        return True
    start = value.find(term)
    while start != -1:
        if start == 0 or not value[start - 1].isalnum():
            return True
        start = value.find(term, start + 1)
    return False
