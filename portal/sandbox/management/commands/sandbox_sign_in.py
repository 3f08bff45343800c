"""manage.py sandbox_sign_in --serial X [--days-ago N]: sign in with a sandbox token.

Stands in for the person signing in to Microsoft with the code their token shows, which is what
sets the method's `lastUsedDateTime`. `--days-ago` backdates the sign-in (to set up a token "not
used for N days").
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from portal.sandbox.directory import SignInRefused, token_sign_in
from portal.sandbox.models import HardwareToken


class Command(BaseCommand):
    help = "Sign in with a sandbox token (sets its lastUsedDateTime)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--serial", required=True, help="The token's serial number.")
        parser.add_argument("--days-ago", type=int, default=0, help="When the sign-in happened (default: now).")

    def handle(self, *args: Any, **options: Any) -> None:
        token = HardwareToken.objects.select_related("assigned_to").filter(serial_number=options["serial"]).first()
        if token is None:
            raise CommandError(f"No sandbox token with serial number {options['serial']!r}.")
        at = timezone.now() - timedelta(days=options["days_ago"])
        try:
            token_sign_in(token=token, at=at)
        except SignInRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{token.serial_number}: signed in as {token.assigned_to} at {at:%Y-%m-%d %H:%M} UTC")
