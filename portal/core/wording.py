"""Every sentence the portal says about what went wrong, once per audience.

To change an error's wording, change it here (and only here): the employee's pages, the admin
area, an import's results table and CSV, and the audit trail's labels all read these tables. Each
string is wrapped in `gettext_lazy`, which is where translations hook in.

A table maps a `Reason` to its words; where the same reason needs other words in a particular
context, the table has an entry for `(Reason, About)` (what the Graph call was about) or
`(Reason, Known)` (what the portal found out itself before refusing). Placeholders in braces are
filled from the keyword arguments of `words()`; a sentence shared by two keys is written once, as a
module constant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, auto
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from portal.core.attempts import Lockout, Paused, TriesLeft
from portal.core.reasons import About, Attention, Reason

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Text
else:
    Text = str


class Audience(Enum):
    """Who reads an ActionError: the words differ, and so does where a fresh sign-in leads."""

    EMPLOYEE = auto()
    ADMIN = auto()


class Known(Enum):
    """What the portal found out itself before refusing (its words can then name the details)."""

    HOLDER = auto()  # it read the token: {serial} and who holds it, {holder}
    ACTOR = auto()  # it recorded who did it: {by}, their UPN


@dataclass(frozen=True)
class Words:
    message: Text  # what happened, in plain words
    next_step: Text  # what to do now


Key = Reason | tuple[Reason, About] | tuple[Reason, Known]

# Translators: Microsoft's name of the admin role, as Microsoft Entra ID shows it in your language.
PAA = _("Privileged Authentication Administrator")


class InventoryChange(Enum):
    """What an admin tried to do to an inventory token that only an unassigned token allows."""

    EDIT = auto()
    DELETE = auto()
    RETIRE = auto()
    MARK = auto()  # mark it lost, stolen or returned (portal.lifecycle)


#: The refusal that names the holder, one whole sentence per change ({serial}, {holder}).
_ASSIGNED_TO_HOLDER: dict[InventoryChange, Text] = {
    InventoryChange.EDIT: _("Token {serial} is assigned to {holder}, and only unassigned tokens can be edited."),
    InventoryChange.DELETE: _("Token {serial} is assigned to {holder}, and only unassigned tokens can be deleted."),
    InventoryChange.RETIRE: _("Token {serial} is assigned to {holder}, and only unassigned tokens can be retired."),
    InventoryChange.MARK: _("Token {serial} is assigned to {holder}, and only unassigned tokens can be marked."),
}


def unassign_first_words(change: InventoryChange, *, serial: str, holder: str) -> tuple[str, str]:
    """(message, next step) when `change` is refused because the token is assigned to `holder`."""
    return _fill(_ASSIGNED_TO_HOLDER[change], {"serial": serial, "holder": holder}), str(_UNASSIGN_FIRST)


# -- shared by both audiences of a page ---------------------------------------------------------

_SHARED: dict[Key, Words] = {
    Reason.TOO_MANY_ATTEMPTS: Words(
        _(
            "Too many wrong codes were entered for this token (or by you) in a short time, so code entry is "
            "paused to protect the account."
        ),
        _("From {time} you can try again. Until then, nothing you type is sent to Microsoft Entra ID."),
    ),
    Reason.TOO_MANY_ATTEMPTS_TODAY: Words(
        _(
            "Too many wrong codes were entered for this token (or by you) today, so code entry is paused to "
            "protect the account. Your administrators can see this."
        ),
        _(
            "You can try again after {time} on {day}, or ask your IT helpdesk to check the token. Until then, "
            "nothing you type is sent to Microsoft Entra ID."
        ),
    ),
    Reason.THROTTLED: Words(
        _("Microsoft Entra ID is busy and asked us to slow down."),
        _("Nothing was changed. Try again in {seconds}."),
    ),
    Reason.UNAVAILABLE: Words(
        _("Microsoft Entra ID could not be reached or did not answer in time."),
        _("Try again in a minute. If it keeps happening, contact your IT helpdesk."),
    ),
    Reason.UNEXPECTED: Words(
        _("Microsoft Entra ID rejected the request for a reason the portal does not recognise."),
        _("Try again. If it happens again, contact your IT helpdesk and quote the reference below."),
    ),
}

# -- the employee's pages -----------------------------------------------------------------------

EMPLOYEE: dict[Key, Words] = {
    **_SHARED,
    Reason.WRONG_CODE: Words(
        _("That code was not accepted."),
        _(
            "Codes change every 30 or 60 seconds. Press the token's button and type the code it shows now, "
            "without waiting."
        ),
    ),
    Reason.UNKNOWN_SERIAL: Words(
        _("No token with that serial number is in your organisation's inventory."),
        _(
            "Check the serial number on the back of the token (letters and digits; spaces are fine). If it is right, "
            "the token has not been registered yet: contact your IT helpdesk."
        ),
    ),
    Reason.TOKEN_NOT_FOUND: Words(
        _("This token is not on your account (any more)."),
        _("Go back to your tokens; the list shows what is on your account now."),
    ),
    Reason.USER_NOT_FOUND: Words(
        _("Microsoft Entra ID could not find your account."),
        _("Sign out and in again. If it keeps happening, contact your IT helpdesk."),
    ),
    Reason.ALREADY_ASSIGNED: Words(
        _("This token is registered to someone else."),
        _("Check the serial number. If the token really is yours, ask your IT helpdesk to release it."),
    ),
    Reason.ASSIGNED: Words(
        _("This token is assigned to someone, so it cannot be changed."),
        _("Check the serial number. If the token really is yours, ask your IT helpdesk to release it."),
    ),
    Reason.ALREADY_ACTIVE: Words(
        _("This token is already active on your account."),
        _("Nothing to do: it can be used to sign in."),
    ),
    Reason.NOT_ACTIVE: Words(
        _("This token is not active, so it cannot be deactivated."),
        _("Nothing to do."),
    ),
    Reason.DUPLICATE_SERIAL: Words(
        _("A token with this serial number is already in the inventory."),
        _("Check the serial number on the back of the token."),
    ),
    Reason.GUEST_USER: Words(
        _("Guest accounts cannot hold hardware tokens (a Microsoft Entra rule)."),
        _("Ask the IT helpdesk of your own organisation for a token on your account there."),
    ),
    Reason.METHOD_LIMIT: Words(
        _("Your account already has the maximum number of hardware tokens."),
        _("Remove a token that is no longer used, then try again."),
    ),
    Reason.INVALID_REQUEST: Words(
        _("Microsoft Entra ID rejected the request as invalid."),
        _("Check the serial number and the code, then try again."),
    ),
    Reason.FORBIDDEN: Words(
        _("Microsoft Entra ID refused this change: your account is not allowed to make it."),
        _("Ask your IT helpdesk to check that hardware tokens are enabled for your account."),
    ),
    Reason.UNCONFIRMED: Words(
        _("Microsoft Entra ID did not answer in time, so the activation may or may not have been made."),
        _("Open My tokens to check the token's status before trying again with a new code."),
    ),
    Reason.OUT_OF_SERVICE: Words(
        _("This token was reported lost, broken or stolen (or taken out of service), so it can't be added."),
        _("Bring it to your IT helpdesk: they can check it and put it back into stock."),
    ),
    (Reason.UNCONFIRMED, About.MY_NEW_TOKEN): Words(
        _("Microsoft Entra ID did not answer in time, so we can't tell whether your token was added."),
        _("Open My tokens to check. If the token isn't there, add it again with the code it shows then."),
    ),
}

# -- the admin area -----------------------------------------------------------------------------

#: {holder} when the token's holder has no display name.
UNNAMED_HOLDER = _("a user")
_HELD_BY = _("Token {serial} is already assigned to {holder}.")
_UNASSIGN_FIRST = _("Unassign it from its holder first (from their user page), then try again.")
_NO_SUCH_INVENTORY_TOKEN = Words(
    _("There is no such token in the inventory: it may have been deleted meanwhile."),
    _("Go back to the inventory and look it up by its serial number."),
)
_TOKEN_DETAILS_REJECTED = Words(
    _("Microsoft Entra ID rejected the token's details."),
    _("Check the secret (Base32 or hex), the time interval (30 or 60 s) and the other fields."),
)

ADMIN: dict[Key, Words] = {
    **_SHARED,
    Reason.WRONG_CODE: Words(
        _("Microsoft Entra ID did not accept that code for this token."),
        _(
            "Press the token's button and type the new code it shows. Codes change every 30 or 60 seconds; "
            "check the token's clock has not drifted if it keeps failing."
        ),
    ),
    Reason.UNKNOWN_SERIAL: Words(
        _("There is no token with serial number {serial} in the inventory."),
        _(
            "Check the number on the back of the token. If it is new, an Authentication Policy Administrator "
            "adds it to the inventory first."
        ),
    ),
    Reason.TOKEN_NOT_FOUND: Words(
        _("That token is not (or no longer) there: it may have been unassigned or deleted meanwhile."),
        _("Reload the user's page to see their tokens as they are now."),
    ),
    (Reason.TOKEN_NOT_FOUND, About.INVENTORY_READ): _NO_SUCH_INVENTORY_TOKEN,
    (Reason.TOKEN_NOT_FOUND, About.INVENTORY_WRITE): _NO_SUCH_INVENTORY_TOKEN,
    (Reason.TOKEN_NOT_FOUND, About.INVENTORY_CREATE_ASSIGNED): _NO_SUCH_INVENTORY_TOKEN,
    Reason.USER_NOT_FOUND: Words(
        _("There is no user with this id or name in the directory."),
        _("They may have been deleted or renamed. Search for them again."),
    ),
    (Reason.USER_NOT_FOUND, About.DIRECTORY): Words(
        _("There is no user {upn} in the directory."),
        _("Check the user principal name (it usually looks like an email address)."),
    ),
    Reason.ALREADY_ASSIGNED: Words(
        _("This token is already assigned to someone."),
        _(
            "A token belongs to one person at a time. Open the token in the inventory to see who holds it, "
            "and unassign it from them first."
        ),
    ),
    (Reason.ALREADY_ASSIGNED, Known.HOLDER): Words(
        _HELD_BY,
        _(
            "A token belongs to one person at a time: unassign it from them first (from their user page), "
            "or pick another token."
        ),
    ),
    Reason.ALREADY_THEIRS: Words(_HELD_BY, _("Nothing needs doing.")),
    Reason.ASSIGNED: Words(
        _("This token is assigned to a user, and Microsoft Entra ID only lets you change or delete unassigned tokens."),
        _UNASSIGN_FIRST,
    ),
    Reason.ALREADY_ACTIVE: Words(
        _("This token is already active for this user."),
        _("Nothing needs doing: the user can sign in with it."),
    ),
    Reason.NOT_ACTIVE: Words(
        _("This token is not active, so there is nothing to deactivate."),
        _("Reload the user's page to see the token's current state."),
    ),
    Reason.DUPLICATE_SERIAL: Words(
        _("A token with this serial number is already in the inventory."),
        _("Check the serial number. To replace that token, delete the old one first."),
    ),
    Reason.GUEST_USER: Words(
        _("Hardware tokens can't be given to guest users."),
        _("Ask the guest's own organisation to issue them a token in their home tenant."),
    ),
    Reason.METHOD_LIMIT: Words(
        _("This user already has as many hardware tokens as Microsoft Entra ID allows."),
        _("Unassign a token they no longer use, then try again."),
    ),
    Reason.INVALID_REQUEST: Words(
        _("Microsoft Entra ID rejected the request as invalid."),
        _("Check the serial number and the code, then try again."),
    ),
    (Reason.INVALID_REQUEST, About.INVENTORY_WRITE): _TOKEN_DETAILS_REJECTED,
    (Reason.INVALID_REQUEST, About.INVENTORY_CREATE_ASSIGNED): _TOKEN_DETAILS_REJECTED,
    Reason.FORBIDDEN: Words(
        _("Microsoft Entra ID refused this change: your account is not allowed to make it."),
        _(
            "If you think you should be allowed, ask your IT administrator to check your role, then sign out "
            "and in again."
        ),
    ),
    (Reason.FORBIDDEN, About.INVENTORY_READ): Words(
        _("Microsoft Entra ID did not let you read the token inventory."),
        _(
            "Reading it needs the Authentication Policy Administrator, Global Reader or Global Administrator "
            "role. If you were given one recently, sign out and in again."
        ),
    ),
    (Reason.FORBIDDEN, About.INVENTORY_WRITE): Words(
        _("Microsoft Entra ID refused: your account may not change the token inventory."),
        _(
            "That needs the Authentication Policy Administrator or Global Administrator role. If you were given "
            "one recently, sign out and in again. Nothing was changed."
        ),
    ),
    Reason.ADMIN_TARGET: Words(
        _("Microsoft Entra ID refused: this user holds an admin role, and only a {paa} can change their tokens."),
        _("Ask a {paa} (or a Global Administrator) to do this. Nothing was changed."),
    ),
    (Reason.ADMIN_TARGET, About.USER): Words(
        _(
            "Microsoft Entra ID did not let you see this user's tokens. This usually means the user holds an "
            "admin role: only a {paa} (or a Global Reader, to look) can see them."
        ),
        _("Ask a {paa} to help this user."),
    ),
    Reason.FORBIDDEN_ASSIGN: Words(
        _(
            "Microsoft Entra ID refused: creating a token that is already assigned to someone also needs the "
            "Authentication Administrator role ({paa} if that person holds an admin role)."
        ),
        _(
            "Leave “Assign to” empty to add the token to the inventory, then ask an Authentication "
            "Administrator to assign it. Nothing was created."
        ),
    ),
    Reason.UNCONFIRMED: Words(
        _("Microsoft Entra ID did not answer in time, so the change may or may not have been made."),
        _("Reload the page to see how things are now before trying again."),
    ),
    Reason.OUT_OF_SERVICE: Words(
        # Translators: {state} is a recorded state as a label: "Lost", "Stolen", "Retired"…
        _("Token {serial} is recorded as “{state}”, so it can't be handed out."),
        _("Pick another token. If this one is back and working, mark it returned on its inventory page first."),
    ),
    Reason.PASS_DISABLED: Words(
        _("Temporary Access Passes are switched off in this tenant's authentication methods policy."),
        _(
            "The person can sign in with another method they have; an Authentication Policy Administrator can "
            "switch passes on in the Entra admin center."
        ),
    ),
    Reason.PASS_LIFETIME: Words(
        _("The tenant's policy does not allow a pass for that long (or that short)."),
        _("Leave the lifetime empty to use the tenant's default, or choose a lifetime within the policy."),
    ),
    (Reason.ADMIN_TARGET, About.USER_PASS): Words(
        _("Microsoft Entra ID refused: this user holds an admin role, and only a {paa} can issue them a pass."),
        _("Ask a {paa} (or a Global Administrator) to issue the pass."),
    ),
    (Reason.INVALID_REQUEST, About.USER_PASS): Words(
        _("Microsoft Entra ID did not accept the pass's settings."),
        _("Leave the lifetime empty to use the tenant's default and try again."),
    ),
    Reason.PAGE_EXPIRED: Words(
        _("This results page has expired or was not made for you."),
        _("Start again from the first page."),
    ),
}

_TABLES: dict[Audience, dict[Key, Words]] = {Audience.EMPLOYEE: EMPLOYEE, Audience.ADMIN: ADMIN}


def words(
    reason: Reason,
    audience: Audience,
    *,
    about: About | None = None,
    known: Known | None = None,
    params: Mapping[str, object] | None = None,
) -> tuple[str, str]:
    """(message, next step) for `reason`, in the words for `audience`, placeholders filled."""
    table = _TABLES[audience]
    entry = (
        (table.get((reason, known)) if known else None)
        or (table.get((reason, about)) if about else None)
        or table[reason]
    )
    values = {"paa": PAA, **(params or {})}
    return _fill(entry.message, values), _fill(entry.next_step, values)


def lockout_params(unlock_at: datetime) -> dict[str, str]:
    """The placeholders of TOO_MANY_ATTEMPTS(_TODAY): when code entry opens again, in the reader's
    own time zone and their language's formats (the active time zone: portal.core.middleware)."""
    local = timezone.localtime(unlock_at)
    return {"time": date_format(local, "TIME_FORMAT"), "day": date_format(local, "DATE_FORMAT")}


def tries_left_text(tries: TriesLeft | Paused) -> str:
    """After a wrong code: how many tries are left before code entry pauses, and for how long (the
    real numbers of the attempt limits, settings CODE_ATTEMPT_*), or that it has just paused."""
    if isinstance(tries, Paused):
        # Translators: {time} is a clock time in the reader's time zone, e.g. "10:44".
        last = _("That was the last try: code entry is paused until {time} to protect the account.")
        return _fill(last, lockout_params(tries.until))
    if tries.lockout is Lockout.DAY:
        return ngettext(
            "You have %(count)d try left today before code entry pauses for up to 24 hours.",
            "You have %(count)d tries left today before code entry pauses for up to 24 hours.",
            tries.count,
        ) % {"count": tries.count}
    minutes = max(1, round(tries.pause.total_seconds() / 60))
    # Two sentences, each with its own count (and so its own plural).
    left = ngettext(
        "You have %(count)d try left before code entry pauses.",
        "You have %(count)d tries left before code entry pauses.",
        tries.count,
    ) % {"count": tries.count}
    # Translators: follows "You have 2 tries left before code entry pauses." in the same paragraph.
    pause = ngettext("The pause lasts %(minutes)d minute.", "The pause lasts %(minutes)d minutes.", minutes) % {
        "minutes": minutes
    }
    return f"{left} {pause}"


def throttle_params(retry_after: float | None) -> dict[str, str]:
    """The placeholder of THROTTLED: how long Graph asked us to wait (30 s when it did not say)."""
    wait = max(1, math.ceil(retry_after or 30))
    return {"seconds": ngettext("%(n)d second", "%(n)d seconds", wait) % {"n": wait}}


# -- an import's results table and CSV ----------------------------------------------------------

_ROLE_REFUSED = _(
    "Microsoft Entra ID refused: your role does not allow this for this user "
    "(a user holding an admin role needs a Privileged Authentication Administrator)."
)

#: Why a row failed, after "Not created: " / "Not assigned: ".
IMPORT_ROW: dict[Reason | tuple[Reason, About], Text] = {
    Reason.GUEST_USER: _("guest accounts cannot hold a hardware token (a Microsoft Entra rule)."),
    Reason.METHOD_LIMIT: _("this user already has the maximum number of hardware tokens."),
    Reason.USER_NOT_FOUND: _("the user no longer exists in the directory."),
    Reason.TOKEN_NOT_FOUND: _("the token is no longer in the inventory."),
    Reason.ALREADY_ASSIGNED: _("the token is already assigned to someone."),
    Reason.ASSIGNED: _("the token is assigned to someone, and only unassigned tokens can be changed."),
    Reason.ALREADY_ACTIVE: _("the token is already active."),
    Reason.NOT_ACTIVE: _("the token is not active."),
    Reason.DUPLICATE_SERIAL: _("a token with this serial number is already in the inventory."),
    Reason.WRONG_CODE: _("Microsoft Entra ID did not accept the verification code."),
    Reason.INVALID_REQUEST: _("Microsoft Entra ID rejected the request."),
    (Reason.INVALID_REQUEST, About.IMPORT_SEED): _("Microsoft Entra ID rejected the token's fields."),
    Reason.FORBIDDEN: _ROLE_REFUSED,
    Reason.ADMIN_TARGET: _ROLE_REFUSED,
    Reason.THROTTLED: _("Microsoft Entra ID was busy and did not process it."),
    Reason.UNAVAILABLE: _("Microsoft Entra ID was busy and did not process it."),
    Reason.UNCONFIRMED: _("no answer came back for it, so it may or may not have been done."),
    Reason.UNEXPECTED: _("Microsoft Entra ID refused it for a reason the portal does not know."),
}
#: UNEXPECTED, naming Graph's error code so the helpdesk can look it up.
_ROW_UNEXPECTED_CODE = _("Microsoft Entra ID refused it for a reason the portal does not know (error code {code}).")
_ROW_DOING: dict[About, Text] = {
    About.IMPORT_SEED: _("Not created: {why}"),
    About.IMPORT_ASSIGN: _("Not assigned: {why}"),
}


def import_row_text(reason: Reason, *, about: About, code: str | None = None) -> str:
    """What the results table and CSV say about a row Graph refused (`code`: Graph's error code, named
    only when the portal does not know it, so the helpdesk can look it up)."""
    template = IMPORT_ROW.get((reason, about)) or IMPORT_ROW[reason]
    if reason is Reason.UNEXPECTED and code:
        template = _ROW_UNEXPECTED_CODE
    return _fill(_ROW_DOING[about], {"why": _fill(template, {"code": code})})


#: What the dry run says about a row it will skip, reject or send differently (it follows the serial).
IMPORT_PLAN: dict[Reason | tuple[Reason, Known], Text] = {
    # A serial the portal recorded as lost, stolen or retired (portal.lifecycle) coming back.
    # Translators: {state} is the recorded state as a label ("Lost", "Stolen", "Retired"…), {date} a date.
    Reason.OUT_OF_SERVICE: _("flagged: the portal recorded this serial as “{state}” on {date}"),
    # Translators: {state} is the recorded state as a label, {date} a date, {by} the admin's user name.
    (Reason.OUT_OF_SERVICE, Known.ACTOR): _("flagged: the portal recorded this serial as “{state}” on {date}, by {by}"),
    Reason.DUPLICATE_SERIAL: _("already in the inventory"),
    (Reason.DUPLICATE_SERIAL, Known.HOLDER): _("already in the inventory, assigned to {holder}"),
    Reason.ALREADY_THEIRS: _("already assigned to {holder}"),
    Reason.ALREADY_ASSIGNED: _("already assigned to {holder}: unassign it from them first"),
    Reason.UNKNOWN_SERIAL: _("no token with serial number {serial} is in the inventory"),
    Reason.USER_NOT_FOUND: _("unknown user {upn}: there is no such account in the directory"),
    Reason.GUEST_USER: _("{upn} is a guest account, and guests cannot hold a hardware token (a Microsoft Entra rule)"),
    # Verdict "Create, not assigned": why, in words that hold before and after the import.
    Reason.FORBIDDEN_ASSIGN: _(
        "not assigned to {upn}: assigning tokens to people needs the Authentication Administrator, "
        "Privileged Authentication Administrator or Global Administrator role, which the person who "
        "uploaded the file does not have"
    ),
}


def import_plan_text(reason: Reason, *, known: Known | None = None, **params: str) -> str:
    """The dry run's note on a row, e.g. `import_plan_text(Reason.ALREADY_THEIRS, holder="Alex")`."""
    template = (IMPORT_PLAN.get((reason, known)) if known else None) or IMPORT_PLAN[reason]
    return _fill(template, params)


class FollowUp(Enum):
    """What a finished import's page says about the tokens it created without their assignment."""

    ASK = auto()  # the reader's role cannot assign: who can
    FORBIDDEN = auto()  # completes "You need one of these roles to …" on the 403 page
    STARTED = auto()
    ALREADY_RUNNING = auto()
    NOTHING_LEFT = auto()
    JOB_LABEL = auto()  # the follow-up job's description in the imports list ({file})


IMPORT_FOLLOW_UP: dict[FollowUp, Text] = {
    FollowUp.ASK: _(
        "Ask an Authentication Administrator (or a Privileged Authentication Administrator, or a Global "
        "Administrator) to open this page: they can assign these tokens to the people named in the file in "
        "one step. Your role can add tokens to the inventory, not assign them to people."
    ),
    FollowUp.FORBIDDEN: _("assign the tokens an import created to the people named in its file"),
    FollowUp.STARTED: _(
        "The tokens are being assigned in the background. Each token's result appears on this page as it "
        "comes in; you can leave it."
    ),
    FollowUp.ALREADY_RUNNING: _("These tokens are already being assigned: see the results below."),
    FollowUp.NOTHING_LEFT: _("Every token this import created without its assignment has been dealt with."),
    FollowUp.JOB_LABEL: _("Assigning the tokens created by the import of {file}"),
}


def import_follow_up_text(note: FollowUp, **params: object) -> str:
    return _fill(IMPORT_FOLLOW_UP[note], params)


class UploaderOnly(Enum):
    """What only the administrator who uploaded a file may do to its dry run."""

    CONFIRM = auto()
    DISCARD = auto()


#: The refusal when someone else tries it ({uploader}: their user name, or UNKNOWN_UPLOADER).
UPLOADER_ONLY: dict[UploaderOnly, Words] = {
    UploaderOnly.CONFIRM: Words(
        _(
            "This dry run was uploaded by {uploader}, and only the administrator who uploaded a file can "
            "confirm its dry run. Nothing was sent to Microsoft Entra ID."
        ),
        _(
            "Ask {uploader} to check the dry run and confirm it. To import the file yourself, upload it again: "
            "you get a dry run of your own to confirm."
        ),
    ),
    UploaderOnly.DISCARD: Words(
        _(
            "This dry run was uploaded by {uploader}, and only the administrator who uploaded a file can "
            "discard its dry run."
        ),
        _(
            "Ask {uploader} to discard it, or leave it: a dry run nobody confirms is deleted automatically, "
            "and nothing is sent to Microsoft Entra ID until it is confirmed."
        ),
    ),
}
#: {uploader} when the job no longer knows who uploaded it.
UNKNOWN_UPLOADER = _("another administrator")


def uploader_only_words(action: UploaderOnly, *, uploader: str) -> tuple[str, str]:
    """(message, next step) when someone other than `uploader` tries `action` on a dry run."""
    entry = UPLOADER_ONLY[action]
    values = {"uploader": uploader or str(UNKNOWN_UPLOADER)}
    return _fill(entry.message, values), _fill(entry.next_step, values)


def import_follow_up_offer(count: int) -> str:
    """The follow-up button: assign the `count` tokens created without their assignment."""
    return ngettext(
        "Assign the %(n)d created token to the person named in the file",
        "Assign the %(n)d created tokens to the people named in the file",
        count,
    ) % {"n": count}


def import_follow_up_waiting(count: int) -> str:
    """What the finished import's page says while tokens it created still wait for their person."""
    return ngettext(
        "%(n)d token was created without being assigned to the person the file names.",
        "%(n)d tokens were created without being assigned to the people the file names.",
        count,
    ) % {"n": count}


# -- the token program: the needs-attention queue and the snapshot's state -----------------------


@dataclass(frozen=True)
class AttentionWords:
    heading: Text  # the group's heading
    problem: Text  # what is wrong with one item ({days}; for lockouts {wrong}, {until})
    fix: Text  # the one action that fixes it
    since: Text  # what the item's date is


_ASSIGNED = _("Assigned")

ATTENTION: dict[Attention, AttentionWords] = {
    Attention.HOLDER_DELETED: AttentionWords(
        _("Held by a deleted account"),
        _("The account holding this token was deleted; Graph no longer lets anyone change its tokens."),
        _(
            "Restore the account in Microsoft Entra (possible for 30 days after deletion), unassign the token "
            "here, then delete the account again."
        ),
        _ASSIGNED,
    ),
    Attention.HOLDER_DISABLED: AttentionWords(
        _("Held by a disabled account"),
        _("The account holding this token cannot sign in (blocked in Microsoft Entra)."),
        _("Open their tokens and unassign it, so it goes back to the inventory."),
        _ASSIGNED,
    ),
    Attention.FAILED_ACTIVATION: AttentionWords(
        _("Activation failed"),
        _("The last activation of this token was refused (a wrong or expired code)."),
        _("Open their tokens and activate it again with the code it shows now, or unassign it."),
        _ASSIGNED,
    ),
    Attention.NOT_ACTIVATED: AttentionWords(
        _("Assigned but never activated"),
        _("Assigned more than {days} days ago and still not activated."),
        _("Open their tokens: activate it with them, or unassign it so it can go to someone else."),
        _ASSIGNED,
    ),
    Attention.NOT_USED: AttentionWords(
        _("Not used to sign in"),
        _("Not used to sign in for more than {days} days."),
        _("Open their tokens: ask whether they still have it, deactivate or unassign it."),
        _("Last used"),
    ),
    Attention.NEVER_USED: AttentionWords(
        _("Activated but never used"),
        _("Activated, and not used for sign-in in the {days} days since."),
        _("Open their tokens: check they can sign in with it, or unassign it."),
        _("Activated"),
    ),
    Attention.LOCKED_OUT: AttentionWords(
        _("Code entry paused by the wrong-code limit"),
        _("{wrong} wrong codes in a row; the portal refuses new codes until {until}."),
        _("Lift the pause once you know it was them (for example after a call)."),
        _("Last wrong code"),
    ),
}
#: An activated token's date when the portal did not see the activation: its assignment.
ATTENTION_SINCE_ASSIGNED = _("Assigned (and activated since)")
ATTENTION_LOCKED_PERSON = _("A person who signed in to the portal")
ATTENTION_LOCKED_SERIAL = _("Anyone typing the code of token {serial}")
ATTENTION_UNKNOWN_SERIAL = _("a token not in the inventory")


class ProgramNote(Enum):
    """What the token program's pages say about the snapshot and the queue's own actions."""

    NO_SNAPSHOT = auto()
    REFRESH_QUEUED = auto()
    REFRESH_STOPPED = auto()
    REFRESH_FAILED = auto()
    UNREADABLE = auto()
    LOCKOUT_LIFTED = auto()
    LOCKOUT_GONE = auto()


PROGRAM: dict[ProgramNote, Text] = {
    ProgramNote.NO_SNAPSHOT: _("The token program has not been read yet. Press “Refresh now” to read it."),
    ProgramNote.REFRESH_QUEUED: _("The snapshot is being refreshed; reload this page in a minute."),
    ProgramNote.REFRESH_STOPPED: _(
        "Automatic refreshes stopped: the stored sign-in has expired. Press “Refresh now” to start them again."
    ),
    ProgramNote.REFRESH_FAILED: _(
        "The last refresh could not read Microsoft Graph; the figures below are from the one before."
    ),
    ProgramNote.LOCKOUT_LIFTED: _("The pause was lifted; they can type a code again."),
    ProgramNote.LOCKOUT_GONE: _("That pause had already ended."),
}


def program_text(note: ProgramNote, **params: object) -> str:
    if note is ProgramNote.UNREADABLE:
        count = int(str(params["count"]))
        return ngettext(
            "The assignment dates of {count} person's tokens could not be read with the sign-in of the "
            "administrator who last pressed “Refresh now” (their role may not read other administrators' "
            "methods); a Privileged Authentication Administrator's refresh reads them all.",
            "The assignment dates of {count} people's tokens could not be read with the sign-in of the "
            "administrator who last pressed “Refresh now” (their role may not read other administrators' "
            "methods); a Privileged Authentication Administrator's refresh reads them all.",
            count,
        ).format(count=count)
    return _fill(PROGRAM[note], params)


# -- what was done: the confirmation a person sees after an action succeeded ---------------------


class Done(Enum):
    """A successful action, as the person who did it is told (a message on the next page)."""

    SELF_ADDED = auto()
    SELF_ACTIVATED = auto()
    SELF_REMOVED = auto()
    USER_ASSIGNED = auto()
    USER_ASSIGNED_ACTIVATED = auto()
    USER_ACTIVATED = auto()
    USER_UNASSIGNED = auto()
    USER_DEACTIVATED = auto()
    INVENTORY_CREATED = auto()
    INVENTORY_CREATED_ASSIGNED = auto()
    INVENTORY_UPDATED = auto()
    INVENTORY_DELETED = auto()
    INVENTORY_RECORDED = auto()
    INVENTORY_RETIRED = auto()
    IMPORT_CONFIRMED = auto()


DONE: dict[Done, Text] = {
    Done.SELF_ADDED: _("Token %(serial)s is now active on your account."),
    Done.SELF_ACTIVATED: _("Token %(serial)s is activated. You can now sign in with it."),
    Done.SELF_REMOVED: _("The token was removed from your account."),
    Done.USER_ASSIGNED: _("Token %(serial)s is assigned to %(name)s."),
    Done.USER_ASSIGNED_ACTIVATED: _("Token %(serial)s is assigned to and activated for %(name)s."),
    Done.USER_ACTIVATED: _("Token %(serial)s is activated for %(name)s."),
    Done.USER_UNASSIGNED: _("Token %(serial)s was taken away from %(name)s and is back in the inventory."),
    Done.USER_DEACTIVATED: _(
        "Token %(serial)s is deactivated: %(name)s can't sign in with it until it is activated again."
    ),
    Done.INVENTORY_CREATED: _("Token %(serial)s was added to the inventory."),
    Done.INVENTORY_CREATED_ASSIGNED: _("Token %(serial)s was added to the inventory and assigned to %(name)s."),
    Done.INVENTORY_UPDATED: _("Token %(serial)s was updated."),
    Done.INVENTORY_DELETED: _("Token %(serial)s was deleted from the inventory."),
    # Translators: %(state)s is a recorded state as a label: Lost, Broken, Stolen, Returned…
    Done.INVENTORY_RECORDED: _("Token %(serial)s is recorded as “%(state)s”."),
    Done.INVENTORY_RETIRED: _("Token %(serial)s is retired: deleted from the inventory, its serial remembered."),
    Done.IMPORT_CONFIRMED: _("Import confirmed: it runs in the background. You can leave this page."),
}


def done_text(done: Done, **params: object) -> str:
    """The confirmation of `done`, its placeholders filled (%(serial)s, %(name)s, %(state)s)."""
    text = str(DONE[done])
    return text % params if params else text


# -- the audit trail ----------------------------------------------------------------------------

#: What the audit trail's page and CSV show for a recorded reason.
AUDIT_LABEL: dict[Reason, Text] = {
    Reason.WRONG_CODE: _("Wrong code"),
    Reason.UNKNOWN_SERIAL: _("Serial number not in the inventory"),
    Reason.TOKEN_NOT_FOUND: _("Token not found"),
    Reason.USER_NOT_FOUND: _("User not found"),
    Reason.ALREADY_ASSIGNED: _("Token already assigned to someone else"),
    Reason.ALREADY_THEIRS: _("Token already assigned to this user"),
    Reason.ASSIGNED: _("Token is assigned (unassign it first)"),
    Reason.ALREADY_ACTIVE: _("Token already active"),
    Reason.NOT_ACTIVE: _("Token not active"),
    Reason.DUPLICATE_SERIAL: _("Serial number already in the inventory"),
    Reason.GUEST_USER: _("Guest user"),
    Reason.METHOD_LIMIT: _("User has the maximum number of tokens"),
    Reason.INVALID_REQUEST: _("Rejected as invalid"),
    Reason.FORBIDDEN: _("Not allowed"),
    Reason.ADMIN_TARGET: _("Target holds an admin role"),
    Reason.FORBIDDEN_ASSIGN: _("Not allowed to assign"),
    Reason.TOO_MANY_ATTEMPTS: _("Too many wrong codes"),
    Reason.TOO_MANY_ATTEMPTS_TODAY: _("Too many wrong codes today"),
    Reason.THROTTLED: _("Microsoft Entra ID busy (throttled)"),
    Reason.UNAVAILABLE: _("Microsoft Entra ID unreachable"),
    Reason.UNCONFIRMED: _("No answer: may or may not have happened"),
    Reason.UNEXPECTED: _("Unexpected answer from Microsoft Entra ID"),
    Reason.REAUTHENTICATION_REQUIRED: _("Sign-in needed again"),
    Reason.PAGE_EXPIRED: _("Results page expired"),
    Reason.OUT_OF_SERVICE: _("Token out of service (lost, stolen, retired…)"),
    Reason.PASS_DISABLED: _("Temporary Access Pass switched off by policy"),
    Reason.PASS_LIFETIME: _("Pass lifetime outside the policy"),
    Reason.DONE: _("Done"),
    Reason.DONE_WITH_FAILURES: _("Done, some rows failed"),
    Reason.CANCELLED: _("Cancelled"),
    Reason.FAILED: _("Failed"),
    Reason.SIGNIN_EXPIRED: _("Sign-in expired"),
    Reason.SIGNIN_REJECTED: _("Sign-in no longer accepted"),
    Reason.IDENTITY_UNAVAILABLE: _("Sign-in service unreachable"),
    Reason.LOOKUP_FAILED: _("Looking up unanswered rows failed"),
    Reason.WORKER_LOST: _("Background worker lost"),
}


# -- an administrator's code form while the token itself is paused (issue 12, point 4) ------------

#: Next to the "Lift the pause" button of an administrator's code form (templates/core/code_pause.html).
PAUSE_LIFT_HINT = _(
    "The pause is on this token. Lift it once you know the wrong codes were not someone guessing (for "
    "example, you hold the token). Lifting it is recorded in the audit trail."
)


def audit_label(reason: str) -> str:
    """The label for a recorded reason; a value the portal no longer knows is shown as it is."""
    try:
        return str(AUDIT_LABEL[Reason(reason)])
    except ValueError:
        return reason


# -- lists, joined the way the reader's language joins them --------------------------------------


# Translators: joins the problems found in one row of an import file: {earlier} is the problems so
# far (already joined), {next} one more, e.g. "missing secret; missing model (…)".
_PROBLEMS_JOINED = pgettext_lazy("problems of an import row", "{earlier}; {next}")
# Translators: joins alternatives before the last one: "32, 48" in "32, 48 or 64".
_ALTERNATIVES_JOINED = pgettext_lazy("a list of alternatives", "{earlier}, {next}")
# Translators: joins the last of a list of alternatives: "32, 48 or 64", "32 or 64".
_ALTERNATIVES_LAST = pgettext_lazy("a list of alternatives", "{earlier} or {last}")


def problems_text(problems: Sequence[str]) -> str:
    """Several problems found in one row of an import, as one text. Each problem is a whole clause
    of its own ("missing secret"); how two are joined is the translator's (French writes a space
    before the semicolon)."""
    joined = ""
    for problem in problems:
        joined = _fill(_PROBLEMS_JOINED, {"earlier": joined, "next": problem}) if joined else problem
    return joined


def alternatives_text(items: Sequence[str]) -> str:
    """Alternatives as a list that ends in "or": "32, 48 or 64" (the translator joins them)."""
    if not items:
        return ""
    joined = items[0]
    for item in items[1:-1]:
        joined = _fill(_ALTERNATIVES_JOINED, {"earlier": joined, "next": item})
    if len(items) > 1:
        joined = _fill(_ALTERNATIVES_LAST, {"earlier": joined, "last": items[-1]})
    return joined


def _fill(template: Text | str, values: Mapping[str, object]) -> str:
    return str(template).format_map(values) if values else str(template)
