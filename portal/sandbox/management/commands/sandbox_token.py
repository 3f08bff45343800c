"""manage.py sandbox_token --user <upn|id> [--scopes "..." | --admin]: print a sandbox Graph access token.

For driving the sandbox's Graph API by hand:
    TOKEN=$(python manage.py sandbox_token --user adele.vance@contoso-sandbox.example)
    curl -H "Authorization: Bearer $TOKEN" \\
         http://127.0.0.1:8000/sandbox/graph/beta/me/authentication/hardwareOathMethods
For the portal's own commands that act as an admin (`import_tokens --access-token-file`):
    python manage.py sandbox_token --user nestor.wilke@contoso-sandbox.example --admin > token.txt
The token is exactly what the sandbox's token endpoint would issue the portal for that user and
those scopes (same signer, same claims); only the sign-in page is skipped.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.sandbox import clock, keys
from portal.sandbox.identity import scopes
from portal.sandbox.identity.clients import portal_app
from portal.sandbox.identity.errors import OAuthError
from portal.sandbox.models import DirectoryUser


def find_user(identifier: str) -> DirectoryUser | None:
    try:
        return DirectoryUser.objects.filter(id=uuid.UUID(identifier)).first()
    except ValueError:
        return DirectoryUser.objects.filter(user_principal_name__iexact=identifier).first()


class Command(BaseCommand):
    help = "Print an access token for the sandbox's Graph API (for curl, SDKs and load tools)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="User principal name or object id of a sandbox user.")
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--scopes",
            default=" ".join(settings.EMPLOYEE_SCOPES),
            help="Space-separated delegated Graph scopes (default: the portal's employee scopes).",
        )
        which.add_argument("--admin", action="store_true", help="The portal's admin scopes (as after admin consent).")
        parser.add_argument("--lifetime", type=int, default=None, help="Seconds until the token expires.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["user"])
        if user is None:
            raise CommandError(f"No sandbox user {options['user']!r}. Run `manage.py sandbox_seed` first?")
        if not user.account_enabled:
            raise CommandError(f"{user.user_principal_name} is disabled in the sandbox tenant.")
        app = portal_app()
        try:
            grant = scopes.resolve(" ".join(settings.ADMIN_SCOPES) if options["admin"] else options["scopes"], app)
        except OAuthError as err:
            raise CommandError(err.description) from None
        token = keys.mint_access_token(
            user=user,
            scopes=list(grant.graph),
            client_id=app.client_id,
            auth_time=clock.now(),
            lifetime=options["lifetime"],
        )
        self.stdout.write(token)
