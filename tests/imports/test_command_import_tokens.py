"""manage.py import_tokens: the same dry run and job as the pages, in the foreground."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.audit.models import AuditEvent
from portal.imports.models import ImportJob
from portal.sandbox.requestlog import count_graph_calls
from tests.imports.filemakers import csv_bytes, entra_csv, pskc_file, pskc_key
from tests.support.imports import (
    ISAIAH,
    MEGAN,
    NESTOR,
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


def acting_as(upn: str, tmp_path: Path) -> list[str]:
    """`--as UPN --access-token-file PATH`, the token issued as the module docstring says for the
    sandbox tenant: `manage.py sandbox_token --user UPN --admin > token.txt`."""
    out = io.StringIO()
    call_command("sandbox_token", "--user", upn, "--admin", stdout=out)
    token_file = tmp_path / f"token-{upn.partition('@')[0]}.txt"
    token_file.write_text(out.getvalue() + "\n")
    return ["--as", upn, "--access-token-file", str(token_file)]


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
        output = run(str(path), *acting_as(NESTOR, tmp_path), "--dry-run", "--results-csv", str(report))
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
    output = run(str(path), *acting_as(NESTOR, tmp_path))
    assert "Importing 35 row(s)…" in output
    assert "  10/35 (28 %) — 10 created" in output
    assert "  35/35 (100 %) — 35 created" in output
    assert "Finished in" in output and '{"created": 35}' in output
    assert len(sandbox_serials("CF")) == 35
    job = ImportJob.objects.get()
    assert (job.status, job.created_by_upn, job.delegated_cache) == ("done", NESTOR, b"")
    actions = set(AuditEvent.objects.filter(extra__job=str(job.public_id)).values_list("action", "actor_upn"))
    assert actions == {("import.start", NESTOR), ("import.finish", NESTOR)}
    # Again: everything skipped.
    again = run(str(path), *acting_as(NESTOR, tmp_path))
    assert "  Skip: already in the inventory: 35" in again and '{"skipped": 35}' in again


def test_encrypted_pskc_with_a_password_file(demo_tenant: None, tmp_path: Path) -> None:
    path = tmp_path / "keys.pskc"
    path.write_bytes(pskc_file([pskc_key("CP-1", secret_for("cp"), manufacturer=None, model=None)], password="s3cret"))
    (tmp_path / "pw.txt").write_text("s3cret\n")
    output = run(
        str(path), *acting_as(NESTOR, tmp_path), "--pskc-password-file", str(tmp_path / "pw.txt"),
        "--default-manufacturer", "Token2", "--default-model", "C202",
    )  # fmt: skip
    assert '{"created": 1}' in output
    with pytest.raises(CommandError, match="password"):
        run(str(path), *acting_as(NESTOR, tmp_path))


def test_bulk_assignment_from_the_command(demo_tenant: None, tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_bytes(csv_bytes([["userPrincipalName", "serialNumber"], [MEGAN, "60200104"], [MEGAN, "60200105"]]))
    output = run(str(path), *acting_as(ISAIAH, tmp_path), "--assignments")
    assert '{"assigned": 2}' in output
    assert holder_of("60200104") == MEGAN


def test_the_access_token_must_belong_to_the_admin_named(demo_tenant: None, tmp_path: Path) -> None:
    path = seed_file(tmp_path, "CT", 3)
    nestors_token = acting_as(NESTOR, tmp_path)[-1]
    with pytest.raises(CommandError, match=re.escape("belongs to nestor.wilke@contoso-sandbox.example, not to")):
        run(str(path), "--as", MEGAN, "--access-token-file", nestors_token)
    assert '{"created": 3}' in run(str(path), "--as", NESTOR, "--access-token-file", nestors_token)


def test_refusals(demo_tenant: None, tmp_path: Path) -> None:
    path = seed_file(tmp_path, "CR", 1)
    with pytest.raises(CommandError, match="holds none of the roles this needs"):
        run(str(path), *acting_as(ISAIAH, tmp_path))
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.csv"), *acting_as(NESTOR, tmp_path))
    with pytest.raises(CommandError, match="--access-token-file"):
        run(str(path), "--as", NESTOR)
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(CommandError, match="empty"):
        run(str(path), "--as", NESTOR, "--access-token-file", str(tmp_path / "empty.txt"))
    with pytest.raises(CommandError, match="Cannot read the access token file"):
        run(str(path), "--as", NESTOR, "--access-token-file", str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="No sandbox user"):
        call_command("sandbox_token", "--user", "nobody@contoso-sandbox.example", "--admin")
    assert not ImportJob.objects.exists()
