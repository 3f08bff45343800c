from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signed in with Entra ID, keyed on the Entra object id (`oid`).

    `username` holds the oid (unique, immutable in Entra); name and UPN are refreshed from the ID
    token at every sign-in. The portal has no passwords: sign-in is Entra's job.
    """

    upn = models.CharField("user principal name", max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    tenant_id = models.CharField(max_length=64, blank=True)
    # What the person last used on the portal (portal.web.middleware.PreferencesMiddleware): mails
    # to them are written in this language and show times in this zone. Empty: not known yet.
    language = models.CharField(max_length=16, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    # The keyed hash the wrong-code limits count this person under (portal.core.attempts.person_key),
    # written when they type a code: the needs-attention queue names a lockout by looking up its key
    # instead of hashing every user. Empty until their first code.
    attempts_key = models.CharField(max_length=64, blank=True, db_index=True)

    @property
    def oid(self) -> str:
        return self.username

    @property
    def guest(self) -> bool:
        """A guest (B2B) account: its UPN is `name_home#EXT#@tenant`. Entra lets no guest hold a
        hardware token, so the portal never offers them one."""
        return "#ext#@" in self.upn.lower()

    def __str__(self) -> str:
        return self.display_name or self.upn or self.username
