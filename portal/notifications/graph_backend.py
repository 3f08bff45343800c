"""A Django email backend that sends through Microsoft Graph `sendMail`, as the application.

For Exchange Online tenants where SMTP submission is switched off. The app registration's client
credentials get an app-only token (application permission `Mail.Send`, admin consent); each message
is posted in MIME format (base64, `Content-Type: text/plain`) to `/users/{MAIL_GRAPH_MAILBOX}/sendMail`,
so its plain-text and HTML parts arrive exactly as Django built them (Graph's JSON message has room
for one body only). 202 Accepted means Exchange took it. Restrict the app to that one mailbox with an
Exchange application access policy (README, "Connect your tenant").

Errors are raised as MailDeliveryError (when not fail_silently), saying whether trying again can help.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from portal.graph import calls
from portal.graph.client import GraphClient
from portal.graph.errors import GraphError, GraphUnavailable
from portal.graph.retry import RetryPolicy
from portal.identity.msal_client import AppTokenUnavailable, app_access_token
from portal.notifications.errors import MailDeliveryError

# Worth trying again later: throttled, unavailable, a token that expired on the way.
_TRANSIENT_STATUSES = frozenset({401, 408, 429, 500, 502, 503, 504})


class GraphMailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.mailbox = str(kwargs.get("mailbox") or settings.MAIL_GRAPH_MAILBOX)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        sent = 0
        try:
            # Background work: the patient tuning of the one retry policy (throttling is waited out).
            client = GraphClient(app_access_token(), policy=RetryPolicy.for_jobs())
            for message in email_messages:
                if not message.recipients():
                    continue
                # Django's SafeMIME classes take the line separator; RFC 5322 wants CRLF.
                built: Any = message.message()
                client.call(calls.mail_send_mime(self.mailbox, built.as_bytes(linesep="\r\n")))
                sent += 1
        except AppTokenUnavailable as exc:
            if not self.fail_silently:
                raise MailDeliveryError(f"No token for sending mail from Entra ID ({exc.error})", retry=True) from exc
        except GraphUnavailable as exc:
            if not self.fail_silently:
                # A POST whose answer never came may have been delivered: don't send it again.
                raise MailDeliveryError(
                    f"Microsoft Graph did not answer ({exc.code})", retry=True, unconfirmed=exc.code == "timeout"
                ) from exc
        except GraphError as exc:
            if not self.fail_silently:
                raise MailDeliveryError(
                    f"Microsoft Graph refused the message: HTTP {exc.status} {exc.code}",
                    retry=exc.status in _TRANSIENT_STATUSES,
                ) from exc
        return sent
