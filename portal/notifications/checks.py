"""Start-up checks for the mail configuration (portal.notifications.E00x, W00x)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from portal.notifications.models import Kind


@checks.register()
def mail_configuration(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if settings.MAIL_TRANSPORT_UNKNOWN:
        problems.append(
            checks.Error(
                f"MAIL_TRANSPORT={settings.MAIL_TRANSPORT!r} is not a mail transport.",
                hint='Use "graph" (Microsoft Graph sendMail), "smtp" (a relay), or leave it empty (no mail).',
                id="portal.notifications.E001",
            )
        )
    unknown = sorted(set(settings.NOTIFICATIONS_OFF) - set(Kind.values))
    if unknown:
        problems.append(
            checks.Error(
                f"NOTIFICATIONS_OFF names unknown kinds: {', '.join(unknown)}.",
                hint=f"Known kinds: {', '.join(Kind.values)}.",
                id="portal.notifications.E002",
            )
        )
    if settings.DIGEST_EVERY not in {"daily", "weekly"}:
        problems.append(
            checks.Error(
                f"DIGEST_EVERY={settings.DIGEST_EVERY!r}: use daily or weekly.", id="portal.notifications.E003"
            )
        )
    if settings.DIGEST_PENDING_DAYS_SET:
        problems.append(
            checks.Warning(
                "DIGEST_PENDING_DAYS is deprecated: the digest lists the needs-attention queue, whose "
                "assigned-but-not-activated rule has its own setting.",
                hint=(
                    "Rename it to PROGRAM_NOT_ACTIVATED_DAYS (read from the old name while the new one is "
                    "not set; it also sets when the overview lists such a token)."
                ),
                id="portal.notifications.W001",
            )
        )
    if settings.MAIL_TRANSPORT == "graph" and not settings.MAIL_GRAPH_MAILBOX:
        problems.append(
            checks.Error(
                "MAIL_TRANSPORT=graph needs the mailbox to send from.",
                hint="Set MAIL_FROM (e.g. Token Desk <tokens@example.org>) or MAIL_GRAPH_MAILBOX.",
                id="portal.notifications.E004",
            )
        )
    return problems
