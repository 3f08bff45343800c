"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the delivery tests, and helpers to reach the
sandbox outbox and the portal's notification rows."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

GRAPH_BACKEND = "portal.notifications.graph_backend.GraphMailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_USER, SMTP_PASSWORD = "portal", "relay-password-Qx7"


@dataclass
class Relay:
    """What the SMTP server received, and how it should answer the next RCPT TO."""

    port: int
    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    rcpt_answer: str = "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if not self.rcpt_answer.startswith("250"):
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        ):
            self.logins.append(data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def relay(settings: Any) -> Iterator[Relay]:
    """A real SMTP server on 127.0.0.1 (ephemeral port, AUTH LOGIN/PLAIN), and the portal pointed at it."""
    relay = Relay(port=free_port())
    controller = Controller(
        relay,
        hostname="127.0.0.1",
        port=relay.port,
        authenticator=relay.authenticate,
        auth_require_tls=False,  # no certificate in the test: plain SMTP on the loopback
        auth_required=True,
    )
    controller.start()
    settings.MAIL_TRANSPORT = "smtp"
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", relay.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = SMTP_USER, SMTP_PASSWORD
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield relay
    finally:
        controller.stop()


@pytest.fixture
def graph_mail(settings: Any) -> None:
    """Mail through the sandbox tenant's Graph sendMail (pytest-django otherwise swaps in locmem)."""
    settings.MAIL_TRANSPORT = "graph"
    settings.EMAIL_BACKEND = GRAPH_BACKEND


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a received message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, message
    return str(text.get_content()), str(html.get_content())


Clock = Callable[..., Any]
