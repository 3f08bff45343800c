"""manage.py sandbox_codes [--serial X]: the code each sandbox token shows right now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.sandbox.models import HardwareToken
from portal.sandbox.totp import current_code, seconds_left


class Command(BaseCommand):
    help = "Print serial number, current code and seconds left for each sandbox token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--serial", help="Only the token(s) with this serial number.")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = HardwareToken.objects.select_related("assigned_to").order_by("serial_number")
        if options["serial"]:
            tokens = tokens.filter(serial_number=options["serial"])
            if not tokens.exists():
                raise CommandError(f"No sandbox token with serial number {options['serial']!r}.")
        for token in tokens:
            code = current_code(token.secret_key, token.time_interval, token.hash_function)
            left = seconds_left(token.time_interval)
            holder = token.assigned_to.user_principal_name if token.assigned_to else "-"
            self.stdout.write(f"{token.serial_number:<14} {code}  {left:>2}s  {token.status:<16} {holder}")
