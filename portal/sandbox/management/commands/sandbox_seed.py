"""manage.py sandbox_seed [--reset] [--if-empty]: create (or restore) the demo tenant."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from portal.sandbox.router import SANDBOX_DB
from portal.sandbox.seed import seed_demo_tenant, tenant_is_empty


class Command(BaseCommand):
    help = "Create the sandbox tenant's demo users and token inventory (migrates the sandbox database first)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--reset", action="store_true", help="Wipe the sandbox tenant and seed it afresh.")
        group.add_argument(
            "--if-empty", action="store_true", help="Seed only a tenant without users (safe on every start)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # `migrate` alone only migrates "default"; the sandbox keeps its state in its own database.
        call_command("migrate", database=SANDBOX_DB, interactive=False, verbosity=0)
        if options["if_empty"] and not tenant_is_empty():
            self.stdout.write("Sandbox tenant already has users; nothing to do.")
            return
        result = seed_demo_tenant(reset=options["reset"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Sandbox tenant seeded: {result.users_created} users created, "
                f"{result.users_updated} updated, {result.tokens_created} tokens created, "
                f"{result.tokens_kept} kept as they were."
            )
        )
