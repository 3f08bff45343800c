"""A dropped assignment: its own verdict and count in the dry run, its result in the past tense, and
the follow-up that assigns the created tokens to the people the file names, in one step."""

from __future__ import annotations

import html
import re

import pytest

from portal.audit.models import AuditEvent
from portal.graph import calls
from portal.imports.models import ImportJob, ImportRow
from portal.sandbox.models import HardwareToken
from tests.imports.filemakers import entra_csv
from tests.support.imports import (
    ADELE,
    ALEX,
    ISAIAH,
    MEGAN,
    MIRIAM,
    NESTOR,
    admin_client,
    analysed,
    b32,
    graph_as,
    imported,
    run_worker,
    user_id,
)
from tests.support.tokens import holder_of

pytestmark = pytest.mark.django_db(transaction=True)

Verdict = ImportRow.Verdict


def seed_file(prefix: str, people: list[str | None], bad: int = 0) -> bytes:
    """One row per person (None: a row naming nobody), then `bad` rows the dry run rejects."""
    rows = [
        (person or "", f"{prefix}-{n}", b32(bytes([n + 1]) * 20), "30", "Feitian", "c200")
        for n, person in enumerate(people)
    ]
    rows += [(ALEX, f"{prefix}-BAD{n}", "NOT*BASE32!", "30", "Feitian", "c200") for n in range(bad)]
    return entra_csv(rows)


def text_of(page: str) -> str:
    """What a person reads: the tags gone, the spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def row_cells(page: str, serial: str) -> str:
    match = re.search(
        r"<tr>\s*<td class=\"num\">\d+</td>\s*<td><span class=\"serial\">" + re.escape(serial) + r"</span>.*?</tr>",
        page,
        re.S,
    )
    assert match, serial
    return match.group(0)


def test_the_dry_run_shows_and_counts_each_dropped_assignment(demo_tenant: None) -> None:
    client = admin_client(NESTOR)  # Authentication Policy Administrator: may create, not assign
    job = analysed(client, seed_file("DA", [ALEX, MEGAN, None], bad=1))
    assert job.plan == {"create_unassigned": 2, "create": 1, "reject": 1}

    page = client.get(f"/admin/imports/{job.public_id}/").content.decode()
    words = text_of(page)
    assert "1 to create 2 to create without assignment 1 rejected" in words
    cells = row_cells(page, "DA-0")
    assert "Create, not assigned" in cells and "outcome-success" not in cells
    # The why is the row's text, not small print, and says it in the person's words.
    assert "<small>" not in cells
    assert f"Not assigned to {ALEX}: assigning tokens to people needs the Authentication Administrator" in text_of(
        cells
    )
    assert "will be created" not in words
    problems = client.get(f"/admin/imports/{job.public_id}/?show=problems").content.decode()
    assert "DA-0" in problems and "DA-BAD0" in problems and "DA-2" not in problems  # a dropped one is a problem
    index = text_of(client.get("/admin/imports/").content.decode())
    assert "1 to create · 2 to create without assignment · 1 rejected" in index


def test_an_unknown_user_is_a_dropped_assignment_for_an_admin_who_may_assign(demo_tenant: None) -> None:
    client = admin_client(MIRIAM)  # Global Administrator: looks the people up
    job = analysed(client, seed_file("DU", [ALEX, "nobody@contoso-sandbox.example"]))
    assert job.plan == {"create_assign": 1, "create_unassigned": 1}
    words = text_of(client.get(f"/admin/imports/{job.public_id}/").content.decode())
    assert "1 to create and assign 1 to create without assignment" in words
    assert "Unknown user nobody@contoso-sandbox.example: there is no such account in the directory" in words


def test_after_the_import_every_word_is_in_the_past_and_the_list_has_every_count(demo_tenant: None) -> None:
    client = admin_client(NESTOR)
    job = imported(client, seed_file("DP", [ALEX, MEGAN, None], bad=1))
    assert job.results == {"created_unassigned": 2, "created": 1, "rejected": 1}
    page = client.get(f"/admin/imports/{job.public_id}/").content.decode()
    words = text_of(page)
    assert "1 created 2 created, not assigned 0 failed 1 rejected (not sent)" in words
    assert "Created, not assigned" in row_cells(page, "DP-0")
    assert "will be" not in words and "to create" not in words.split("Rows")[0]
    index = text_of(client.get("/admin/imports/").content.decode())
    assert "1 created · 2 created, not assigned · 1 rejected (not sent)" in index


def test_an_admin_without_the_role_is_told_who_can_assign_and_is_refused(demo_tenant: None) -> None:
    nestor = admin_client(NESTOR)
    job = imported(nestor, seed_file("DN", [ALEX, MEGAN]))
    words = text_of(nestor.get(f"/admin/imports/{job.public_id}/").content.decode())
    assert "2 tokens were created without being assigned to the people the file names." in words
    assert "Ask an Authentication Administrator" in words
    assert "Assign the 2 created tokens" not in words

    refused = nestor.post(f"/admin/imports/{job.public_id}/assign-created")
    assert refused.status_code == 403
    refusal = text_of(refused.content.decode())
    assert "to assign the tokens an import created to the people named in its file" in refusal
    assert "Authentication Administrator" in refusal
    assert not ImportJob.objects.filter(follow_up_of=job).exists()
    assert (holder_of("DN-0"), holder_of("DN-1")) == (None, None)


def test_the_follow_up_assigns_every_created_token_in_one_step_audited_and_only_once(demo_tenant: None) -> None:
    job = imported(admin_client(NESTOR), seed_file("DF", [ALEX, MEGAN, ALEX, None]))
    isaiah = admin_client(ISAIAH)  # Authentication Administrator
    page = text_of(isaiah.get(f"/admin/imports/{job.public_id}/").content.decode())
    assert "Assign the 3 created tokens to the people named in the file" in page
    assert "Ask an Authentication Administrator" not in page

    response = isaiah.post(f"/admin/imports/{job.public_id}/assign-created")
    assert response.status_code == 302
    # Pressed twice before the worker got to it: still one follow-up.
    assert isaiah.post(f"/admin/imports/{job.public_id}/assign-created").status_code == 302
    assert ImportJob.objects.filter(follow_up_of=job).count() == 1
    follow_up = ImportJob.objects.get(follow_up_of=job)
    assert response["Location"].endswith(f"/admin/imports/{follow_up.public_id}/")

    run_worker()  # its dry run, then (no confirmation needed) the assignments
    follow_up.refresh_from_db()
    assert follow_up.status == ImportJob.Status.DONE, follow_up.error
    assert follow_up.results == {"assigned": 3}
    assert (holder_of("DF-0"), holder_of("DF-1"), holder_of("DF-2"), holder_of("DF-3")) == (ALEX, MEGAN, ALEX, None)

    events = AuditEvent.objects.filter(action=AuditEvent.Action.USER_ASSIGN).order_by("token_serial")
    assert [(e.actor_upn, e.target_upn, e.token_serial, e.outcome) for e in events] == [
        (ISAIAH, ALEX, "DF-0", "success"),
        (ISAIAH, MEGAN, "DF-1", "success"),
        (ISAIAH, ALEX, "DF-2", "success"),
    ]
    assert all(e.token_id and e.target_oid for e in events)

    # Per-token results on the follow-up's page, and the offer is gone from the import's.
    results = text_of(isaiah.get(f"/admin/imports/{follow_up.public_id}/").content.decode())
    assert "3 assigned" in results and "DF-0" in results and "DF-2" in results
    source = text_of(isaiah.get(f"/admin/imports/{job.public_id}/").content.decode())
    assert "Assign the" not in source and f"Assigned by {ISAIAH}" in source and "3 assigned" in source
    again = isaiah.post(f"/admin/imports/{job.public_id}/assign-created", follow=True)
    assert "has been dealt with" in text_of(again.content.decode())
    assert ImportJob.objects.filter(follow_up_of=job).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_ASSIGN).count() == 3


def test_tokens_assigned_meanwhile_are_reported_not_failed(demo_tenant: None) -> None:
    job = imported(admin_client(NESTOR), seed_file("DM", [ALEX, MEGAN, MEGAN, "nobody@contoso-sandbox.example"]))
    devices = dict(HardwareToken.objects.filter(serial_number__startswith="DM-").values_list("serial_number", "id"))
    helpdesk = graph_as(ISAIAH)
    helpdesk.call(calls.method_assign(user_id(ALEX), str(devices["DM-0"])))  # to its person, by hand
    helpdesk.call(calls.method_assign(user_id(ADELE), str(devices["DM-1"])))  # to someone else

    isaiah = admin_client(ISAIAH)
    assert "Assign the 4 created tokens" in text_of(isaiah.get(f"/admin/imports/{job.public_id}/").content.decode())
    isaiah.post(f"/admin/imports/{job.public_id}/assign-created")
    run_worker()
    follow_up = ImportJob.objects.get(follow_up_of=job)
    assert follow_up.status == ImportJob.Status.DONE, follow_up.error
    assert follow_up.results == {"skipped": 1, "rejected": 2, "assigned": 1}
    reasons = dict(follow_up.rows.values_list("serial", "reason"))
    assert "already assigned to" in reasons["DM-0"]
    assert "already assigned to" in reasons["DM-1"] and "unassign it from them first" in reasons["DM-1"]
    assert "unknown user nobody@contoso-sandbox.example" in reasons["DM-3"]
    assert (holder_of("DM-0"), holder_of("DM-1"), holder_of("DM-2"), holder_of("DM-3")) == (ALEX, ADELE, MEGAN, None)
    assert list(
        AuditEvent.objects.filter(action=AuditEvent.Action.USER_ASSIGN).values_list("token_serial", flat=True)
    ) == ["DM-2"]
    # Every token was settled one way or another: nothing left to offer.
    assert "Assign the" not in text_of(isaiah.get(f"/admin/imports/{job.public_id}/").content.decode())
