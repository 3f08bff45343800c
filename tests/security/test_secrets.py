"""Secrets never reach a log, the portal's database, a page, an audit export or import results.

Canary values are planted — the app's client secret, a token seed secret, a verification code, a
Temporary Access Pass (on the one page that shows it, and nowhere else), and the access/refresh/ID
tokens MSAL holds for each signed-in person — then every flow that handles
them is driven for real, and everything the portal writes is searched:

* log lines as the configured handlers would write them (every logger at DEBUG, text and JSON
  formatters, with the handlers' filters), and any log file a handler names;
* every column of every table of the portal's database, after background jobs have finished;
  Fernet-sealed values are unsealed first (so a secret kept "encrypted" after its job would show);
  session rows are decoded (the signed, compressed payload would hide anything from a plain grep);
* every portal page, header and cookie the test's browsers received, and the audit CSV export;
* every mail the portal sent (through Graph sendMail as the app: the sandbox outbox), the valid
  code typed for a successful activation included, and the app's own access token.

Session rows hold MSAL's token cache sealed (portal.identity.sealing): searched as stored, no token may
show (the cookie carries only the session key — asserted). One legitimate holder is left out: the
sandbox tenant's own database, which plays Microsoft and so stores seed secrets and refresh tokens,
as Entra does.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings

from portal.identity import msal_client
from portal.sandbox.models import HardwareToken, OutboxMessage
from portal.sandbox.seed import MEGAN
from tests.imports.filemakers import entra_csv
from tests.security.conftest import AA, ADELE_ASSIGNED, ALEX, ALEX_FAILED, APA, EMP, FREE, GR, UPNS
from tests.security.logsink import rendered_log_lines
from tests.support.imports import run_worker, upload
from tests.support.sandbox import sandbox_with
from tests.support.signin import sign_in
from tests.support.tokens import code_for, codes_near, status_of, token_id

# transaction=True: the real db_worker calls close_old_connections(), which drops a connection
# held inside a test transaction (on PostgreSQL; in-memory SQLite ignores the close).
pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_SECRET = "canary-client-secret-Zq8vW2"
SEED_BYTES = b"canary-seed-ab12cd34"  # 20 bytes: an SHA-1 seed
SEED_BASE32 = base64.b32encode(SEED_BYTES).decode()
IMPORT_SEED = b"canary-import-seed-1"  # sent through a seed-file import
DRAFT_SEED = b"canary-discard-seed2"  # in a dry run that is discarded
CODE = "314159"  # a wrong code for every token used below (asserted)
CANARY_SERIAL = "CANARY-0001"

# A 6-digit code is short: look for it as a whole number (not inside a hex id or after the dot of
# a timestamp's microseconds), which is how a form value, a JSON field or a log line would hold it.
CODE_PATTERN = re.compile(r"(?<![0-9A-Za-z.])(314159|3141592)(?![0-9A-Za-z])")


class RecordingClient(Client):
    """A test browser that keeps every answer's body and headers."""

    seen: list[tuple[str, str]]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen = []

    def request(self, **request: Any) -> HttpResponse:
        response: HttpResponse = super().request(**request)
        path = request.get("PATH_INFO", "")
        if not str(path).startswith("/sandbox/"):  # the sandbox plays Microsoft
            body = (
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
                if response.streaming
                else response.content
            )
            if response.streaming:
                response.streaming_content = [body]  # type: ignore[attr-defined]
            headers = "\n".join(f"{k}: {v}" for k, v in response.items())
            self.seen.append(
                (f"{request.get('REQUEST_METHOD')} {path}", headers + "\n" + body.decode(errors="replace"))
            )
        return response


def seed_variants(seed: bytes = SEED_BYTES, label: str = "seed") -> dict[str, str]:
    base32 = base64.b32encode(seed).decode()
    return {
        f"{label} (Base32)": base32,
        f"{label} (Base32, unpadded, lower case)": base32.rstrip("=").lower(),
        f"{label} (hex)": seed.hex(),
        f"{label} (base64)": base64.b64encode(seed).decode(),
        f"{label} (raw)": seed.decode(),
    }


def msal_tokens(client: Client) -> dict[str, str]:
    """The access, refresh and ID tokens in the person's MSAL cache (server-side session)."""
    cache = json.loads(unseal(client.session[msal_client.TOKEN_CACHE_SESSION_KEY]) or "{}")
    found: dict[str, str] = {}
    for kind, field in (("AccessToken", "secret"), ("RefreshToken", "secret"), ("IdToken", "secret")):
        for n, entry in enumerate(cache.get(kind, {}).values()):
            found[f"{kind} {n}"] = entry[field]
    assert any(k.startswith("AccessToken") for k in found) and any(k.startswith("RefreshToken") for k in found)
    return found


def token_needles(tokens: dict[str, str]) -> dict[str, str]:
    """A token, and distinctive pieces of it (a truncated token in a log line is still a leak)."""
    needles: dict[str, str] = {}
    for name, value in tokens.items():
        needles[name] = value
        parts = value.split(".")
        if len(parts) == 3:  # a JWT: its header is shared by many tokens, its signature is not
            needles[f"{name} signature"] = parts[2][:40]
            needles[f"{name} payload"] = parts[1][20:60]
        elif len(value) >= 48:
            needles[f"{name} middle"] = value[16:48]
    return needles


def unseal(value: str) -> str | None:
    keys = list(settings.PORTAL_ENCRYPTION_KEYS)
    if not keys:
        return None
    try:
        return MultiFernet([Fernet(k) for k in keys]).decrypt(value.encode()).decode(errors="replace")
    except (InvalidToken, ValueError):
        return None


def database_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every non-empty value in every table of the portal's database."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = bytes(value).decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
                    yield f"{table}.{column}", text
                    for sealed in re.findall(r"gAAAAA[0-9A-Za-z_\-=]{40,}", text):
                        opened = unseal(sealed)
                        if opened is not None:
                            yield f"{table}.{column} (unsealed)", opened
    for session in Session.objects.all():
        yield "django_session (decoded)", json.dumps(session.get_decoded())


def find(needles: dict[str, str], haystacks: list[tuple[str, str]], *, code: bool = True) -> list[str]:
    hits = [f"{name} in {where}" for where, text in haystacks for name, needle in needles.items() if needle in text]
    if code:
        hits += [f"verification code in {where}" for where, text in haystacks if CODE_PATTERN.search(text)]
    return hits


@pytest.fixture
def canary_settings() -> Iterator[None]:
    with override_settings(
        ENTRA_CLIENT_SECRET=CLIENT_SECRET,
        SANDBOX=sandbox_with(CLIENT_SECRET=CLIENT_SECRET),
        # Mail goes out as the portal sends it in sandbox mode: Graph sendMail as the app.
        MAIL_TRANSPORT="graph",
        EMAIL_BACKEND="portal.notifications.graph_backend.GraphMailBackend",
    ):
        msal_client.reset_http_state()
        yield


def test_no_secret_is_logged_stored_shown_or_exported(
    demo_tenant: None, canary_settings: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(("portal", "django")):
            caplog.set_level(logging.DEBUG, logger=name)
    for serial in (FREE, ADELE_ASSIGNED, ALEX_FAILED):  # one chance in ~300,000
        assert CODE not in codes_near(HardwareToken.objects.get(serial_number=serial)), (
            "the canary code happens to be valid now: rerun"
        )

    clients: dict[str, RecordingClient] = {}
    for persona in (EMP, AA, APA, GR):
        clients[persona] = RecordingClient()
        admin = persona != EMP
        sign_in(clients[persona], UPNS[persona], admin=admin)
    adele, isaiah, nestor, grady = clients[EMP], clients[AA], clients[APA], clients[GR]

    # A verification code, in every form that takes one (wrong, so it is refused and echoed if ever).
    assert "not accepted" in adele.post("/tokens/add", {"serial_number": FREE, "code": CODE}).content.decode()
    adele.post(
        "/tokens/add", {"serial_number": FREE, "code": CODE, "display_name": "x"}, headers={"HX-Request": "true"}
    )
    adele.post("/tokens/add", {"serial_number": FREE, "code": CODE + "2"})  # malformed: 7 digits
    adele.post(f"/tokens/{token_id(ADELE_ASSIGNED)}/activate", {"code": CODE})
    admin_activate = f"/admin/users/{ALEX}/tokens/{token_id(ALEX_FAILED)}/activate"
    assert "not accept" in isaiah.post(admin_activate, {"code": CODE}).content.decode()

    # A Temporary Access Pass, issued in the helpdesk's "Replace token" flow: on that one page only.
    replace = f"/admin/users/{ALEX}/tokens/{token_id(ALEX_FAILED)}/replace"
    flow_id = re.search(r'name="flow_id" value="([^"]+)"', isaiah.get(replace).content.decode())
    assert flow_id is not None
    replacement = {"flow_id": flow_id.group(1), "state": "lost", "issue_pass": "on", "pass_usable_once": "on"}
    pass_page = len(isaiah.seen)
    shown = re.search(r"<code>([^<]+)</code>", isaiah.post(replace, replacement).content.decode())
    assert shown is not None
    access_pass = shown.group(1)
    assert "Already done" in isaiah.post(replace, replacement).content.decode()  # sent again: not shown again
    # And one issued for a person with no token left to replace (the same flow, without step 1).
    gone = f"/admin/users/{MEGAN}/replace"
    hidden = dict(re.findall(r'name="(flow_id|mark)" value="([^"]*)"', isaiah.get(gone).content.decode()))
    gone_page = len(isaiah.seen)
    shown = re.search(r"<code>([^<]+)</code>", isaiah.post(gone, {**hidden, "issue_pass": "on"}).content.decode())
    assert shown is not None
    gone_pass = shown.group(1)
    assert "Already done" in isaiah.post(gone, {**hidden, "issue_pass": "on"}).content.decode()

    # A seed secret: a new inventory token (and a refused attempt that re-renders the form).
    new_token = {
        "serial_number": CANARY_SERIAL,
        "manufacturer": "Canary",
        "model": "C1",
        "secret_format": "base32",
        "secret": SEED_BASE32,
        "time_interval": "30",
        "hash_function": "hmacsha1",
    }
    created = nestor.post("/admin/inventory/new", new_token)
    assert created.status_code == 302, created.content.decode()[:2000]
    again = nestor.post("/admin/inventory/new", new_token)  # serial exists: form shown again
    assert again.status_code == 400
    nestor.post(
        "/admin/inventory/new", {**new_token, "secret_format": "hex", "secret": SEED_BYTES.hex(), "serial_number": ""}
    )
    assign = isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": CANARY_SERIAL, "code": CODE})
    assert "not accept" in assign.content.decode()
    assert status_of(CANARY_SERIAL) in {"assigned", "available", "failedActivation"}

    # Seed secrets through the bulk import: one file imported to the end, one dry run discarded.
    with override_settings(IMPORT_CONCURRENCY=1):
        imported = upload(
            nestor,
            entra_csv(
                [
                    ("CANARY-IMP-1", base64.b32encode(IMPORT_SEED).decode(), "30", "Canary", "C2"),
                    ("CANARY-IMP-3", SEED_BYTES.hex(), "30", "Canary", "C2"),  # refused: hex in a Base32 column
                ],
                with_upn=False,
            ),
        )
        run_worker()
        assert nestor.post(f"/admin/imports/{imported.public_id}/confirm").status_code == 302
        run_worker()
        draft = upload(
            nestor,
            entra_csv([("CANARY-IMP-2", base64.b32encode(DRAFT_SEED).decode(), "30", "Canary", "C2")], with_upn=False),
        )
        run_worker()
        # While the dry run waits, its secret is in the database, sealed: the search sees it.
        pending = find(seed_variants(DRAFT_SEED, "discarded seed"), list(database_texts()), code=False)
        assert "discarded seed (Base32) in imports_importrow.secret (unsealed)" in pending, pending
        assert nestor.post(f"/admin/imports/{draft.public_id}/discard").status_code == 302
        run_worker()
    imported.refresh_from_db()
    assert imported.status == "done" and status_of("CANARY-IMP-1") == "available", imported.error
    grady.get(f"/admin/imports/{imported.public_id}/")
    rows_csv = grady.get(f"/admin/imports/{imported.public_id}/rows.csv")
    assert rows_csv.status_code == 200 and b"CANARY-IMP-1" in b"".join(rows_csv.streaming_content)
    grady.get("/admin/imports/")

    # Actions that succeed, so that every kind of mail a person gets is sent (by the worker): a token
    # assigned, one activated with its valid code, one added, one removed.
    MAIL_FREE, ADELE_SECOND, ALEX_SPARE = "60200105", "2100040001", "2100040004"
    assert isaiah.post(f"/admin/users/{ALEX}/assign", {"serial_number": MAIL_FREE}).status_code == 302
    valid_code = code_for(ADELE_SECOND)
    assert adele.post(f"/tokens/{token_id(ADELE_SECOND)}/activate", {"code": valid_code}).status_code == 302
    added = isaiah.post(
        f"/admin/users/{ALEX}/assign",
        {"serial_number": ALEX_SPARE, "code": code_for(ALEX_SPARE)},
    )
    assert added.status_code == 302
    assert isaiah.post(f"/admin/users/{ALEX}/tokens/{token_id(MAIL_FREE)}/unassign").status_code == 302
    run_worker()
    mails = [
        (f"mail {m.subject!r}", "\n".join([m.subject, m.text, m.html, *m.to])) for m in OutboxMessage.objects.all()
    ]
    assert len(mails) >= 4, [where for where, _ in mails]
    valid = re.compile(rf"(?<![0-9A-Za-z.]){valid_code}(?![0-9A-Za-z])")
    leaks_of_valid_code = [where for where, text in mails if valid.search(text)]
    assert not leaks_of_valid_code, leaks_of_valid_code

    # Reading it all back: pages and the audit trail's CSV export.
    grady.get(f"/admin/inventory/{token_id(CANARY_SERIAL)}/")
    grady.get(f"/admin/users/{ALEX}/")
    grady.get("/admin/audit/")
    export = grady.get("/admin/audit/export.csv")
    assert export.status_code == 200 and b"self.assign_activate" in b"".join(export.streaming_content)

    # Access, refresh and ID tokens: collected now that every session holds its cache.
    tokens: dict[str, str] = {}
    for persona, client in clients.items():
        tokens.update({f"{persona} {name}": value for name, value in msal_tokens(client).items()})
        # The cookie carries the session key only; the cache lives in the session row.
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert re.fullmatch(r"[a-z0-9]{32}", cookie)
        assert Session.objects.filter(session_key=cookie).exists()
        assert set(client.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"}

    # The app's own access token (client credentials, for sendMail), as MSAL holds it.
    assert msal_client._app_only is not None
    app_cache = msal_client._app_only.token_cache._cache.get("AccessToken", {})  # type: ignore[attr-defined]
    app_tokens = {f"app token {n}": entry["secret"] for n, entry in enumerate(app_cache.values())}
    assert app_tokens
    tokens.update(app_tokens)

    needles = {
        "client secret": CLIENT_SECRET,
        "Temporary Access Pass": access_pass,
        "Temporary Access Pass (no token to replace)": gone_pass,
        **seed_variants(),
        **seed_variants(IMPORT_SEED, "imported seed"),
        **seed_variants(DRAFT_SEED, "discarded seed"),
    }
    logs = [("log", line) for line in rendered_log_lines(caplog.records)]
    for handler in settings.LOGGING.get("handlers", {}).values():
        if "filename" in handler:
            logs.append((handler["filename"], open(handler["filename"]).read()))  # noqa: SIM115
    shown_once = (isaiah.seen[pass_page], isaiah.seen[gone_page])
    pages = [seen for client in clients.values() for seen in client.seen if all(seen is not p for p in shown_once)]
    cookies = [(f"cookie {name}", morsel.value) for c in clients.values() for name, morsel in c.cookies.items()]
    database = list(database_texts())
    assert len(logs) > 50 and len(pages) > 15 and len(database) > 100  # the search did see things

    # Session rows included (issue 11): the token cache in them is sealed, so no token shows.
    leaks = (
        find(needles | token_needles(tokens), logs)
        + find(needles | token_needles(tokens), pages + cookies)
        + find(needles, database)
        + find(token_needles(tokens), database, code=False)
        + find(needles | token_needles(tokens), mails)
    )
    assert not leaks, sorted(set(leaks))


def test_the_search_finds_a_planted_canary(demo_tenant: None, caplog: pytest.LogCaptureFixture) -> None:
    """Control: the same searches do find canaries where they are (so "no hit" means something)."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("portal.test").warning("seed %s code %s", SEED_BASE32, CODE)
    client = Client()
    session = client.session
    session["note"] = CLIENT_SECRET
    session.save()
    from portal.audit.models import AuditEvent

    AuditEvent.objects.create(
        action="self.remove", outcome="failure", reason=f"code {CODE}", token_serial=SEED_BYTES.hex()
    )
    database = list(database_texts())
    logs = [("log", line) for line in rendered_log_lines(caplog.records)]
    hits = find({"client secret": CLIENT_SECRET, **seed_variants()}, database + logs)
    assert "client secret in django_session (decoded)" in hits
    assert "seed (hex) in audit_auditevent.token_serial" in hits
    assert "verification code in audit_auditevent.reason" in hits
    assert "seed (Base32) in log" in hits and "verification code in log" in hits
    if settings.PORTAL_ENCRYPTION_KEYS:
        sealed = Fernet(settings.PORTAL_ENCRYPTION_KEYS[0]).encrypt(SEED_BASE32.encode()).decode()
        assert unseal(sealed) == SEED_BASE32
