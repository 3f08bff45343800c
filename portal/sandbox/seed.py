"""The demo tenant: a fixed cast of users (one per role the portal cares about) and a token inventory.

Everything is deterministic — user ids, token ids, serials and secrets — so that docs, curl
examples and tests can name them, and a reset brings back exactly the same tenant. Secrets are
derived from the serial number (valid Base32, not guessable from the portal, never shown outside
the sandbox's own pages); they protect nothing real.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal.sandbox import roles
from portal.sandbox.models import (
    AuthorizationCode,
    DirectoryUser,
    HardwareToken,
    RefreshToken,
    RequestLogEntry,
    TemporaryAccessPass,
)
from portal.sandbox.router import SANDBOX_DB

# `.example` is reserved (RFC 2606): no demo address can ever reach a real mailbox or tenant.
DOMAIN = "contoso-sandbox.example"
_TOKEN_NAMESPACE = uuid.UUID("0f6a7c2e-3d41-4b8e-a9d5-6c1e2b7f8a90")


@dataclass(frozen=True)
class DemoUser:
    id: str
    alias: str
    display_name: str
    given_name: str
    surname: str
    job_title: str
    department: str
    roles: tuple[str, ...] = ()
    description: str = ""
    user_type: str = "Member"
    enabled: bool = True
    deleted_days: int | None = None  # deleted this many days ago (still restorable in Entra)
    upn: str = ""  # default: alias@DOMAIN

    @property
    def user_principal_name(self) -> str:
        return self.upn or f"{self.alias}@{DOMAIN}"


ADELE = "7d6dc637-ffd5-493a-86f5-ed3557a36682"
ALEX = "3789b267-a19a-4c05-8f90-5746e2f77604"
MEGAN = "8cdf4aee-af45-488f-b540-73462cea7288"
PRADEEP = "5d182f21-a472-4382-9b44-a2833c2470db"
ISAIAH = "99dbbc05-c762-448e-aeef-82ee9007acc3"
LYNNE = "b654fae1-4306-401d-b9ed-b6c2e7b41732"
NESTOR = "8c33451d-5c05-44e2-889e-f3bb8e2acc6a"
GRADY = "28c4ac15-0265-4ee4-b943-27a2ae49902e"
MIRIAM = "c87c6463-5be0-438b-ab15-900d29ce87c1"
PATTI = "472e70c2-aa00-41f8-9bf4-d0dcc5dd3e18"
DIEGO = "def50ff2-39cf-4207-b1c0-55acd623e3ec"
JOHANNA = "5e1a2c4b-7f3d-4e8a-9b60-1d2c3e4f5a6b"
LEE = "a9b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c6d"
TOKEN_DESK = "1f0e9d4c-7a6b-4c2d-8e1f-0a9b8c7d6e5f"
# The shared mailbox the portal sends its notifications from in sandbox mode (settings.MAIL_SENDER).
TOKEN_DESK_MAILBOX = f"tokens@{DOMAIN}"

USERS: tuple[DemoUser, ...] = (
    DemoUser(ADELE, "adele.vance", "Adele Vance", "Adele", "Vance", "Retail Manager", "Retail",
             description=gettext_noop("Employee. IT pre-assigned two tokens to her: she activates one with its code.")),
    DemoUser(ALEX, "alex.wilber", "Alex Wilber", "Alex", "Wilber", "Marketing Assistant", "Marketing",
             description=gettext_noop("Employee with an active token, and one whose activation failed.")),
    DemoUser(MEGAN, "megan.bowen", "Megan Bowen", "Megan", "Bowen", "Auditor", "Finance",
             description=gettext_noop("Employee without a token: claims one from the inventory by its serial number.")),
    DemoUser(PRADEEP, "pradeep.gupta", "Pradeep Gupta (Fabrikam)", "Pradeep", "Gupta", "Consultant", "",
             user_type="Guest", upn=f"pradeep.gupta_fabrikam.example#EXT#@{DOMAIN}",
             description=gettext_noop("Guest from a partner organisation.")),
    DemoUser(ISAIAH, "isaiah.langer", "Isaiah Langer", "Isaiah", "Langer", "Service Desk Lead", "IT",
             roles=(roles.AUTHENTICATION_ADMINISTRATOR,),
             description=gettext_noop("Manages the tokens of users who are not administrators.")),
    DemoUser(LYNNE, "lynne.robbins", "Lynne Robbins", "Lynne", "Robbins", "Identity Engineer", "IT",
             roles=(roles.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,),
             description=gettext_noop("Manages the tokens of any user, administrators included.")),
    DemoUser(NESTOR, "nestor.wilke", "Nestor Wilke", "Nestor", "Wilke", "Security Officer", "IT",
             roles=(roles.AUTHENTICATION_POLICY_ADMINISTRATOR,),
             description=gettext_noop("Keeps the token inventory: adds, imports and deletes tokens.")),
    DemoUser(GRADY, "grady.archie", "Grady Archie", "Grady", "Archie", "IT Auditor", "Compliance",
             roles=(roles.GLOBAL_READER,),
             description=gettext_noop("Can see every token and user, and change nothing.")),
    DemoUser(MIRIAM, "miriam.graham", "Miriam Graham", "Miriam", "Graham", "Director of IT", "IT",
             roles=(roles.GLOBAL_ADMINISTRATOR,),
             description=gettext_noop("Can do everything.")),
    DemoUser(PATTI, "patti.fernandez", "Patti Fernandez", "Patti", "Fernandez", "Helpdesk Agent", "IT",
             roles=(roles.HELPDESK_ADMINISTRATOR,),
             description=gettext_noop(
                 "Holds an admin role, so an Authentication Administrator cannot manage her tokens.")),
    DemoUser(DIEGO, "diego.siciliani", "Diego Siciliani", "Diego", "Siciliani", "HR Manager", "HR",
             enabled=False, description=gettext_noop("Account disabled: cannot sign in; his token stays assigned.")),
    DemoUser(JOHANNA, "johanna.lorenz", "Johanna Lorenz", "Johanna", "Lorenz", "Field Engineer", "Operations",
             description=gettext_noop("IT assigned her a token three weeks ago; she has never activated it.")),
    DemoUser(LEE, "lee.gu", "Lee Gu", "Lee", "Gu", "Sales Representative", "Sales", deleted_days=5,
             description=gettext_noop("Left the company: his account was deleted, his token is still assigned to it.")),
    DemoUser(TOKEN_DESK, "tokens", "Token Desk", "", "", "Shared mailbox", "IT", enabled=False,
             description=gettext_noop(
                 "Shared mailbox (not a person, can't sign in): the portal's notifications come from it.")),
)  # fmt: skip


@dataclass(frozen=True)
class DemoToken:
    serial: str
    manufacturer: str
    model: str
    interval: int = 30
    hash_function: str = "hmacsha1"
    status: str = HardwareToken.Status.AVAILABLE
    holder: str | None = None
    name: str | None = None  # the displayName given at activation
    days: int = 0  # assigned this many days ago
    used_days: int | None = 0  # last used to sign in this many days ago (activated tokens); None: never

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(_TOKEN_NAMESPACE, self.serial)


_C202 = ("Token2", "C202")
_MINI = ("Token2", "miniOTP-3")
_C200 = ("Feitian", "OTP c200")
_SAFEID = ("Deepnet", "SafeID/Classic")
_SLIM = ("Protectimus", "Slim NFC")

_SHA256 = "hmacsha256"
_AS = HardwareToken.Status.ASSIGNED
_AC = HardwareToken.Status.ACTIVATED
_FA = HardwareToken.Status.FAILED_ACTIVATION

TOKENS: tuple[DemoToken, ...] = (
    # Pre-assigned to Adele by IT, waiting for her to activate one.
    DemoToken("60200101", *_C202, status=_AS, holder=ADELE, days=2),
    DemoToken("2100040001", *_C200, status=_AS, holder=ADELE, days=2),
    DemoToken("SI-01000101", *_SAFEID, status=_AC, holder=ALEX, name="Alex's keyring token", days=40),
    DemoToken("60200102", *_C202, status=_FA, holder=ALEX, days=1),
    DemoToken("2100040002", *_C200, interval=60, status=_AC, holder=ISAIAH, name="Desk token", days=90),
    DemoToken("60300101", *_MINI, hash_function=_SHA256, status=_AC, holder=LYNNE, name="Lynne's", days=120),
    # Active, but not used to sign in for six weeks.
    DemoToken("SI-01000102", *_SAFEID, status=_AC, holder=GRADY, days=60, used_days=45),
    DemoToken("60200103", *_C202, status=_AC, holder=MIRIAM, name="Break-glass backup", days=200),
    # Activated a month ago and never used to sign in.
    DemoToken("2100040003", *_C200, status=_AC, holder=PATTI, name="Patti's token", days=30, used_days=None),
    DemoToken("PSL-7000101", *_SLIM, status=_AC, holder=DIEGO, days=300),
    # Assigned three weeks ago, never activated.
    DemoToken("60200109", *_C202, status=_AS, holder=JOHANNA, days=21),
    # Held by an account that was deleted.
    DemoToken("SI-01000107", *_SAFEID, status=_AC, holder=LEE, days=150, used_days=9),
    # The inventory, free for self-service: a mix of makes, intervals and hash functions.
    DemoToken("60200104", *_C202),
    DemoToken("60200105", *_C202),
    DemoToken("60200106", *_C202),
    DemoToken("60200107", *_C202, interval=60),
    DemoToken("60300102", *_MINI, hash_function=_SHA256),
    DemoToken("60300103", *_MINI, hash_function=_SHA256, interval=60),
    DemoToken("2100040004", *_C200),
    DemoToken("2100040005", *_C200),
    DemoToken("2100040006", *_C200, interval=60),
    DemoToken("SI-01000103", *_SAFEID),
    DemoToken("SI-01000104", *_SAFEID),
    DemoToken("SI-01000105", *_SAFEID, hash_function=_SHA256),
    DemoToken("PSL-7000102", *_SLIM),
    DemoToken("PSL-7000103", *_SLIM, hash_function=_SHA256),
    DemoToken("PSL-7000104", *_SLIM, interval=60),
    DemoToken("60200108", *_C202),
    DemoToken("2100040007", *_C200),
    DemoToken("SI-01000106", *_SAFEID, interval=60),
)  # fmt: skip


def demo_secret(serial: str, hash_function: str = "hmacsha1") -> str:
    """The token's Base32 seed (unpadded): 20 bytes for SHA-1, 32 for SHA-256 (RFC 4226/6238 sizes)."""
    digest = hashlib.sha256(f"oath-portal sandbox demo seed:{serial}".encode()).digest()
    raw = digest[:20] if hash_function == "hmacsha1" else digest
    return base64.b32encode(raw).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class SeedResult:
    users_created: int
    users_updated: int
    tokens_created: int
    tokens_kept: int


def tenant_is_empty() -> bool:
    return not DirectoryUser.everyone.exists()


def seed_demo_tenant(reset: bool = False) -> SeedResult:
    """Put the demo tenant in place. Idempotent: users are brought back to their demo definition;
    tokens are only added (a token a demo visitor activated keeps its state) unless `reset` wipes
    the tenant first — users, tokens, codes, refresh tokens and the request log; the signing key stays."""
    now = timezone.now()
    with transaction.atomic(using=SANDBOX_DB):
        if reset:
            _wipe()
        created = updated = 0
        for user in USERS:
            _, was_created = DirectoryUser.everyone.update_or_create(
                id=uuid.UUID(user.id), defaults=_user_fields(user, now)
            )
            created += was_created
            updated += not was_created
        tokens_created = 0
        for token in TOKENS:
            if HardwareToken.objects.filter(id=token.id).exists():
                continue
            if HardwareToken.objects.filter(serial_number=token.serial).exists():
                continue  # someone re-created this serial by hand; leave theirs alone
            HardwareToken.objects.create(**_token_fields(token, now))
            tokens_created += 1
    return SeedResult(
        users_created=created,
        users_updated=updated,
        tokens_created=tokens_created,
        tokens_kept=len(TOKENS) - tokens_created,
    )


def _wipe() -> None:
    RequestLogEntry.objects.all().delete()
    RefreshToken.objects.all().delete()
    AuthorizationCode.objects.all().delete()
    HardwareToken.objects.all().delete()
    TemporaryAccessPass.objects.all().delete()
    DirectoryUser.everyone.all().delete()


def _user_fields(user: DemoUser, now: datetime) -> dict[str, object]:
    upn = user.user_principal_name
    return {
        "user_principal_name": upn,
        "display_name": user.display_name,
        "given_name": user.given_name,
        "surname": user.surname,
        "mail": f"{user.alias}@fabrikam.example" if user.user_type == "Guest" else upn,
        "job_title": user.job_title,
        "department": user.department,
        "user_type": user.user_type,
        "account_enabled": user.enabled,
        "deleted_at": None if user.deleted_days is None else now - timedelta(days=user.deleted_days),
        # Every user carries the member template id, as in real `wids` claims.
        "roles": [*user.roles, roles.MEMBER],
        "demo_description": user.description,
        "sort_order": USERS.index(user),
    }


def _token_fields(token: DemoToken, now: datetime) -> dict[str, object]:
    assigned_at = now - timedelta(days=token.days) if token.holder else None
    return {
        "id": token.id,
        "serial_number": token.serial,
        "display_name": token.name,
        "manufacturer": token.manufacturer,
        "model": token.model,
        "secret_key": demo_secret(token.serial, token.hash_function),
        "time_interval": token.interval,
        "hash_function": token.hash_function,
        "status": token.status,
        "assigned_to_id": uuid.UUID(token.holder) if token.holder else None,
        "assigned_at": assigned_at,
        "last_used_at": _last_used(token, now),
    }


def _last_used(token: DemoToken, now: datetime) -> datetime | None:
    if token.status != HardwareToken.Status.ACTIVATED or token.used_days is None:
        return None
    return now - (timedelta(days=token.used_days) if token.used_days else timedelta(hours=5))
