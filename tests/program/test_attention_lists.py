"""Each rule of the needs-attention queue has its own list: every item, a page at a time, with the
same fixes as the overview, and a CSV export; the overview's "And N more" leads there."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.attempts import attempt_begin, attempt_finish
from portal.identity.models import User
from portal.program.attention import RULE_PAGE_SIZE, SHOWN_PER_RULE
from portal.program.models import ProgramToken
from portal.sandbox import seed
from portal.sandbox.requestlog import count_graph_calls
from tests.support.admins import PRIV_AUTH_ADMIN, READER, SignedIn, snapshot_refreshed

pytestmark = pytest.mark.django_db(transaction=True)

EXTRA = 75  # failed activations besides Alex's: the overview shows 20, the list pages of 50


def serials_of(page: str) -> list[str]:
    """The serials of the items listed on a page, in order."""
    items = re.findall(r'<li class="attention-item" data-rule="[a-z_]+">(.*?)</li>', page, re.S)
    return [found for body in items for found in re.findall(r"· token (\S+?)</span>", body)]


def with_many_failed_activations(client: Client) -> list[str]:
    """The demo snapshot plus EXTRA failed activations, oldest first; returns every serial of the rule."""
    snapshot_refreshed(client)
    long_ago = timezone.now() - timedelta(days=400)
    ProgramToken.objects.bulk_create(
        ProgramToken(
            device_id=str(uuid.uuid4()),
            serial_number=f"FAIL{n:04d}",
            status="failedActivation",
            holder_id=str(uuid.uuid4()),
            holder_name=f"Person {n:04d}",
            holder_exists=True,
            holder_enabled=True,
            assigned_at=long_ago + timedelta(hours=n),
        )
        for n in range(EXTRA)
    )
    return [f"FAIL{n:04d}" for n in range(EXTRA)] + ["60200102"]  # Alex's is the newest


def test_and_n_more_leads_to_the_whole_list_page_by_page(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    every = with_many_failed_activations(lynne)
    overview = lynne.get("/admin/").content.decode()
    section = re.search(
        r'<section class="attention-group" aria-labelledby="rule-failed_activation">.*?</section>', overview, re.S
    )
    assert section
    assert serials_of(section.group(0)) == every[:SHOWN_PER_RULE]
    more = re.search(r'<a href="([^"]+)">And (\d+) more', section.group(0))
    assert more and more.group(1) == "/admin/attention/failed_activation/"
    assert int(more.group(2)) == len(every) - SHOWN_PER_RULE

    first = lynne.get(more.group(1)).content.decode()
    assert f"Items 1 to {RULE_PAGE_SIZE} of {len(every)}, oldest first." in first
    assert serials_of(first) == every[:RULE_PAGE_SIZE]
    assert f'href="/admin/users/{ProgramToken.objects.get(serial_number="FAIL0000").holder_id}/"' in first
    next_page = re.search(r'<a href="\?([^"]+)" rel="next">Next page</a>', first)
    assert next_page
    second = lynne.get(f"{more.group(1)}?{next_page.group(1).replace('&amp;', '&')}").content.decode()
    assert serials_of(second) == every[RULE_PAGE_SIZE:]
    assert 'rel="next"' not in second and 'rel="prev">Previous page</a>' in second
    # A page number out of range, or no number at all, gives the nearest page rather than an error.
    assert serials_of(lynne.get(f"{more.group(1)}?page=99").content.decode()) == every[RULE_PAGE_SIZE:]
    assert serials_of(lynne.get(f"{more.group(1)}?page=x").content.decode()) == every[:RULE_PAGE_SIZE]


def test_a_rule_list_answers_from_the_snapshot_with_bounded_queries(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    with_many_failed_activations(lynne)
    for path in ("/admin/attention/failed_activation/", "/admin/attention/failed_activation/?page=2"):
        with count_graph_calls() as graph, CaptureQueriesContext(connection) as queries:
            response = lynne.get(path)
        assert response.status_code == 200
        assert graph.requests == []
        assert len(queries) <= 25, len(queries)
    with count_graph_calls() as graph, CaptureQueriesContext(connection) as queries:
        response = lynne.get("/admin/attention/failed_activation.csv")
        b"".join(response.streaming_content)
    assert graph.requests == [] and len(queries) <= 25


def test_the_csv_export_holds_every_item_of_the_rule(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    every = with_many_failed_activations(lynne)
    ProgramToken.objects.filter(serial_number="FAIL0001").update(holder_name="=HYPERLINK(1)")
    reader = signed_in(READER)  # a read-only role exports the same
    response = reader.get("/admin/attention/failed_activation.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="needs-attention-failed_activation.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Who", "User principal name", "Token", "Problem", "Date (UTC)", "What the date is"]
    assert [row[2] for row in rows[1:]] == every
    first = rows[1]
    assert first[0] == "Person 0000" and first[4].startswith(str((timezone.now() - timedelta(days=400)).year))
    assert first[5] == "Assigned"
    assert rows[2][0] == "'=HYPERLINK(1)"  # a formula is defused
    alex = rows[-1]
    assert (alex[0], alex[1]) == ("Alex Wilber", f"alex.wilber@{seed.DOMAIN}")
    # The reports page names every rule, with its list and its CSV.
    page = reader.get("/admin/reports/").content.decode()
    assert 'href="/admin/attention/failed_activation/"' in page
    assert 'href="/admin/attention/failed_activation.csv"' in page


def test_a_read_only_role_sees_the_list_without_the_fixes(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    with_many_failed_activations(lynne)
    page = signed_in(READER).get("/admin/attention/failed_activation/").content.decode()
    assert len(serials_of(page)) == RULE_PAGE_SIZE
    assert "/admin/users/" not in page.split("<main", 1)[1]
    assert "Refresh now" not in page


def test_a_lockout_is_lifted_from_its_list_and_the_list_comes_back(signed_in: SignedIn) -> None:
    User.objects.create(username=seed.ADELE, display_name="Adele Vance", upn=f"adele.vance@{seed.DOMAIN}")
    for _ in range(5):
        attempt_finish(attempt_begin(person_oid=seed.ADELE, serial="60200104"), wrong_code=True)
    lynne = signed_in(PRIV_AUTH_ADMIN)
    snapshot_refreshed(lynne)
    reader_page = signed_in(READER).get("/admin/attention/locked_out/").content.decode()
    assert "Adele Vance" in reader_page and "60200104" in reader_page
    assert 'name="key"' not in reader_page and "Lift the pause<span" not in reader_page
    page = lynne.get("/admin/attention/locked_out/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page)
    assert key and 'name="back" value="locked_out"' in page
    lifted = lynne.post("/admin/program/lockouts/lift", {"key": key.group(1), "back": "locked_out"})
    assert lifted.status_code == 302 and lifted["Location"] == "/admin/attention/locked_out/"
    after = lynne.get("/admin/attention/locked_out/").content.decode()
    assert "The pause was lifted" in after and "Nothing needs you here right now." in after


def test_an_unknown_rule_is_not_found(signed_in: SignedIn) -> None:
    reader = signed_in(READER)
    assert reader.get("/admin/attention/nothing/").status_code == 404
    assert reader.get("/admin/attention/nothing.csv").status_code == 404


def test_a_lockout_is_named_by_its_own_keys_not_by_hashing_everyone(signed_in: SignedIn) -> None:
    """The locked-out rule reads the people and tokens its lockouts name (indexed lookups of their
    keys), whatever the number of portal users and tokens."""
    from portal.program.attention import lockout_items

    lynne = signed_in(PRIV_AUTH_ADMIN)
    snapshot_refreshed(lynne)
    User.objects.bulk_create(User(username=str(uuid.uuid4()), display_name=f"Someone {n}") for n in range(300))
    User.objects.create(username=seed.ADELE, display_name="Adele Vance", upn=f"adele.vance@{seed.DOMAIN}")
    for _ in range(5):
        attempt_finish(attempt_begin(person_oid=seed.ADELE, serial="60200104"), wrong_code=True)
    for _ in range(5):  # five people, one wrong code each: the token is locked, nobody else is
        attempt_finish(attempt_begin(person_oid=str(uuid.uuid4()), serial="60200105"), wrong_code=True)
    with CaptureQueriesContext(connection) as queries:
        items = lockout_items(now=timezone.now())
    named = {(item.who, item.serial) for item in items}
    assert named == {("Adele Vance", "60200104"), ("", "60200105")}  # the token's item: "Anyone typing …"
    reads = [q["sql"] for q in queries if '"identity_user"' in q["sql"] or '"program_programtoken"' in q["sql"]]
    assert len(reads) == 2
    assert all('"attempts_key" IN' in sql for sql in reads), reads
