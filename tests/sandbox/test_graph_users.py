"""Users: /me, /users/{id | UPN}, /users with $search (ConsistencyLevel), $filter, $select, paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from portal.sandbox import roles
from portal.sandbox.models import DirectoryUser
from tests.sandbox.conftest import GRAPH, Directory, GraphClient, json_of

pytestmark = pytest.mark.django_db

USER_KEYS = {
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "givenName",
    "surname",
    "jobTitle",
    "department",
    "userType",
    "accountEnabled",
}
EVENTUAL = {"ConsistencyLevel": "eventual"}


@pytest.fixture
def admin(directory: Directory, graph: Callable[..., GraphClient]) -> GraphClient:
    return graph(directory.auth_admin)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [user["displayName"] for user in response.json()["value"]]


def test_me(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    response = graph(directory.employee).get("/me")
    assert response.status_code == 200
    body = json_of(response)
    assert body["@odata.context"] == f"{GRAPH}/$metadata#users/$entity"
    assert set(body) == USER_KEYS | {"@odata.context"}
    assert body["id"] == str(directory.employee.id)
    assert body["userPrincipalName"] == "amy.employee@contoso.test"
    assert body["userType"] == "Member"
    assert body["accountEnabled"] is True


def test_me_select(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    body = graph(directory.employee).get("/me", params={"$select": "displayName,id"}).json()
    assert {key for key in body if not key.startswith("@")} == {"displayName", "id"}
    assert body["@odata.context"].endswith("#users(displayName,id)/$entity")


def test_me_of_a_deleted_account_is_404(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    client = graph(directory.colleague)
    directory.colleague.delete()
    assert client.get("/me").status_code == 404


@pytest.mark.parametrize("ref", ["id", "upn", "UPN-upper"])
def test_get_user_by_id_or_upn(admin: GraphClient, directory: Directory, ref: str) -> None:
    user_ref = {
        "id": str(directory.guest.id),
        "upn": directory.guest.user_principal_name,
        "UPN-upper": directory.guest.user_principal_name.upper(),
    }[ref]
    # A guest's UPN contains '#EXT#': a client must percent-encode it, or '#' starts a fragment.
    response = admin.get(f"/users/{quote(user_ref, safe='@')}")
    assert response.status_code == 200
    assert response.json()["userType"] == "Guest"


def test_unknown_user(admin: GraphClient) -> None:
    response = admin.get("/users/nobody@contoso.test")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "Request_ResourceNotFound"


def test_list_users(admin: GraphClient, directory: Directory) -> None:
    body = admin.get("/users").json()
    assert body["@odata.context"] == f"{GRAPH}/$metadata#users"
    assert len(body["value"]) == 9
    assert names(admin.get("/users")) == sorted(names(admin.get("/users")))


def test_search_needs_consistency_level(admin: GraphClient) -> None:
    response = admin.get("/users", params={"$search": '"displayName:amy"'})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Request_UnsupportedQuery"
    assert "ConsistencyLevel" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ('"displayName:amy"', ["Amy Employee"]),
        ('"displayName:employee"', ["Amy Employee"]),  # any word of the name
        ('"displayName:mployee"', []),  # but only from the start of a word
        ('"userPrincipalName:carl"', ["Carl Colleague"]),
        (
            '"mail:contoso.test"',
            [
                "Aaron Authadmin",
                "Amy Employee",
                "Carl Colleague",
                "Gloria Reader",
                "Greg Global",
                "Gus Guest",
                "Hana Helpdesk",
                "Paul Policy",
                "Petra Privileged",
            ],
        ),
        ('"displayName:gre" OR "mail:paul"', ["Greg Global", "Paul Policy"]),
        ('"displayName:g" AND "mail:gloria"', ["Gloria Reader"]),
    ],
)
def test_search(admin: GraphClient, directory: Directory, search: str, expected: list[str]) -> None:
    assert names(admin.get("/users", params={"$search": search}, headers=EVENTUAL)) == expected


@pytest.mark.parametrize(
    "search",
    [
        "amy",
        '"amy"',
        '"colour:red"',
        '"displayName:amy" OR',
        '"displayName:a" XOR "mail:b"',
        '"displayName:a"b"',  # a quote inside a clause must be escaped
        '"displayName:a\\b"',  # so must a backslash
    ],
)
def test_bad_search_is_400(admin: GraphClient, search: str) -> None:
    response = admin.get("/users", params={"$search": search}, headers=EVENTUAL)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Request_UnsupportedQuery"


def test_search_terms_with_escaped_quotes_and_backslashes(admin: GraphClient, directory: Directory) -> None:
    # Graph's rule: inside a clause, a double quote or a backslash is escaped with a backslash.
    directory.colleague.display_name = 'Carl "Cee" Back\\slash'
    directory.colleague.save()
    for search in ('"displayName:\\"cee\\""', '"displayName:back\\\\slash"', '"displayName:\\"c"'):
        response = admin.get("/users", params={"$search": search}, headers=EVENTUAL)
        assert response.status_code == 200, (search, response.text)
        assert names(response) == ['Carl "Cee" Back\\slash'], search


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("startswith(displayName,'a')", ["Aaron Authadmin", "Amy Employee"]),
        (
            "startswith(displayName,'Pa') or startswith(userPrincipalName,'carl')",
            ["Carl Colleague", "Paul Policy"],
        ),
        ("startswith(mail,'gloria')", ["Gloria Reader"]),
        ("userType eq 'Guest'", ["Gus Guest"]),
        ("userPrincipalName eq 'AMY.EMPLOYEE@contoso.test'", ["Amy Employee"]),
    ],
)
def test_filter(admin: GraphClient, directory: Directory, expression: str, expected: list[str]) -> None:
    assert names(admin.get("/users", params={"$filter": expression})) == expected


def test_bad_filter_is_400(admin: GraphClient) -> None:
    response = admin.get("/users", params={"$filter": "endswith(mail,'x')"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Request_UnsupportedQuery"


def test_select_top_count_and_paging(admin: GraphClient, directory: Directory) -> None:
    DirectoryUser.objects.bulk_create(
        DirectoryUser(
            user_principal_name=f"bulk{n:03d}@contoso.test",
            display_name=f"Bulk {n:03d}",
            roles=[roles.MEMBER],
        )
        for n in range(120)
    )
    url = f"{GRAPH}/users?$filter=startswith(displayName,'Bulk')&$select=displayName&$top=50&$count=true"
    seen: list[str] = []
    first = True
    while url:
        response = admin.get(url, headers=EVENTUAL)
        body = response.json()
        if first:
            assert body["@odata.count"] == 120
            first = False
        else:
            assert "@odata.count" not in body
        assert all(set(user) == {"displayName"} for user in body["value"])
        seen += [user["displayName"] for user in body["value"]]
        url = body.get("@odata.nextLink")
    assert seen == [f"Bulk {n:03d}" for n in range(120)]


def test_count_needs_consistency_level(admin: GraphClient) -> None:
    assert admin.get("/users", params={"$count": "true"}).status_code == 400
    assert admin.get("/users/$count").status_code == 400
    response = admin.get("/users/$count", headers=EVENTUAL)
    assert response.status_code == 200
    assert response.text == "9"


def test_orderby(admin: GraphClient) -> None:
    ordered = names(admin.get("/users", params={"$orderby": "displayName desc", "$top": "2"}))
    assert ordered == ["Petra Privileged", "Paul Policy"]
    assert admin.get("/users", params={"$orderby": "jobTitle"}).status_code == 400


def test_user_read_basic_all_is_enough(directory: Directory, graph: Callable[..., GraphClient]) -> None:
    client = graph(directory.employee, ["User.Read", "User.ReadBasic.All"])
    assert client.get("/users").status_code == 200
    assert client.get(f"/users/{directory.colleague.id}").status_code == 200


# -- $expand=memberOf: the directory roles a user holds ----------------------------------------------


def test_expand_member_of_lists_directory_roles_not_the_member_template(
    admin: GraphClient, directory: Directory
) -> None:
    params = {
        "$filter": "startswith(displayName,'Aaron') or startswith(displayName,'Amy')",
        "$expand": "memberOf($select=id)",
    }
    body = json_of(admin.get("/users", params=params))
    member_of = {user["displayName"]: user["memberOf"] for user in body["value"]}
    (role,) = member_of["Aaron Authadmin"]
    assert role["@odata.type"] == "#microsoft.graph.directoryRole"
    assert set(role) == {"@odata.type", "id"}  # the nested $select
    assert role["id"] != roles.AUTHENTICATION_ADMINISTRATOR  # a role object's id, not its template id
    assert member_of["Amy Employee"] == []  # every member's `wids` template is not a directory role
    full = json_of(admin.get("/users", params={"$filter": "startswith(displayName,'Aaron')", "$expand": "memberOf"}))
    assert full["value"][0]["memberOf"][0]["roleTemplateId"] == roles.AUTHENTICATION_ADMINISTRATOR


@pytest.mark.parametrize(
    "params",
    [
        {"$search": '"displayName:amy"', "$expand": "memberOf"},
        {"$filter": "startswith(displayName,'amy')", "$count": "true", "$expand": "memberOf"},
    ],
)
def test_expand_is_not_supported_in_advanced_queries(admin: GraphClient, params: dict[str, str]) -> None:
    # Graph: "$expand is not currently supported with advanced queries."
    response = admin.get("/users", params=params, headers=EVENTUAL)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Request_UnsupportedQuery"


def test_expand_of_anything_else_is_400(admin: GraphClient) -> None:
    response = admin.get("/users", params={"$expand": "manager"})
    assert response.status_code == 400
