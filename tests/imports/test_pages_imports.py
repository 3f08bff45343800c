"""The import pages: who may do what, the upload cap, polling, and the start-up check."""

from __future__ import annotations

import csv
import html
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from portal.core.checks import check_encryption_keys
from portal.core.wording import UploaderOnly, uploader_only_words
from portal.imports.export import row_columns
from portal.imports.models import ImportJob
from tests.imports.filemakers import entra_csv
from tests.support.imports import (
    ADELE,
    GRADY,
    ISAIAH,
    MIRIAM,
    NESTOR,
    admin_client,
    analysed,
    b32,
    confirm,
    imported,
    run_worker,
    secret_for,
    upload,
)
from tests.support.signin import sign_in

# transaction=True: the real db_worker calls close_old_connections(), which drops a connection
# held inside a test transaction (on PostgreSQL; in-memory SQLite ignores the close).
pytestmark = pytest.mark.django_db(transaction=True)


def small_file(prefix: str = "PG", count: int = 3) -> bytes:
    return entra_csv(
        [(f"{prefix}{n}", b32(secret_for(f"{prefix}{n}")), "30", "A", "B") for n in range(count)], with_upn=False
    )


class ExplodingInput(io.RawIOBase):
    """A request body that must not be read."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the request body was read")

    readline = read


def test_employees_are_refused(demo_tenant: None) -> None:
    client = Client()
    sign_in(client, ADELE)
    for url in ("/admin/imports/", "/admin/imports/new", "/admin/imports/assignments/new"):
        response = client.get(url)
        assert response.status_code == 403, url
    response = client.post("/admin/imports/new", {"file": SimpleUploadedFile("t.csv", small_file())})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_readers_see_history_but_cannot_import_confirm_or_cancel(demo_tenant: None) -> None:
    nestor = admin_client(NESTOR)
    draft = analysed(nestor, small_file("RD"))
    done = imported(nestor, small_file("RE"))
    reader = admin_client(GRADY)
    index = reader.get("/admin/imports/").content.decode()
    assert "Your role lets you see imports and their results, not start them." in index
    assert "Import a seed file" not in index and "tokens.csv" in index
    assert reader.get("/admin/imports/new").status_code == 403
    assert reader.post("/admin/imports/new", {"file": SimpleUploadedFile("t.csv", small_file())}).status_code == 403
    assert reader.get("/admin/imports/assignments/new").status_code == 403
    page = reader.get(f"/admin/imports/{draft.public_id}/").content.decode()
    assert "Dry run" in page and "Confirm import" not in page and "Discard" not in page
    assert reader.get(f"/admin/imports/{done.public_id}/rows.csv").status_code == 200
    assert reader.post(f"/admin/imports/{draft.public_id}/confirm").status_code == 403
    assert reader.post(f"/admin/imports/{draft.public_id}/discard").status_code == 403
    assert ImportJob.objects.get(pk=draft.pk).status == ImportJob.Status.DRAFT


def test_each_kind_needs_its_role(demo_tenant: None) -> None:
    assert admin_client(ISAIAH).get("/admin/imports/new").status_code == 403  # users, not the inventory
    assert admin_client(NESTOR).get("/admin/imports/assignments/new").status_code == 403  # the inventory only
    assert admin_client(MIRIAM).get("/admin/imports/new").status_code == 200


def test_only_the_uploader_confirms_their_dry_run(demo_tenant: None) -> None:
    draft = analysed(admin_client(NESTOR), small_file("OW"))
    miriam = admin_client(MIRIAM)
    response = miriam.post(f"/admin/imports/{draft.public_id}/confirm")
    assert response.status_code == 403
    page = response.content.decode()
    # What happened, who can confirm, and what to do next: not "you need one of these roles" (she has one).
    assert (
        f"This dry run was uploaded by {NESTOR}, and only the administrator who uploaded a file "
        "can confirm its dry run." in page
    )
    assert f"Ask {NESTOR} to check the dry run and confirm it." in page
    assert f'href="/admin/imports/{draft.public_id}/"' in page and 'href="/admin/imports/new"' in page
    assert "You need one of these Microsoft Entra roles" not in page
    assert ImportJob.objects.get(pk=draft.pk).status == ImportJob.Status.DRAFT
    discard = miriam.post(f"/admin/imports/{draft.public_id}/discard")
    assert discard.status_code == 403
    assert (
        f"This dry run was uploaded by {NESTOR}, and only the administrator who uploaded a file "
        "can discard its dry run." in discard.content.decode()
    )
    assert ImportJob.objects.get(pk=draft.pk).status == ImportJob.Status.DRAFT


def test_the_refusal_to_confirm_someone_elses_dry_run_is_in_the_readers_language(demo_tenant: None) -> None:
    draft = analysed(admin_client(NESTOR), small_file("OD"))
    response = admin_client(MIRIAM).post(f"/admin/imports/{draft.public_id}/confirm", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 403
    with translation.override("de"):
        message, next_step = uploader_only_words(UploaderOnly.CONFIRM, uploader=NESTOR)
    page = response.content.decode()
    assert html.escape(message) in page and html.escape(next_step) in page
    assert '<html lang="de"' in page


def test_an_upload_over_the_cap_is_refused_before_its_body_is_read(demo_tenant: None, settings: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    client = admin_client(NESTOR)
    response = client.generic(
        "POST",
        "/admin/imports/new",
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": ExplodingInput()},
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "The file is larger than the 1 MB an import can take, so it was not read." in text
    assert 'role="alert"' in text
    assert not ImportJob.objects.exists()


def test_an_upload_that_hides_its_size_is_stopped_while_streaming(demo_tenant: None, settings: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 2000  # the declared length (~30 KB) passes the first gate
    client = admin_client(NESTOR)
    big = small_file("BIG", 300)
    assert 2000 < len(big) < 2000 + 64 * 1024
    response = client.post("/admin/imports/new", {"file": SimpleUploadedFile("big.csv", big)})
    assert response.status_code == 413
    assert "was not read" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_upload_form_never_echoes_the_pskc_key_or_password(demo_tenant: None) -> None:
    client = admin_client(NESTOR)
    response = client.post(
        "/admin/imports/new",
        {"pskc_key": "00" * 16, "pskc_password": "hunter2-secret", "default_model": "kept"},
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Choose the seed file your token vendor sent you." in text
    assert "hunter2-secret" not in text and "00" * 16 not in text
    assert 'value="kept"' in text


def test_progress_is_polled_while_active_and_not_after(demo_tenant: None) -> None:
    client = admin_client(NESTOR)
    job = upload(client, small_file("PO", 25))
    htmx = {"HTTP_HX_REQUEST": "true"}
    analysing = client.get(f"/admin/imports/{job.public_id}/", **htmx).content.decode()
    assert analysing.lstrip().startswith('<section id="job-state"')  # only the partial
    assert 'hx-trigger="every 2s"' in analysing and "Checking the file" in analysing
    run_worker()
    draft = client.get(f"/admin/imports/{job.public_id}/", **htmx).content.decode()
    assert "hx-trigger" not in draft and "Confirm import (25 rows)" in draft
    confirm(client, job)
    queued = client.get(f"/admin/imports/{job.public_id}/").content.decode()
    assert 'hx-trigger="every 2s"' in queued
    assert '<progress id="job-progress" max="25" value="0"' in queued
    assert ">Refresh</a> to see the latest." in queued  # the way without JavaScript
    assert "Cancel the import" in queued
    run_worker()
    finished = client.get(f"/admin/imports/{job.public_id}/", **htmx).content.decode()
    assert "hx-trigger" not in finished
    assert '<progress id="job-progress" max="25" value="25"' in finished
    assert "25 of 25 rows done (100 %)" in finished
    assert "Download the results as CSV" in finished


def test_results_csv(demo_tenant: None) -> None:
    client = admin_client(NESTOR)
    job = imported(client, small_file("RC", 2))
    response = client.get(f"/admin/imports/{job.public_id}/rows.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="import-results-tokens-')
    lines = b"".join(response.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "Row,Serial number,User,Dry run,Dry-run note,Result,Result details,Token ID"
    assert lines[1].startswith("2,RC0,,Create,,Created,,")
    assert len(lines) == 3


def test_results_csv_is_written_in_the_downloaders_language(demo_tenant: None) -> None:
    """Headings and words in German for a German reader, also when the server reads the stream after
    the view has returned (and its thread has moved on to another language)."""
    client = admin_client(NESTOR)
    job = imported(client, small_file("RD", 1))
    response = client.get(f"/admin/imports/{job.public_id}/rows.csv", HTTP_ACCEPT_LANGUAGE="de")
    with translation.override("en"):
        body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    heading, row = list(csv.reader(io.StringIO(body)))
    with translation.override("de"):
        assert heading == [str(column.heading) for column in row_columns(job)]
    assert heading[:4] == ["Zeile", "Seriennummer", "Benutzer", "Probelauf"] and heading[5] == "Ergebnis"
    assert row[:6] == ["2", "RD0", "", "Anlegen", "", "Angelegt"]


def test_missing_or_bad_encryption_key_stops_start_up(settings: Any) -> None:
    settings.PORTAL_ENCRYPTION_KEYS = []
    assert [error.id for error in check_encryption_keys()] == ["portal.E004"]
    settings.PORTAL_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    assert [error.id for error in check_encryption_keys()] == ["portal.E005"]
    from cryptography.fernet import Fernet

    settings.PORTAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    assert check_encryption_keys() == []


def test_uploads_still_need_the_csrf_token(demo_tenant: None) -> None:
    # The upload views are csrf_exempt outside (to install the size limit first), csrf_protect inside.
    for upn, url in ((NESTOR, "/admin/imports/new"), (MIRIAM, "/admin/imports/assignments/new")):
        client = admin_client(upn)
        client.handler.enforce_csrf_checks = True  # signed in; from now on as strict as a browser
        before = ImportJob.objects.count()
        response = client.post(url, {"file": SimpleUploadedFile("t.csv", small_file())})
        assert response.status_code == 403, url
        assert ImportJob.objects.count() == before
        page = client.get(url).content.decode()
        token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        data = {"file": SimpleUploadedFile("t.csv", small_file()), "csrfmiddlewaretoken": token}
        assert client.post(url, data).status_code in (302, 400), url  # past CSRF: handled by the view
