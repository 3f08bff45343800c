"""The sandbox's client-credentials grant and Graph sendMail, over unmodified MSAL and the portal's
own Graph client, and the outbox page that shows what was sent."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from typing import Any

import jwt
import pytest
from django.test import Client

from portal.graph.client import GraphClient
from portal.graph.errors import GraphError
from portal.graph.retry import RetryPolicy
from portal.graph.transport import build_session
from portal.sandbox import seed
from portal.sandbox.models import DirectoryUser, OutboxMessage
from tests.sandbox.conftest import access_token
from tests.sandbox.fixtures_identity import make_app
from tests.support.sandbox import sandbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_tenant")]

GRAPH_DEFAULT = "https://graph.microsoft.com/.default"
DESK = seed.TOKEN_DESK_MAILBOX
ADELE_UPN = "adele.vance@contoso-sandbox.example"


def app_token() -> dict[str, Any]:
    result = make_app().acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    assert "access_token" in result, result
    return result


def graph_as(token: str) -> GraphClient:
    return GraphClient(token, session=build_session(), policy=RetryPolicy(max_retries=0, max_wait=0.0))


def json_mail(to: str = ADELE_UPN, **message: Any) -> dict[str, Any]:
    return {
        "message": {
            "subject": "Your token",
            "body": {"contentType": "HTML", "content": "<p>Hello <b>Adele</b></p>"},
            "toRecipients": [{"emailAddress": {"address": to, "name": "Adele Vance" if to == ADELE_UPN else ""}}],
            **message,
        },
        "saveToSentItems": False,
    }


def send(client: GraphClient, mailbox: str | None, body: Any) -> Any:
    path = "/me/sendMail" if mailbox is None else f"/users/{mailbox}/sendMail"
    return client.request("POST", path, json=body)


def refused(client: GraphClient, mailbox: str | None, body: Any) -> GraphError:
    with pytest.raises(GraphError) as caught:
        send(client, mailbox, body)
    return caught.value


def test_client_credentials_token_carries_the_consented_app_roles_and_no_user() -> None:
    result = app_token()
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["Mail.Send"]
    assert "scp" not in claims and "upn" not in claims and "wids" not in claims
    assert claims["idtyp"] == "app" and claims["aud"] == "https://graph.microsoft.com"
    assert "refresh_token" not in result and "id_token" not in result
    # MSAL caches app tokens: the second call is answered from its cache, the same token.
    app = make_app()
    first = app.acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    assert app.acquire_token_for_client(scopes=[GRAPH_DEFAULT])["access_token"] == first["access_token"]


def test_client_credentials_needs_one_default_scope() -> None:
    result = make_app().acquire_token_for_client(scopes=["https://graph.microsoft.com/Mail.Send"])
    assert result["error"] == "invalid_scope"
    assert "AADSTS1002012" in result["error_description"]


def test_client_credentials_with_a_wrong_secret_is_refused() -> None:
    result = make_app(secret="not-the-secret").acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    assert result["error"] == "invalid_client"


def test_app_sends_mail_from_a_mailbox_and_the_outbox_keeps_it() -> None:
    answer = send(graph_as(app_token()["access_token"]), DESK, json_mail())
    assert answer.status == 202 and answer.data is None
    message = OutboxMessage.objects.get()
    assert message.mailbox == DESK and message.sender == f"Token Desk <{DESK}>"
    assert message.to == [f"Adele Vance <{ADELE_UPN}>"]
    assert message.subject == "Your token" and message.html == "<p>Hello <b>Adele</b></p>" and message.text == ""
    assert message.sent_as == "app" and message.request_id


def test_without_the_mail_send_app_role_sending_is_denied(settings: Any) -> None:
    sandbox(settings, APP_ROLES=[])
    token = app_token()["access_token"]
    assert "roles" not in jwt.decode(token, options={"verify_signature": False})
    error = refused(graph_as(token), DESK, json_mail())
    assert (error.status, error.code) == (403, "ErrorAccessDenied")
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    ("mailbox", "status", "code"),
    [
        ("nobody@contoso-sandbox.example", 404, "ErrorInvalidUser"),
        (seed.PRADEEP, 404, "MailboxNotEnabledForRESTAPI"),  # a guest has no mailbox in the tenant
    ],
)
def test_sending_from_a_mailbox_that_does_not_exist(mailbox: str, status: int, code: str) -> None:
    error = refused(graph_as(app_token()["access_token"]), mailbox, json_mail())
    assert (error.status, error.code) == (status, code)


def test_a_mailbox_that_is_not_enabled_is_switchable(settings: Any) -> None:
    sandbox(settings, MAILBOXES_NOT_ENABLED=[DESK.upper()])
    error = refused(graph_as(app_token()["access_token"]), DESK, json_mail())
    assert (error.status, error.code) == (404, "MailboxNotEnabledForRESTAPI")


def test_bad_messages_are_refused_with_exchanges_codes() -> None:
    client = graph_as(app_token()["access_token"])
    assert refused(client, DESK, {"saveToSentItems": False}).code == "ErrorInvalidRequest"
    assert refused(client, DESK, json_mail(toRecipients=[])).code == "ErrorInvalidRecipients"
    assert refused(client, DESK, json_mail(to="not an address")).code == "ErrorInvalidRecipients"
    assert not OutboxMessage.objects.exists()


def test_app_tokens_cannot_use_me() -> None:
    error = refused(graph_as(app_token()["access_token"]), None, json_mail())
    assert (error.status, error.code) == (400, "BadRequest")


def test_delegated_callers_send_as_themselves_with_mail_send_only() -> None:
    adele = DirectoryUser.objects.get(pk=seed.ADELE)
    with_scope = graph_as(access_token(adele, ["Mail.Send"]))
    assert send(with_scope, None, json_mail(to="megan.bowen@contoso-sandbox.example")).status == 202
    assert send(with_scope, ADELE_UPN, json_mail()).status == 202
    assert OutboxMessage.objects.filter(sent_as="user", mailbox=ADELE_UPN).count() == 2
    # Another person's mailbox needs Mail.Send.Shared; no Mail scope at all, nothing.
    assert refused(with_scope, DESK, json_mail()).code == "ErrorAccessDenied"
    assert send(graph_as(access_token(adele, ["Mail.Send.Shared"])), DESK, json_mail()).status == 202
    assert refused(graph_as(access_token(adele, ["User.Read"])), None, json_mail()).code == "ErrorAccessDenied"


def mime(html: str, text: str) -> bytes:
    message = EmailMessage()
    message["Subject"] = "Two parts"
    message["From"] = DESK
    message["To"] = f"Adele Vance <{ADELE_UPN}>, megan.bowen@contoso-sandbox.example"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return base64.b64encode(message.as_bytes())


def test_mime_messages_keep_both_parts() -> None:
    client = graph_as(app_token()["access_token"])
    answer = client.request(
        "POST", f"/users/{DESK}/sendMail", data=mime("<p>Héllo</p>", "Héllo"), headers={"Content-Type": "text/plain"}
    )
    assert answer.status == 202
    message = OutboxMessage.objects.get()
    assert message.subject == "Two parts"
    assert message.to == [f"Adele Vance <{ADELE_UPN}>", "megan.bowen@contoso-sandbox.example"]
    assert message.html.strip() == "<p>Héllo</p>" and message.text.strip() == "Héllo"
    with pytest.raises(GraphError) as caught:
        client.request("POST", f"/users/{DESK}/sendMail", data=b"%%%not base64", headers={"Content-Type": "text/plain"})
    assert (caught.value.status, caught.value.code) == (400, "ErrorMimeContentInvalidBase64String")


def test_the_outbox_page_shows_each_message_safely(client: Client) -> None:
    graph = graph_as(app_token()["access_token"])
    hostile = '<p onclick="x()">Hi</p><script>alert(1)</script>"><img src=x onerror=alert(2)>'
    graph.request(
        "POST", f"/users/{DESK}/sendMail", data=mime(hostile, "Plain words"), headers={"Content-Type": "text/plain"}
    )
    send(graph, DESK, json_mail(subject="Second", to="megan.bowen@contoso-sandbox.example"))
    page = client.get("/sandbox/outbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sandbox tenant — not Microsoft" in html
    assert html.index("Second") < html.index("Two parts")  # newest first
    # The HTML part lives only in a sandboxed iframe's srcdoc, escaped: nothing of it runs in the page.
    assert 'sandbox="allow-top-navigation-by-user-activation"' in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "Plain words" in html
    # The page's own strict policy (inherited by the frame): no script, no inline style runs.
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert "script-src 'self'" in page["Content-Security-Policy"]
    only_megan = client.get("/sandbox/outbox/", {"to": "megan"}).content.decode()
    assert "Second" in only_megan and "Two parts" in only_megan
    only_adele = client.get("/sandbox/outbox/", {"to": "adele"}).content.decode()
    assert "Second" not in only_adele and "Two parts" in only_adele


def test_the_outbox_keeps_a_bounded_number_of_messages(settings: Any) -> None:
    sandbox(settings, OUTBOX_KEEP=3)
    client = graph_as(app_token()["access_token"])
    for n in range(5):
        send(client, DESK, json_mail(subject=f"Message {n}"))
    assert list(OutboxMessage.objects.values_list("subject", flat=True)) == ["Message 4", "Message 3", "Message 2"]
