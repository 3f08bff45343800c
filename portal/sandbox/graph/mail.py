"""`POST /me/sendMail` and `POST /users/{id | upn}/sendMail` (Microsoft Learn: user-sendmail).

Permissions: application permission `Mail.Send` for app-only callers (any mailbox of the tenant);
delegated `Mail.Send` for the signed-in person's own mailbox, `Mail.Send.Shared` for another one
(the sandbox grants every user send-as on every mailbox, so the scope is the only check).
The body is JSON (`{"message": {...}, "saveToSentItems": ...}`) or, with `Content-Type: text/plain`,
a base64 MIME message. The answer is `202 Accepted` with no body; the message lands in the sandbox
outbox (`/sandbox/outbox/`), which stands in for the recipients' mailboxes.

Which mailboxes exist: a member user with a `mail` address, unless listed in
SANDBOX["MAILBOXES_NOT_ENABLED"] (404 MailboxNotEnabledForRESTAPI, as Exchange answers for an
unlicensed, inactive or on-premises mailbox); guests have none. An unknown user is
404 ErrorInvalidUser, as Exchange answers it.
"""

from __future__ import annotations

import base64
import binascii
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any

from portal.sandbox.config import sandbox_int, sandbox_list
from portal.sandbox.graph import errors, users
from portal.sandbox.graph.context import Call
from portal.sandbox.http import SandboxResponse
from portal.sandbox.models import DirectoryUser, OutboxMessage

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def send_mail(call: Call, params: dict[str, Any]) -> SandboxResponse:
    caller = call.caller
    target = params.get("user")
    if target is None and not caller.delegated:
        raise errors.ME_NEEDS_DELEGATED()
    own = caller.delegated and (target is None or _names_caller(target, caller.oid))
    needed = ("Mail.Send",) if not caller.delegated or own else ("Mail.Send.Shared",)
    if not caller.has_any_permission(needed):
        raise errors.MAIL_ACCESS_DENIED()
    mailbox = _mailbox(target if target is not None else caller.oid)
    message = _message_from(call, mailbox)
    _keep(message)
    return SandboxResponse(status=202, headers={})


def _names_caller(identifier: str, oid: str) -> bool:
    try:
        return str(users.resolve(identifier).id) == oid
    except errors.GraphError:
        return False


def _mailbox(identifier: str) -> DirectoryUser:
    try:
        user = users.resolve(identifier)
    except errors.GraphError:
        raise errors.MAILBOX_INVALID_USER(f"The requested user '{identifier}' is invalid.") from None
    disabled = {upn.lower() for upn in sandbox_list("MAILBOXES_NOT_ENABLED")}
    if user.user_type != "Member" or not user.mail or user.user_principal_name.lower() in disabled:
        raise errors.MAILBOX_NOT_ENABLED()
    return user


def _message_from(call: Call, mailbox: DirectoryUser) -> OutboxMessage:
    caller = call.caller
    message = OutboxMessage(
        mailbox=mailbox.user_principal_name,
        sender=_formatted(mailbox.display_name, mailbox.mail),
        sent_as="user" if caller.delegated else "app",
        caller_id=caller.oid[:64],
        request_id=call.request_id,
    )
    content_type = call.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "text/plain":
        _fill_from_mime(message, call.request.body)
    else:
        _fill_from_json(message, call.object_body())
    if not (message.to or message.cc or message.bcc):
        raise errors.MAIL_INVALID_RECIPIENTS()
    return message


def _fill_from_json(message: OutboxMessage, body: dict[str, Any]) -> None:
    data = body.get("message")
    if not isinstance(data, dict):
        raise errors.MAIL_INVALID_REQUEST()
    message.subject = str(data.get("subject") or "")[:998]
    content = data.get("body") or {}
    if not isinstance(content, dict):
        raise errors.MAIL_INVALID_REQUEST("The message body must be an itemBody object.")
    text = str(content.get("content") or "")
    if str(content.get("contentType", "text")).lower() == "html":
        message.html = text
    else:
        message.text = text
    message.to = _recipients(data.get("toRecipients"))
    message.cc = _recipients(data.get("ccRecipients"))
    message.bcc = _recipients(data.get("bccRecipients"))


def _recipients(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise errors.MAIL_INVALID_REQUEST("Recipients must be a list of recipient objects.")
    found = []
    for entry in value:
        address = entry.get("emailAddress", {}) if isinstance(entry, dict) else {}
        found.append(_checked(str(address.get("address") or "") if isinstance(address, dict) else "", address))
    return found


def _checked(address: str, named: Any = None) -> str:
    if not _ADDRESS.match(address):
        raise errors.MAIL_INVALID_RECIPIENTS(
            f"At least one recipient is not valid., Recipient '{address}' is not resolved. All recipients must "
            "be resolved before a message can be submitted."
        )
    name = str(named.get("name") or "") if isinstance(named, dict) else ""
    return _formatted(name, address)


def _fill_from_mime(message: OutboxMessage, body: bytes) -> None:
    try:
        raw = base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        raise errors.MIME_INVALID_BASE64() from None
    if not raw.strip():
        raise errors.MIME_INVALID_BASE64()
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    message.subject = str(parsed.get("Subject", ""))[:998]
    message.to = _header_addresses(parsed, "To")
    message.cc = _header_addresses(parsed, "Cc")
    message.bcc = _header_addresses(parsed, "Bcc")
    for subtype, field in (("html", "html"), ("plain", "text")):
        part = parsed.get_body(preferencelist=(subtype,))
        if part is not None:
            setattr(message, field, str(part.get_content()))


def _header_addresses(parsed: EmailMessage, header: str) -> list[str]:
    return [_checked(address, {"name": name}) for name, address in getaddresses(parsed.get_all(header, []))]


def _formatted(name: str, address: str) -> str:
    return f"{name} <{address}>" if name else address


def _keep(message: OutboxMessage) -> None:
    message.save()
    keep = max(sandbox_int("OUTBOX_KEEP"), 1)
    stale = OutboxMessage.objects.order_by("-id").values_list("id", flat=True)[keep : keep + 1000]
    if stale:
        OutboxMessage.objects.filter(id__in=list(stale)).delete()
