"""No English left on a page in another language: every string a person reads is marked.

The pages are shown in the pseudo-translation (tests/support/pseudo.py), where every marked string
is wrapped in ⟦…⟧: what is still English outside the brackets was never marked. The pages are found
the way a person finds them, by following the links of each kind of person's start pages (employee,
administrators, the sandbox, error pages), plus the forms shown back with errors, every CSV download
and every kind of mail.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from portal.core.reasons import Attention
from portal.notifications.delivery import notification_message
from portal.notifications.models import Kind, Notification
from portal.program.reports import ReportKind
from portal.sandbox import seed
from portal.sandbox.models import DirectoryUser, HardwareToken
from tests.support import imports, pseudo
from tests.support.admins import AUTH_ADMIN, EMPLOYEE, GLOBAL_ADMIN, POLICY_ADMIN, SignedIn
from tests.support.tokens import token_id

pytestmark = pytest.mark.django_db

_HREF = re.compile(r'href="(/[^"#]*)"')
#: Links not to follow: leaving, switching language, the sandbox's machine endpoints.
_NOT_PAGES = re.compile(r"^/(static/|i18n/|auth/sign-(in|out)|sandbox/(login|graph)/|healthz|readyz|favicon)")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")
_MAX_PAGES = 80


def _allowed() -> set[str]:
    """Data the pages show as it is: the demo tenant's names, token makes and models, languages."""
    words = {"Deutsch", "English", "Français", "Español"}
    for user in DirectoryUser.everyone.all():
        words.update(filter(None, [user.display_name, user.given_name, user.surname, user.department, user.job_title]))
        words.update(part for part in (user.display_name or "").split() if part)
    for token in HardwareToken.objects.all():
        words.update(filter(None, [token.manufacturer, token.model, token.display_name]))
    return words


def _crawl(
    client: Client,
    starts: list[str],
    problems: dict[str, list[str]],
    allowed: set[str],
    downloads: set[str] | None = None,
) -> int:
    """Opens `starts` and every page they link to (one page per URL shape), in pseudo German; the
    shapes of the CSV downloads it checked go into `downloads`."""
    queue, shapes, seen = list(starts), set(), 0
    while queue and seen < _MAX_PAGES:
        url = queue.pop(0)
        shape = _ID.sub("#", urlsplit(url).path)
        if shape in shapes:
            continue
        shapes.add(shape)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=pseudo.LANGUAGE)
        if response.status_code in (301, 302):
            continue
        seen += 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        content = body.decode()
        if response["Content-Type"].startswith("text/csv"):
            # The headings of every export: words in the downloader's language, the `… (code)`
            # columns' too (their cells are stored codes, the same in every language).
            heading = content.lstrip("\ufeff").splitlines()[:1]
            found = pseudo.english_left_in_text("\n".join(heading), allowed)
            if downloads is not None:
                downloads.add(shape)
        else:
            found = pseudo.english_left(content, allowed)
            for link in _HREF.findall(content):
                link = link.replace("&amp;", "&")
                if not _NOT_PAGES.match(link):
                    queue.append(link)
        if found:
            problems[url] = found
    return seen


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}:\n    " + "\n    ".join(found) for url, found in problems.items())


def test_employee_pages_have_no_unmarked_english(pseudo_german: str, employee_client: Client) -> None:
    problems: dict[str, list[str]] = {}
    allowed = _allowed()
    seen = _crawl(employee_client, ["/tokens/", "/tokens/add", "/no-such-page", "/admin/"], problems, allowed)
    # A form sent back with errors (the field errors are Django's words and ours).
    answer = employee_client.post("/tokens/add", {"serial": "", "code": ""}, HTTP_ACCEPT_LANGUAGE="de")
    if found := pseudo.english_left(answer.content.decode(), allowed):
        problems["POST /tokens/add (empty)"] = found
    assert seen >= 4
    assert not problems, _report(problems)


@pytest.mark.parametrize("upn", [GLOBAL_ADMIN, AUTH_ADMIN, POLICY_ADMIN])
def test_admin_pages_have_no_unmarked_english(pseudo_german: str, signed_in: SignedIn, upn: str) -> None:
    client = signed_in(upn)
    problems: dict[str, list[str]] = {}
    downloads: set[str] = set()
    seen = _crawl(client, ["/admin/"], problems, _allowed(), downloads)
    assert seen >= 5
    # Every role may read the audit trail and the reports, and export them.
    assert {"/admin/audit/export.csv", *(f"/admin/reports/{kind.value}.csv" for kind in ReportKind)} <= downloads
    assert not problems, _report(problems)


def test_public_and_sandbox_pages_have_no_unmarked_english(pseudo_german: str, demo_tenant: None) -> None:
    client = Client()
    problems: dict[str, list[str]] = {}
    allowed = _allowed()
    seen = _crawl(client, ["/", "/auth/signed-out", "/sandbox/", "/no-such-page"], problems, allowed)
    # The sandbox's sign-in page, as the portal's sign-in sends a person there.
    start = client.get("/auth/sign-in?next=/tokens/", HTTP_ACCEPT_LANGUAGE="de")
    sign_in_page = client.get(
        urlsplit(start["Location"]).path + "?" + urlsplit(start["Location"]).query, HTTP_ACCEPT_LANGUAGE="de"
    )
    if found := pseudo.english_left(sign_in_page.content.decode(), allowed):
        problems["sandbox sign-in page"] = found
    assert seen >= 4
    assert not problems, _report(problems)


def test_every_mail_has_no_unmarked_english(pseudo_german: str, demo_tenant: None) -> None:
    now = timezone.now()
    token = {
        "serial": "60200101",
        "by_self": True,
        "at": now.isoformat(),
        "upn": EMPLOYEE,
        "activate_url": "http://portal.example/tokens/",
        "tokens_url": "http://portal.example/tokens/",
    }
    contexts = {
        Kind.TOKEN_ASSIGNED: token,
        Kind.TOKEN_ADDED: token,
        Kind.TOKEN_ACTIVATED: {**token, "by_self": False},
        Kind.TOKEN_REMOVED: token,
        Kind.TOKEN_LOST_OR_BROKEN: {**token, "detail": "stolen"},
        Kind.ACTIVATION_REMINDER: {**token, "days": 3, "last": True},
        Kind.ADMIN_DIGEST: {
            "at": now.isoformat(),
            "since": (now - timedelta(days=7)).isoformat(),
            "every": "weekly",
            "as_of": (now - timedelta(days=2)).isoformat(),
            "stale": True,
            "refresh_stopped": True,
            "rules": [
                {
                    "rule": rule.value,
                    "days": 14,
                    "total": 3,
                    "url": f"http://portal.example/admin/#rule-{rule.value}",
                    "items": [
                        {
                            "who": "" if rule is Attention.LOCKED_OUT else "Adele Vance",
                            "upn": EMPLOYEE,
                            "serial": "60200102",
                            "since": now.isoformat(),
                            "since_is_assignment": rule is Attention.NEVER_USED,
                            "lockout": {"person": True, "wrong": 5, "until": now.isoformat()}
                            if rule is Attention.LOCKED_OUT
                            else None,
                        }
                    ],
                }
                for rule in Attention
            ],
            "attention_total": 3 * len(Attention),
            "waiting_total": 3,
            "failed_total": 3,
            "undelivered_total": 1,
            "queue_url": "http://portal.example/admin/#attention-title",
            "undelivered_url": "http://portal.example/admin/mail/",
        },
    }
    assert set(contexts) == set(Kind), "a kind of mail this test does not write"
    problems: dict[str, list[str]] = {}
    allowed = _allowed()
    for kind, context in contexts.items():
        mail = notification_message(
            Notification(kind=kind, to_address=EMPLOYEE, context=context, language=pseudo.LANGUAGE)
        )
        html = str(mail.alternatives[0][0])
        found = pseudo.english_left_in_text(mail.subject, allowed) + pseudo.english_left_in_text(mail.body, allowed)
        found += pseudo.english_left(html, allowed)
        if found:
            problems[kind.value] = found
    assert not problems, _report(problems)


@pytest.mark.django_db(transaction=True)
def test_import_pages_have_no_unmarked_english(pseudo_german: str, demo_tenant: None, settings: Any) -> None:
    """A dry run and its results, with rows to create, to skip and to reject: the worker writes the
    row verdicts in the language the uploader uses (here the pseudo-translation)."""
    settings.IMPORT_CONCURRENCY = 1
    client = imports.admin_client(imports.MIRIAM)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = pseudo.LANGUAGE
    client.get("/admin/")  # the uploader's language is recorded as they use the portal
    data = (
        "upn,serial number,secret key,time interval,manufacturer,model\r\n"
        f",I18N-0001,{imports.b32(imports.secret_for('i18n-1'))},30,Token2,C202\r\n"
        f",I18N-0001,{imports.b32(imports.secret_for('i18n-1'))},30,Token2,C202\r\n"
        ",I18N-0002,not base32!,30,Token2,C202\r\n"
        f",60200104,{imports.b32(imports.secret_for('i18n-3'))},30,Token2,C202\r\n"
    ).encode()
    problems: dict[str, list[str]] = {}
    allowed = _allowed() | {"Token2", "C202", "tokens.csv"}
    job = imports.analysed(client, data)
    downloads: set[str] = set()
    _crawl(client, [f"/admin/imports/{job.public_id}/", "/admin/imports/"], problems, allowed, downloads)
    imports.confirm(client, job)
    imports.run_worker()
    _crawl(client, [f"/admin/imports/{job.public_id}/"], problems, allowed, downloads)
    assert "/admin/imports/#/rows.csv" in downloads
    assert not problems, _report(problems)


def test_pass_and_replacement_pages_have_no_unmarked_english(pseudo_german: str, signed_in: SignedIn) -> None:
    """ "Replace token" with no token left (issue 14): the report shown for context, the form sent back
    with an error, the page that shows the pass once, and the answer to sending it again."""
    alex = signed_in("alex.wilber@contoso-sandbox.example", admin=False)
    alex.post(f"/tokens/{token_id('SI-01000101')}/report", {"state": "lost", "note": "train"})
    isaiah = signed_in(AUTH_ADMIN)
    isaiah.defaults["HTTP_ACCEPT_LANGUAGE"] = pseudo.LANGUAGE
    url = f"/admin/users/{seed.ALEX}/replace"
    form = isaiah.get(url).content.decode()
    hidden = dict(re.findall(r'name="(flow_id|mark)" value="([^"]*)"', form))
    answers = {
        "form": form,
        "form, nothing chosen": isaiah.post(url, hidden).content.decode(),
        "done": isaiah.post(url, {**hidden, "issue_pass": "on", "replacement_serial": "60200104"}).content.decode(),
        "sent again": isaiah.post(url, {**hidden, "issue_pass": "on"}).content.decode(),
    }
    assert "access-pass" in answers["done"] and "SI-01000101" in answers["form"]
    allowed = _allowed() | {"train"}
    problems = {name: found for name, html in answers.items() if (found := pseudo.english_left(html, allowed))}
    assert not problems, _report(problems)
