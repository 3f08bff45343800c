"""How a person's language and time zone are chosen, kept and used (README "Languages and time zones").

The pages and mails are read in the pseudo-translation (tests/support/pseudo.py), so the tests show
that the machinery picks the language without depending on the translators' catalogues.
"""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.test import Client
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.core.events import TokenChange, TokenEvent
from portal.core.wording import lockout_params
from portal.identity.models import User
from portal.notifications.delivery import notification_message
from portal.notifications.models import Kind, Notification
from portal.notifications.services import token_event_notify
from tests.support import pseudo
from tests.support.admins import EMPLOYEE, SignedIn

pytestmark = pytest.mark.django_db

TZ_COOKIE = "portal-tz"


def _language_of(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_browser_language_picks_the_page_language(pseudo_german: str, demo_tenant: None) -> None:
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").content.decode()
    assert _language_of(page) == "de"
    assert f"{pseudo.OPEN}Set up your hardware token yourself" in page
    english = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert _language_of(english) == "en"
    assert "Set up your hardware token yourself" in english and pseudo.OPEN not in english


def test_the_switch_changes_the_language_and_it_sticks(pseudo_german: str, employee_client: Client) -> None:
    client = employee_client
    page = client.get("/tokens/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The switch is a plain form on the page: no JavaScript needed.
    assert 'action="/i18n/setlang/"' in page and 'name="next" value="/tokens/"' in page
    answer = client.post("/i18n/setlang/", {"language": "de", "next": "/tokens/"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 302 and answer["Location"] == "/tokens/"
    # The browser still asks for English, but the choice wins, on this page and the next ones.
    for url in ("/tokens/", "/tokens/add"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert _language_of(page) == "de", url
        assert f"{pseudo.OPEN}My tokens" in page
    # And the portal remembers it for the person, for the mails it sends them.
    assert User.objects.get(upn=EMPLOYEE).language == "de"


def test_a_mail_is_written_in_the_language_its_recipient_last_used(
    pseudo_german: str, signed_in: SignedIn, settings: LazySettings
) -> None:
    settings.MAIL_TRANSPORT = "graph"
    client = signed_in(EMPLOYEE, admin=False)
    client.cookies[TZ_COOKIE] = "Europe/Paris"  # as static/js/timezone.js writes it
    client.get("/tokens/", HTTP_ACCEPT_LANGUAGE="de")
    person = User.objects.get(upn=EMPLOYEE)
    assert (person.language, person.time_zone) == ("de", "Europe/Paris")

    at = timezone.now().replace(year=2026, month=1, day=15, hour=12, minute=30, second=0, microsecond=0)
    notification = token_event_notify(
        event=TokenEvent(
            change=TokenChange.ACTIVATED,
            person_oid=person.oid,
            person_upn=EMPLOYEE,
            person_mail=EMPLOYEE,
            serial="60200101",
            method_id="",
            by_self=True,
            at=at,
        )
    )
    assert notification is not None and notification.language == "de"
    mail = notification_message(notification)
    assert mail.subject.startswith(pseudo.OPEN + "Security notice")
    # The time is in the zone the person last used, said in so many words (13:30 in Paris in January),
    # in German's own format ("15. Januar 2026 13:30"; the month's name is pseudo-translated here).
    assert "2026 13:30" in mail.body and "Europe/Paris" in mail.body
    assert '<html lang="de">' in str(mail.alternatives[0][0])


def test_a_mail_to_someone_the_portal_has_not_seen_is_in_the_portal_language_and_zone(
    settings: LazySettings, demo_tenant: None
) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    at = timezone.now().replace(year=2026, month=7, day=1, hour=8, minute=0, second=0, microsecond=0)
    mail = notification_message(
        Notification(
            kind=Kind.TOKEN_REMOVED,
            to_address="someone@contoso-sandbox.example",
            context={"serial": "60200101", "by_self": False, "at": at.isoformat(), "tokens_url": "http://x/"},
        )
    )
    assert "removed from your account" in mail.body
    assert "10 a.m." in mail.body and "Europe/Berlin" in mail.body  # summer time: UTC+2


def _audit_page(client: Client, cookie: str | None) -> str:
    if cookie is not None:
        client.cookies[TZ_COOKIE] = cookie
    return client.get("/admin/audit/").content.decode()


def test_times_are_shown_in_the_browser_zone_and_the_page_names_it(signed_in: SignedIn, settings: LazySettings) -> None:
    settings.TIME_ZONE = "UTC"
    at = timezone.now().replace(year=2026, month=1, day=15, hour=15, minute=5, second=9, microsecond=0)
    AuditEvent.objects.create(at=at, action=AuditEvent.Action.SELF_REMOVE, actor_upn=EMPLOYEE, token_serial="I18N-1")
    client = signed_in("miriam.graham@contoso-sandbox.example")
    page = _audit_page(client, "America/New_York")
    assert "10:05:09" in page  # 15:05 UTC is 10:05 in New York in January
    assert "America/New_York" in page
    assert User.objects.get(upn="miriam.graham@contoso-sandbox.example").time_zone == "America/New_York"


@pytest.mark.parametrize("bogus", ["Mars/Olympus_Mons", "../../etc/passwd", "", "x" * 300, "Europe/Berlin\x00"])
def test_a_bogus_zone_falls_back_to_the_portal_zone_named(
    signed_in: SignedIn, settings: LazySettings, bogus: str
) -> None:
    settings.TIME_ZONE = "Asia/Tokyo"
    at = timezone.now().replace(year=2026, month=1, day=15, hour=15, minute=5, second=9, microsecond=0)
    AuditEvent.objects.create(at=at, action=AuditEvent.Action.SELF_REMOVE, actor_upn=EMPLOYEE, token_serial="I18N-1")
    client = signed_in("miriam.graham@contoso-sandbox.example")
    page = _audit_page(client, bogus)
    assert "00:05:09" in page  # 15:05 UTC is 00:05 the next day in Tokyo
    assert "Asia/Tokyo" in page
    assert User.objects.get(upn="miriam.graham@contoso-sandbox.example").time_zone == ""


def test_a_lockout_says_when_in_the_person_zone() -> None:
    with timezone.override("America/New_York"):
        params = lockout_params(timezone.now().replace(year=2026, month=1, day=15, hour=15, minute=5))
    assert params["time"] == "10:05 a.m."  # 15:05 UTC, in New York in January
    assert params["day"] == "15 Jan 2026"
