"""The dry run: per-row verdicts and reasons, found with read-only Graph calls only."""

from __future__ import annotations

import pytest

from portal.imports.models import ImportJob, ImportRow
from portal.sandbox.models import HardwareToken
from portal.sandbox.requestlog import count_graph_calls
from tests.imports.filemakers import entra_csv, oath_csv
from tests.support.imports import (
    ALEX,
    GUEST,
    MEGAN,
    MIRIAM,
    NESTOR,
    admin_client,
    analysed,
    b32,
    confirm,
    imported,
    run_worker,
    sandbox_serials,
    secret_for,
    upload,
)
from tests.support.tokens import holder_of

# transaction=True: the real db_worker calls close_old_connections(), which drops a connection
# held inside a test transaction (on PostgreSQL; in-memory SQLite ignores the close).
pytestmark = pytest.mark.django_db(transaction=True)

Verdict = ImportRow.Verdict


def verdicts(job: ImportJob) -> dict[int, tuple[str, str]]:
    return {row.row_number: (row.verdict, row.reason) for row in job.rows.order_by("row_number")}


def only_reads(calls: object) -> None:
    """Every Graph round trip a GET or a $batch envelope, and every $batch member a GET."""
    requests = calls.requests  # type: ignore[attr-defined]
    assert requests, "expected the dry run to look things up"
    for entry in requests:
        assert entry.method == "GET" or (entry.method == "POST" and entry.path.endswith("/$batch")), str(entry)
    assert all(member.method == "GET" for member in calls.batch_items), calls.describe()  # type: ignore[attr-defined]


def test_malformed_rows_get_reasons_and_are_never_sent(demo_tenant: None) -> None:
    good = b32(secret_for("ok"))
    data = entra_csv(
        [
            ("BAD-1", "NOT*BASE32!", "30", "Feitian", "c200"),
            ("BAD-2", b32(secret_for("b2")), "45", "Feitian", "c200"),
            ("OK-1", good, "30", "Feitian", "c200"),
            ("OK-1", b32(secret_for("dup")), "30", "Feitian", "c200"),
            ("BAD-3", "", "30", "Feitian", "c200"),
            ("OK-2", b32(secret_for("ok2")), "60", "Feitian", "c200"),
        ],
        with_upn=False,
    )
    client = admin_client(NESTOR)
    with count_graph_calls() as calls:
        job = analysed(client, data)
        only_reads(calls)
    found = verdicts(job)
    assert found[2][0] == Verdict.REJECT and "Base32" in found[2][1]
    assert found[3][0] == Verdict.REJECT and "30 or 60" in found[3][1]
    assert found[4] == (Verdict.CREATE, "")
    assert found[5] == (Verdict.SKIP_DUPLICATE_FILE, "duplicate serial in this file (first seen on row 4)")
    assert found[6] == (Verdict.REJECT, "missing secret")
    assert job.plan == {"reject": 3, "create": 2, "skip_duplicate_file": 1}
    # Rows that will not be sent keep no secret, even sealed.
    assert not job.rows.exclude(verdict__in=ImportRow.SENDING).exclude(secret=b"").exists()

    confirm(client, job)
    with count_graph_calls() as calls:
        run_worker()
    job.refresh_from_db()
    assert job.results == {"created": 2, "rejected": 3, "skipped": 1}
    assert sandbox_serials("OK-") == {"OK-1", "OK-2"}
    assert not sandbox_serials("BAD-")
    assert [entry.method for entry in calls.requests] == ["PATCH"]
    assert job.rows.get(row_number=5).outcome == ImportRow.Outcome.SKIPPED


def test_linotp_rows_entra_cannot_take(demo_tenant: None) -> None:
    hexseed = secret_for("l").hex()
    data = oath_csv(
        [
            ["H1", hexseed, "hotp", "6", "0"],
            ["T8", hexseed, "totp", "8", "30"],
            ["T512", hexseed, "totp", "6", "30", "sha512"],
            ["T6", hexseed, "totp", "6", "30"],
        ]
    )
    job = imported(admin_client(NESTOR), data, name="linotp.csv", default_manufacturer="X", default_model="Y")
    reasons = {row.serial: row.reason for row in job.rows.filter(verdict=Verdict.REJECT)}
    assert set(reasons) == {"H1", "T8", "T512"}
    assert "HOTP" in reasons["H1"] and "8-digit" in reasons["T8"] and "512" in reasons["T512"]
    assert sandbox_serials("T") == {"T6"} and not sandbox_serials("H1")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "That file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00binary junk\x00\x00", "save the sheet as “CSV UTF-8”"),
        (b"name,email\r\nx,y\r\n", "Expected one of"),
        (b"serial,secret\r\n" + b"".join(f"S{n},{'A' * 16}\r\n".encode() for n in range(12)), "more than 10 rows"),
    ],
    ids=["empty", "binary-junk", "wrong-header", "too-many-rows"],
)
def test_files_that_cannot_be_imported_at_all(demo_tenant: None, settings: object, data: bytes, message: str) -> None:
    settings.IMPORT_MAX_ROWS = 10  # type: ignore[attr-defined]
    client = admin_client(NESTOR)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with count_graph_calls() as calls:
        response = client.post("/admin/imports/new", {"file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists() and not ImportRow.objects.exists()
    assert all(entry.method == "GET" for entry in calls.requests)  # at most the sign-in token check


def test_unknown_users_are_found_before_anything_is_sent_and_their_tokens_created_unassigned(
    demo_tenant: None,
) -> None:
    data = entra_csv(
        [
            (MEGAN, "U-1", b32(secret_for("u1")), "30", "Feitian", "c200"),
            ("nobody@contoso-sandbox.example", "U-2", b32(secret_for("u2")), "30", "Feitian", "c200"),
            (GUEST, "U-3", b32(secret_for("u3")), "30", "Feitian", "c200"),
            ("NOBODY@contoso-sandbox.example", "U-4", b32(secret_for("u4")), "30", "Feitian", "c200"),
        ]
    )
    client = admin_client(MIRIAM)
    with count_graph_calls() as calls:
        job = analysed(client, data)
        only_reads(calls)
    assert len(calls.batch_items) >= 2  # the UPNs were looked up, batched
    found = verdicts(job)
    assert found[2][0] == Verdict.CREATE_ASSIGN
    assert found[3] == (
        Verdict.CREATE_UNASSIGNED,
        "unknown user nobody@contoso-sandbox.example: there is no such account in the directory",
    )
    assert found[4][0] == Verdict.REJECT  # a guest: refused by the parser already
    assert found[5][0] == Verdict.CREATE_UNASSIGNED and "unknown user" in found[5][1]
    assert job.plan == {"create_assign": 1, "create_unassigned": 2, "reject": 1}
    assert not sandbox_serials("U-")

    confirm(client, job)
    run_worker()
    job.refresh_from_db()
    assert sandbox_serials("U-") == {"U-1", "U-2", "U-4"}
    assert holder_of("U-1") == MEGAN and holder_of("U-2") is None and holder_of("U-4") is None
    assert job.results == {"assigned": 1, "created_unassigned": 2, "rejected": 1}


def test_admin_who_cannot_assign_gets_unassigned_tokens_and_is_told(demo_tenant: None) -> None:
    data = entra_csv([(ALEX, "NA-1", b32(secret_for("na")), "30", "Feitian", "c200")])
    client = admin_client(NESTOR)  # Authentication Policy Administrator: inventory, not users
    job = analysed(client, data)
    row = job.rows.get()
    assert row.verdict == Verdict.CREATE_UNASSIGNED
    assert row.reason.startswith("not assigned to alex.wilber@contoso-sandbox.example: assigning tokens")
    confirm(client, job)
    run_worker()
    assert sandbox_serials("NA-") == {"NA-1"} and holder_of("NA-1") is None


def test_serials_already_in_the_inventory_are_skipped_and_a_rerun_skips_everything(demo_tenant: None) -> None:
    rows = [("60200104", b32(secret_for("x")), "30", "Token2", "C202")]
    rows += [(f"R-{n}", b32(secret_for(f"r{n}")), "30", "Token2", "C202") for n in range(15)]
    data = entra_csv(rows, with_upn=False)
    client = admin_client(NESTOR)
    first = analysed(client, data)
    assert first.plan == {"skip_exists": 1, "create": 15}
    assert first.rows.get(serial="60200104").reason == "already in the inventory"
    confirm(client, first)
    run_worker()
    before = HardwareToken.objects.count()

    again = analysed(client, data)
    assert again.plan == {"skip_exists": 16}
    assert again.to_send == 0
    confirm(client, again)
    with count_graph_calls() as calls:
        run_worker()
    again.refresh_from_db()
    assert again.status == ImportJob.Status.DONE
    assert again.results == {"skipped": 16}
    assert HardwareToken.objects.count() == before
    assert not [entry for entry in calls.requests if entry.method != "GET"]


def test_discarding_a_dry_run_sends_nothing_and_forgets_it(demo_tenant: None) -> None:
    client = admin_client(NESTOR)
    job = analysed(client, entra_csv([("D-1", b32(secret_for("d")), "30", "A", "B")], with_upn=False))
    with count_graph_calls() as calls:
        response = client.post(f"/admin/imports/{job.public_id}/discard", follow=True)
    assert "was discarded. Nothing was sent" in response.content.decode()
    assert not ImportJob.objects.filter(pk=job.pk).exists() and not ImportRow.objects.exists()
    assert not calls.requests
    run_worker()
    assert not sandbox_serials("D-")


def test_dry_run_is_paged_and_downloadable(demo_tenant: None) -> None:
    rows = [(f"PG-{n:03d}", b32(secret_for(f"p{n}")), "30", "A", "B") for n in range(60)]
    rows.append(("=HYPERLINK(1)", "!!", "30", "A", "B"))
    client = admin_client(NESTOR)
    job = analysed(client, entra_csv(rows, with_upn=False))
    page = client.get(f"/admin/imports/{job.public_id}/").content.decode()
    assert "Nothing has been sent to Microsoft Entra ID yet" in page
    assert "PG-000" in page and "PG-059" not in page and "page 1 of 2" in page
    problems = client.get(f"/admin/imports/{job.public_id}/?show=problems").content.decode()
    assert "=HYPERLINK(1)" in problems and "PG-000" not in problems
    download = client.get(f"/admin/imports/{job.public_id}/rows.csv")
    assert download["Content-Type"].startswith("text/csv")
    text = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    lines = text.splitlines()
    assert lines[0] == "Row,Serial number,User,Dry run,Dry-run note,Result,Result details,Token ID"
    assert len(lines) == 62
    assert "'=HYPERLINK(1)" in text  # CSV injection guard
    assert upload  # (imported for other modules' symmetry)
