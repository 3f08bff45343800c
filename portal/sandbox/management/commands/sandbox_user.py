"""manage.py sandbox_user UPN --disable | --enable | --delete | --restore

What an administrator does in Microsoft's admin center to an account, for the sandbox tenant.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.sandbox.directory import user_delete, user_enabled_set, user_restore
from portal.sandbox.models import DirectoryUser


class Command(BaseCommand):
    help = "Disable, enable, delete or restore a sandbox user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("upn", help="The user's userPrincipalName.")
        action = parser.add_mutually_exclusive_group(required=True)
        for name in ("disable", "enable", "delete", "restore"):
            action.add_argument(f"--{name}", action="store_const", const=name, dest="action")

    def handle(self, *args: Any, **options: Any) -> None:
        user = DirectoryUser.everyone.filter(user_principal_name__iexact=options["upn"]).first()
        if user is None:
            raise CommandError(f"No sandbox user {options['upn']!r}.")
        action = options["action"]
        if action in ("disable", "enable"):
            user_enabled_set(user=user, enabled=action == "enable")
        elif action == "delete":
            user_delete(user=user)
        else:
            user_restore(user=user)
        self.stdout.write(f"{user.user_principal_name}: {action}d")
