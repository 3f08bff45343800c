"""golive_check verifies the chosen mail transport: SMTP (connect, EHLO, login) or Graph (an app-only
token carrying Mail.Send)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.notifications.conftest import Relay
from tests.ops.test_golive_check import golive
from tests.support.sandbox import sandbox

pytestmark = pytest.mark.django_db


def test_graph_transport_needs_a_token_with_mail_send(graph_mail: None, settings: Any) -> None:
    output, _ = golive()
    assert "OK    The app may send mail through Microsoft Graph (Mail.Send); it sends from tokens@" in output
    sandbox(settings, APP_ROLES=[])
    output, _ = golive()
    assert "FAIL  The app's token has no Mail.Send application permission" in output


def test_graph_transport_with_a_wrong_secret(graph_mail: None, settings: Any) -> None:
    settings.ENTRA_CLIENT_SECRET = "canary-wrong-secret"
    output, _ = golive()
    assert "FAIL  Entra ID gave the app no token of its own for sending mail (invalid_client)" in output
    assert "canary-wrong-secret" not in output


def test_smtp_relay_is_reached_and_logged_in(relay: Relay, settings: Any) -> None:
    output, _ = golive()
    assert (
        f"OK    The mail relay 127.0.0.1:{relay.port} answers (no encryption, logged in as EMAIL_HOST_USER)." in output
    )
    assert "WARN  Mail goes to the relay unencrypted" in output
    assert relay.logins == ["portal"]
    settings.EMAIL_HOST_PASSWORD = "canary-wrong-password"
    output, _ = golive()
    assert f"FAIL  The mail relay 127.0.0.1:{relay.port} refused the login of EMAIL_HOST_USER (SMTP 535)" in output
    assert "canary-wrong-password" not in output


def test_smtp_relay_that_is_not_there(relay: Relay, settings: Any) -> None:
    settings.EMAIL_PORT = relay.port + 1 if relay.port < 65535 else relay.port - 1
    output, _ = golive()
    assert "FAIL  The mail relay 127.0.0.1:" in output and "could not be reached (ConnectionRefusedError)" in output


def test_no_transport_is_a_warning(settings: Any) -> None:
    settings.MAIL_TRANSPORT = ""
    output, _ = golive()
    assert "WARN  MAIL_TRANSPORT is not set: the portal sends no mail" in output
    output, _ = golive("--offline")
    assert "WARN  MAIL_TRANSPORT is not set" in output
