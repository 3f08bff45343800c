"""Issue 12, points 5 and 6: what the admin search says about each person (their tokens, whether
they are out of this administrator's reach) in one Graph request, and the stock type-ahead of
"Give a token" (available tokens only, a prefix on an index, limited; an exact serial without JS)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from portal.program.models import ProgramToken
from portal.program.stock import STOCK_SUGGESTIONS, stock_search
from portal.sandbox.models import DirectoryUser
from portal.sandbox.requestlog import count_graph_calls
from tests.support.admins import (
    ALEX,
    ALEX_ACTIVE,
    ALEX_FAILED,
    FREE,
    FREE_2,
    PRIV_AUTH_ADMIN,
    SignedIn,
    snapshot_refreshed,
    text_of,
)
from tests.support.tokens import holder_of, status_of

pytestmark = pytest.mark.django_db

ALEX_UPN = "alex.wilber@contoso-sandbox.example"
PATTI_UPN = "patti.fernandez@contoso-sandbox.example"
PAA_NEEDED = "Needs a Privileged Authentication Administrator"


def cards(page: str) -> dict[str, str]:
    """Each result card's text (tags dropped, spaces folded), by the person's UPN."""
    found = {}
    for card in re.findall(r'<li class="card person">(.*?)</li>', page, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", card).split())
        upn = re.search(r"[\w.]+@contoso-sandbox\.example", text)
        assert upn, text
        found[upn.group(0)] = text
    return found


# -- the search results -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the real db_worker closes the connection
def test_results_show_tokens_and_who_needs_a_privileged_administrator(isaiah: Client) -> None:
    snapshot_refreshed(isaiah)
    alex = cards(text_of(isaiah.get("/admin/users/", {"q": "alex"})))[ALEX_UPN]
    assert "Hardware tokens 2 Active tokens 1" in alex
    assert PAA_NEEDED not in alex and "admin role" not in alex

    patti = cards(text_of(isaiah.get("/admin/users/", {"q": "patti"})))[PATTI_UPN]
    assert "Hardware tokens 1 Active tokens 1" in patti
    # Said in words, not only by the card's colour.
    assert "Holds an admin role." in patti
    assert PAA_NEEDED in patti

    DirectoryUser.objects.create(user_principal_name="newbie@contoso-sandbox.example", display_name="Newbie Person")
    newbie = cards(text_of(isaiah.get("/admin/users/", {"q": "newbie"})))["newbie@contoso-sandbox.example"]
    assert "Hardware tokens None" in newbie and "Active tokens" not in newbie


def test_a_privileged_administrator_is_told_the_role_but_not_that_someone_else_is_needed(
    signed_in: SignedIn,
) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    patti = cards(text_of(lynne.get("/admin/users/", {"q": "patti"})))[PATTI_UPN]
    assert "Holds an admin role. Your role lets you change their tokens." in patti
    assert PAA_NEEDED not in patti


def test_before_the_first_snapshot_the_counts_say_so(isaiah: Client) -> None:
    alex = cards(text_of(isaiah.get("/admin/users/", {"q": "alex"})))[ALEX_UPN]
    assert "Not counted yet (no inventory snapshot)" in alex


@pytest.mark.django_db(transaction=True)  # the real db_worker closes the connection
def test_one_graph_request_and_a_bounded_number_of_queries_whatever_the_results(
    isaiah: Client, django_assert_max_num_queries: Any
) -> None:
    snapshot_refreshed(isaiah)
    DirectoryUser.objects.bulk_create(
        DirectoryUser(user_principal_name=f"temp{n:02d}@contoso-sandbox.example", display_name=f"Temp Worker {n:02d}")
        for n in range(30)
    )
    queries = {}
    for query, shown in (("alex", 1), ("temp", 25)):
        with count_graph_calls() as graph, django_assert_max_num_queries(12) as db:
            page = text_of(isaiah.get("/admin/users/", {"q": query}))
        assert len(cards(page)) == shown
        assert len(graph.requests) == 1, query  # the search brings the roles along ($expand=memberOf)
        assert graph.requests[0].path.endswith("/users"), query
        assert graph.batch_items == []
        queries[query] = len(db.captured_queries)
    assert queries["alex"] == queries["temp"]  # the token counts are one grouped query, not one a person


# -- the stock type-ahead ---------------------------------------------------------------------------


def suggested(client: Client, text: str, field: str = "serial_number") -> list[str]:
    response = client.get("/admin/stock/", {field: text}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return re.findall(r'data-value="([^"]+)"', text_of(response))


@pytest.mark.django_db(transaction=True)  # the real db_worker closes the connection
def test_type_ahead_offers_available_tokens_only(isaiah: Client) -> None:
    snapshot_refreshed(isaiah)
    offered = suggested(isaiah, "6020")
    assert FREE in offered and FREE_2 in offered
    assert ALEX_FAILED not in offered  # assigned to Alex
    assert offered == sorted(offered)
    assert suggested(isaiah, "SI-0100010") == ["SI-01000103", "SI-01000104", "SI-01000105", "SI-01000106"]
    assert ALEX_ACTIVE not in suggested(isaiah, ALEX_ACTIVE)
    # Typed as printed, in groups and lower case; and from the end of the serial, as people read it.
    assert suggested(isaiah, "si-0100 0103") == ["SI-01000103"]
    assert suggested(isaiah, "0104") == [FREE, "PSL-7000104", "SI-01000104"]
    assert suggested(isaiah, "NOPE") == []


def test_type_ahead_is_limited_and_answers_without_graph(isaiah: Client) -> None:
    ProgramToken.objects.bulk_create(
        ProgramToken(device_id=f"lim-{n:03d}", serial_number=f"LIM{n:03d}", status="available") for n in range(30)
    )
    ProgramToken.objects.create(device_id="lim-held", serial_number="LIM000X", status="activated", holder_id=ALEX)
    with count_graph_calls() as graph:
        offered = suggested(isaiah, "lim")
    assert offered == [f"LIM{n:03d}" for n in range(STOCK_SUGGESTIONS)]
    assert graph.requests == []


def test_the_prefix_is_answered_from_the_stock_index() -> None:
    stock_search(text="6020")  # warm up lifecycle lookups
    query = ProgramToken.objects.filter(
        status="available", serial_number__gte="6020", serial_number__lt="6020\U0010ffff"
    )
    sql, params = query.order_by("serial_number")[:20].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A demo-sized table is cheaper to scan: ask whether the index can answer, as it must at 10,000.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "program_stock_serial" in plan


# -- giving a token: one field, exact serial without JavaScript -------------------------------------


def test_give_page_has_one_serial_field_with_the_type_ahead(isaiah: Client) -> None:
    page = text_of(isaiah.get(f"/admin/users/{ALEX}/assign"))
    assert page.count('name="serial_number"') == 1
    main = page.split("<main", 1)[1].split("</main>", 1)[0]  # the language switch below is a <select>
    assert main.count("<select") == 0
    assert 'hx-get="/admin/stock/"' in page
    assert page.count('name="code"') == 1


def test_without_javascript_an_exact_serial_is_given_and_a_wrong_one_explained(isaiah: Client) -> None:
    # No HX-Request header: the plain form post of a browser without JavaScript.
    missing = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": "6020 9999"})
    assert missing.status_code == 400
    page = text_of(missing)
    assert "There is a problem" in page
    assert "There is no token with serial number 60209999" in page
    assert 'value="6020 9999"' in page  # what was typed stays in the field

    taken = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": "2100040003"})
    assert "already assigned to Patti Fernandez" in text_of(taken)

    given = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": f"{FREE[:4]} {FREE[4:]}"})
    assert given.status_code == 302
    assert (status_of(FREE), holder_of(FREE)) == ("assigned", ALEX_UPN)
