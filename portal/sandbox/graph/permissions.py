"""Scopes and directory roles per operation (reference §4.1/§4.2), and the self-service step-up.

Rules, as emulated:

* Self (`/me`, or `/users/{id}` naming the caller): UserAuthenticationMethod.Read/ReadWrite (+ .All)
  for reads, .ReadWrite (+ .All) for writes; no directory role needed. `UserAuthMethod-HardwareOATH.*`
  count the same when SANDBOX["ACCEPT_PER_METHOD_SCOPES"].
* Another user: .Read.All/.ReadWrite.All (reads) or .ReadWrite.All (writes) AND, for delegated
  callers, a role: Authentication Administrator (only on targets holding no directory role),
  Privileged Authentication Administrator or Global Administrator (anyone), Global Reader (reads).
* Inventory: Policy.Read.All or Policy.ReadWrite.AuthenticationMethod + Authentication Policy
  Administrator, Global Reader or Global Administrator for reads — emulator choice: Authentication
  Administrator and Privileged Authentication Administrator may read it too, since they cannot assign
  tokens without finding them; writes need Policy.ReadWrite.AuthenticationMethod + Authentication
  Policy Administrator or Global Administrator.
* Temporary Access Pass methods: as hardware OATH methods (UserAuthMethod-TAP.* count the same),
  except that create is documented for other users only: creating one's own pass is 403. Reading the
  TAP policy: Policy.Read.AuthenticationMethod (or the inventory's read scopes) and the inventory's
  read roles — emulator choice, as for the inventory: the helpdesk roles may read the bounds they
  must respect.
* Users: User.Read (or wider) for oneself, User.ReadBasic.All / User.Read.All (or Directory.*) for
  others; any member may read the directory, so no role is needed.

App-only callers (no `scp`) are judged on their application permissions alone (no role check).
"""

from __future__ import annotations

import base64
import json

from portal.sandbox import clock, roles
from portal.sandbox.config import sandbox_bool, sandbox_int
from portal.sandbox.graph import errors
from portal.sandbox.graph.auth import WWW_AUTHENTICATE_BASE, Caller
from portal.sandbox.graph.context import Call
from portal.sandbox.models import DirectoryUser

# Directory-role template ids as they appear in `wids` (entra-sign-in.md §5).
AUTHENTICATION_ADMINISTRATOR = roles.AUTHENTICATION_ADMINISTRATOR
PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = roles.PRIVILEGED_AUTHENTICATION_ADMINISTRATOR
AUTHENTICATION_POLICY_ADMINISTRATOR = roles.AUTHENTICATION_POLICY_ADMINISTRATOR
GLOBAL_READER = roles.GLOBAL_READER
GLOBAL_ADMINISTRATOR = roles.GLOBAL_ADMINISTRATOR
DEFAULT_MEMBER = roles.MEMBER  # every member user; grants nothing

_UAM = "UserAuthenticationMethod"
_PER_METHOD = "UserAuthMethod-HardwareOATH"
_PER_METHOD_TAP = "UserAuthMethod-TAP"

SELF_READ = (f"{_UAM}.Read", f"{_UAM}.ReadWrite", f"{_UAM}.Read.All", f"{_UAM}.ReadWrite.All")
SELF_WRITE = (f"{_UAM}.ReadWrite", f"{_UAM}.ReadWrite.All")
OTHER_READ = (f"{_UAM}.Read.All", f"{_UAM}.ReadWrite.All")
OTHER_WRITE = (f"{_UAM}.ReadWrite.All",)

INVENTORY_READ = ("Policy.Read.All", "Policy.ReadWrite.AuthenticationMethod")
INVENTORY_WRITE = ("Policy.ReadWrite.AuthenticationMethod",)
INVENTORY_READ_ROLES = (
    AUTHENTICATION_POLICY_ADMINISTRATOR,
    GLOBAL_READER,
    GLOBAL_ADMINISTRATOR,
    AUTHENTICATION_ADMINISTRATOR,
    PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
)
INVENTORY_WRITE_ROLES = (AUTHENTICATION_POLICY_ADMINISTRATOR, GLOBAL_ADMINISTRATOR)
# The Temporary Access Pass policy: Policy.Read.AuthenticationMethod is its documented least privilege.
POLICY_READ = ("Policy.Read.AuthenticationMethod", *INVENTORY_READ)

_DIRECTORY_WIDE = (
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
)
USER_SELF_READ = ("User.Read", "User.ReadWrite", *_DIRECTORY_WIDE)
USER_OTHER_READ = _DIRECTORY_WIDE

# The claims challenge Entra sends when an authentication context ("c1") must be satisfied again.
STEP_UP_CLAIMS = {"access_token": {"acrs": {"essential": True, "value": "c1"}}}


def _with_per_method(scopes: tuple[str, ...], per_method: str = _PER_METHOD) -> tuple[str, ...]:
    if not sandbox_bool("ACCEPT_PER_METHOD_SCOPES"):
        return scopes
    return scopes + tuple(scope.replace(f"{_UAM}.", f"{per_method}.") for scope in scopes)


def is_admin(user: DirectoryUser) -> bool:
    """A target that only privileged roles may manage: it holds any directory role (§4.2)."""
    return any(role != DEFAULT_MEMBER for role in (user.roles or []))


def is_self(caller: Caller, user: DirectoryUser) -> bool:
    return caller.delegated and caller.oid == str(user.id)


def require_me_allowed(call: Call) -> None:
    if not call.caller.delegated:
        raise errors.ME_NEEDS_DELEGATED()


def require_method_scope(call: Call, *, self_path: bool, write: bool) -> None:
    """The scope check that needs no target (so a caller without scope learns nothing from a 404)."""
    scopes: tuple[str, ...] = SELF_WRITE if write else SELF_READ
    if not self_path:
        scopes = scopes + (OTHER_WRITE if write else OTHER_READ)
    if not call.caller.has_any_permission(_with_per_method(scopes)):
        raise errors.ACCESS_DENIED()


def require_method_access(call: Call, target: DirectoryUser, *, write: bool) -> None:
    """May the caller read (or change) `target`'s hardware OATH methods?"""
    caller = call.caller
    if is_self(caller, target):
        if not caller.has_any_permission(_with_per_method(SELF_WRITE if write else SELF_READ)):
            raise errors.ACCESS_DENIED()
        if write:
            require_recent_sign_in(call)
        return
    require_other_user_method_access(caller, target, write=write)


def require_other_user_method_access(
    caller: Caller, target: DirectoryUser, *, write: bool, per_method: str = _PER_METHOD
) -> None:
    """The rule for acting on someone else's methods (also used for create-with-assignTo)."""
    if not caller.has_any_permission(_with_per_method(OTHER_WRITE if write else OTHER_READ, per_method)):
        raise errors.ACCESS_DENIED()
    if not caller.delegated:
        return
    allowed: list[str] = [PRIVILEGED_AUTHENTICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR]
    if not write:
        allowed.append(GLOBAL_READER)
    if not is_admin(target):
        allowed.append(AUTHENTICATION_ADMINISTRATOR)
    if not caller.has_any_role(allowed):
        raise errors.ACCESS_DENIED()


def require_pass_scope(call: Call, *, self_path: bool, write: bool) -> None:
    """Temporary Access Pass: the scope check that needs no target."""
    scopes: tuple[str, ...] = SELF_WRITE if write else SELF_READ
    if not self_path:
        scopes = scopes + (OTHER_WRITE if write else OTHER_READ)
    if not call.caller.has_any_permission(_with_per_method(scopes, _PER_METHOD_TAP)):
        raise errors.ACCESS_DENIED()


def require_pass_access(call: Call, target: DirectoryUser, *, write: bool, create: bool = False) -> None:
    """May the caller read, delete (or create) `target`'s Temporary Access Pass?"""
    caller = call.caller
    if is_self(caller, target):
        if create:
            raise errors.ACCESS_DENIED("A Temporary Access Pass is created by an administrator for another user.")
        if not caller.has_any_permission(_with_per_method(SELF_WRITE if write else SELF_READ, _PER_METHOD_TAP)):
            raise errors.ACCESS_DENIED()
        if write:
            require_recent_sign_in(call)
        return
    require_other_user_method_access(caller, target, write=write, per_method=_PER_METHOD_TAP)


def require_pass_policy_read(call: Call) -> None:
    caller = call.caller
    if not caller.has_any_permission(POLICY_READ):
        raise errors.ACCESS_DENIED()
    if caller.delegated and not caller.has_any_role(INVENTORY_READ_ROLES):
        raise errors.ACCESS_DENIED()


def require_inventory_access(call: Call, *, write: bool) -> None:
    caller = call.caller
    if not caller.has_any_permission(INVENTORY_WRITE if write else INVENTORY_READ):
        raise errors.ACCESS_DENIED()
    if caller.delegated and not caller.has_any_role(INVENTORY_WRITE_ROLES if write else INVENTORY_READ_ROLES):
        raise errors.ACCESS_DENIED()


def require_user_read(call: Call, *, target_is_self: bool) -> None:
    scopes = USER_SELF_READ if target_is_self else USER_OTHER_READ
    if not call.caller.has_any_permission(scopes):
        raise errors.DIRECTORY_DENIED()


def require_recent_sign_in(call: Call) -> None:
    """Self-service writes need a recent sign-in (Entra re-prompts for MFA after 10 minutes, §4.1).

    Answered like Continuous Access Evaluation's claims challenge: 401 with `error="insufficient_claims"`
    and base64 claims in WWW-Authenticate, which MSAL takes as `claims_challenge`. The sign-in's age is
    read on the tenant's clock (portal.sandbox.clock), which also stamped its auth_time.
    """
    limit = sandbox_int("STEP_UP_AFTER_SECONDS")
    if limit <= 0:
        return
    auth_time = call.caller.auth_time
    if auth_time is not None and clock.now().timestamp() - auth_time <= limit:
        return
    claims = base64.b64encode(json.dumps(STEP_UP_CLAIMS, separators=(",", ":")).encode()).decode()
    challenge = f'{WWW_AUTHENTICATE_BASE}, error="insufficient_claims", claims="{claims}"'
    raise errors.CLAIMS_CHALLENGE(headers={"WWW-Authenticate": challenge})
