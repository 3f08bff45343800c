"""manage.py attempts_lockout OID SERIAL [--name NAME] [--upn UPN]: lock a person out as wrong codes
would (portal.core.attempts.lockout_stage), so the admin overview's queue shows a "locked out" item.

For the demo (`make run`, `make sandbox-reset`: the lockout lives in the portal's database, which the
sandbox tenant does not touch) and for rehearsing the queue; the person can be let in again from the
queue ("Lift the pause") or their admin page."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from portal.core.attempts import lockout_stage
from portal.identity.models import User


class Command(BaseCommand):
    help = "Lock a person out by the wrong-code limit (for a demo or a rehearsal of the needs-attention queue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("oid", help="the person's Entra object id")
        parser.add_argument("serial", help="the serial number of the token the wrong codes were typed for")
        parser.add_argument("--name", default="", help="their display name, if they have not signed in to the portal")
        parser.add_argument("--upn", default="", help="their user principal name, likewise")

    def handle(self, *args: Any, **options: Any) -> None:
        oid = options["oid"].strip()
        # Named in the queue like someone who signed in (their next sign-in refreshes name and UPN).
        User.objects.get_or_create(username=oid, defaults={"display_name": options["name"], "upn": options["upn"]})
        recorded = lockout_stage(person_oid=oid, serial=options["serial"], now=timezone.now())
        if recorded:
            self.stdout.write(self.style.SUCCESS(f"{recorded} wrong codes recorded: the person is locked out."))
        else:
            self.stdout.write("The person is locked out already; nothing to do.")
