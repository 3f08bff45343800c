"""manage.py import_tokens: the same dry run and job as the pages, in the foreground."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.imports.models import ImportJob
from portal.sandbox import keys
from portal.sandbox.models import DirectoryUser
from portal.sandbox.requestlog import count_graph_calls
from tests.imports.filemakers import csv_bytes, entra_csv, pskc_file, pskc_key
from tests.imports.test_jobs_helpers import (  # noqa: F401 - _one_thread is an autouse fixture
    ISAIAH,
    MEGAN,
    NESTOR,
    _one_thread,
    b32,
    sandbox_serials,
    secret_for,
)
from tests.support.tokens import holder_of

# transaction=True: the real db_worker calls close_old_connections(), which drops a connection
# held inside a test transaction (on PostgreSQL; in-memory SQLite ignores the close).
pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_tokens", *args, stdout=out)
    return out.getvalue()


def seed_file(tmp_path: Path, prefix: str, count: int, *, bad: int = 0) -> Path:
    rows = [(f"{prefix}{n:03d}", b32(secret_for(f"{prefix}{n}")), "30", "Feitian", "c200") for n in range(count)]
    rows += [(f"{prefix}X{n}", "not base32!", "45", "Feitian", "c200") for n in range(bad)]
    path = tmp_path / f"{prefix}.csv"
    path.write_bytes(entra_csv(rows, with_upn=False))
    return path


def test_dry_run_sends_nothing_and_keeps_nothing(demo_tenant: None, tmp_path: Path) -> None:
    path = seed_file(tmp_path, "CD", 5, bad=2)
    report = tmp_path / "dry.csv"
    with count_graph_calls() as calls:
        output = run(str(path), "--as", NESTOR, "--dry-run", "--results-csv", str(report))
    assert "Read 7 row(s) from CD.csv (Microsoft Entra OATH token CSV (without UPN))." in output
    assert "  Create: 5" in output and "  Rejected: 2" in output
    assert "row 7 CDX0:" in output and "30 or 60" in output
    assert "Dry run only: nothing was sent." in output
    assert all(entry.method in ("GET", "POST") for entry in calls.requests)
    assert not [entry for entry in calls.requests if entry.method == "POST" and not entry.path.endswith("$batch")]
    assert not ImportJob.objects.exists()
    assert report.read_text().count("\n") == 8
    assert not sandbox_serials("CD")


def test_import_in_the_foreground_with_progress(demo_tenant: None, tmp_path: Path, settings: object) -> None:
    settings.IMPORT_CHUNK_SIZE = 10  # type: ignore[attr-defined]
    path = seed_file(tmp_path, "CF", 35)
    output = run(str(path), "--as", NESTOR)
    assert "Importing 35 row(s)…" in output
    assert "  10/35 (28 %) — created 10" in output
    assert "  35/35 (100 %) — created 35" in output
    assert "Finished in" in output and '{"created": 35}' in output
    assert len(sandbox_serials("CF")) == 35
    job = ImportJob.objects.get()
    assert (job.status, job.created_by_upn, job.delegated_cache) == ("done", NESTOR, b"")
    actions = set(AuditEvent.objects.filter(extra__job=str(job.public_id)).values_list("action", "actor_upn"))
    assert actions == {("import.start", NESTOR), ("import.finish", NESTOR)}
    # Again: everything skipped.
    again = run(str(path), "--as", NESTOR)
    assert "  Skip: already in the inventory: 35" in again and '{"skipped": 35}' in again


def test_encrypted_pskc_with_a_password_file(demo_tenant: None, tmp_path: Path) -> None:
    path = tmp_path / "keys.pskc"
    path.write_bytes(pskc_file([pskc_key("CP-1", secret_for("cp"), manufacturer=None, model=None)], password="s3cret"))
    (tmp_path / "pw.txt").write_text("s3cret\n")
    output = run(
        str(path), "--as", NESTOR, "--pskc-password-file", str(tmp_path / "pw.txt"),
        "--default-manufacturer", "Token2", "--default-model", "C202",
    )  # fmt: skip
    assert '{"created": 1}' in output
    with pytest.raises(CommandError, match="password"):
        run(str(path), "--as", NESTOR)


def test_bulk_assignment_from_the_command(demo_tenant: None, tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_bytes(csv_bytes([["userPrincipalName", "serialNumber"], [MEGAN, "60200104"], [MEGAN, "60200105"]]))
    output = run(str(path), "--as", ISAIAH, "--assignments")
    assert '{"assigned": 2}' in output
    assert holder_of("60200104") == MEGAN


def test_with_an_access_token_file_as_outside_the_sandbox(demo_tenant: None, tmp_path: Path) -> None:
    nestor = DirectoryUser.objects.get(user_principal_name=NESTOR)
    token = keys.mint_access_token(
        user=nestor, scopes=list(settings.ADMIN_SCOPES), client_id=settings.ENTRA_CLIENT_ID, auth_time=timezone.now()
    )
    token_file = tmp_path / "token.txt"
    token_file.write_text(token + "\n")
    path = seed_file(tmp_path, "CT", 3)
    assert '{"created": 3}' in run(str(path), "--as", NESTOR, "--access-token-file", str(token_file))
    with pytest.raises(CommandError, match=re.escape("belongs to nestor.wilke@contoso-sandbox.example, not to")):
        run(str(path), "--as", MEGAN, "--access-token-file", str(token_file))


def test_refusals(demo_tenant: None, tmp_path: Path) -> None:
    path = seed_file(tmp_path, "CR", 1)
    with pytest.raises(CommandError, match="holds none of the roles this needs"):
        run(str(path), "--as", ISAIAH)
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.csv"), "--as", NESTOR)
    with pytest.raises(CommandError, match="No enabled sandbox user"):
        run(str(path), "--as", "nobody@contoso-sandbox.example")
    assert not ImportJob.objects.exists()
