"""What the token program's pages say to an administrator, in one table (moves into the portal's
wording tables when they land). Keys are the queue's rules; no view writes a sentence of its own."""

from __future__ import annotations

from typing import Final

from portal.program.attention import Item, Rule

#: Rule → (heading of its group, what is wrong with one item, what fixes it).
RULES: Final[dict[Rule, tuple[str, str, str]]] = {
    Rule.FAILED_ACTIVATION: (
        "Activation failed",
        "The last activation of this token was refused (a wrong or expired code).",
        "Open their tokens and activate it again with the code it shows now, or unassign it.",
    ),
    Rule.NOT_ACTIVATED: (
        "Assigned but never activated",
        "Assigned more than {days} days ago and still not activated.",
        "Open their tokens: activate it with them, or unassign it so it can go to someone else.",
    ),
    Rule.NOT_USED: (
        "Not used to sign in",
        "Not used to sign in for more than {days} days.",
        "Open their tokens: ask whether they still have it, deactivate or unassign it.",
    ),
    Rule.NEVER_USED: (
        "Activated but never used",
        "Activated, and not used to sign in in the {days} days since.",
        "Open their tokens: check they can sign in with it, or unassign it.",
    ),
    Rule.HOLDER_DISABLED: (
        "Held by a disabled account",
        "The account holding this token cannot sign in (blocked in Microsoft Entra).",
        "Open their tokens and unassign it, so it goes back to the inventory.",
    ),
    Rule.HOLDER_DELETED: (
        "Held by a deleted account",
        "The account holding this token was deleted; Graph no longer lets anyone change its tokens.",
        "Restore the account in Microsoft Entra (possible for 30 days after deletion), unassign the "
        "token here, then delete the account again.",
    ),
    Rule.LOCKED_OUT: (
        "Locked out by the wrong-code limit",
        "{wrong} wrong codes in a row; the portal refuses new codes until {until}.",
        "Lift the lockout once you know it was them (for example after a call).",
    ),
}

NO_SNAPSHOT = "The token program has not been read yet. Press \u201cRefresh now\u201d to read it."
REFRESH_QUEUED = "The snapshot is being refreshed; reload this page in a minute."
REFRESH_STOPPED = (
    "Automatic refreshes stopped: the stored sign-in has expired. Press \u201cRefresh now\u201d to start them again."
)
REFRESH_FAILED = "The last refresh could not read Microsoft Graph; the figures below are from the one before."
UNREADABLE = (
    "The assignment dates of {count} people's tokens could not be read with the sign-in of the "
    "administrator who last pressed \u201cRefresh now\u201d (their role may not read other administrators' "
    "methods); a Privileged Authentication Administrator's refresh reads them all."
)
LOCKOUT_LIFTED = "The lockout was lifted; they can type a code again."
LOCKOUT_GONE = "That lockout had already ended."
LOCKED_PERSON = "A person who signed in to the portal"
LOCKED_SERIAL = "Anyone typing the code of token {serial}"
UNKNOWN_SERIAL = "a token not in the inventory"


def who_label(item: Item) -> str:
    """Who an item is about, also when the portal only knows a hashed key (a lockout)."""
    if item.who:
        return item.who
    if item.lockout is not None and item.lockout.key.startswith("p:"):
        return LOCKED_PERSON
    return LOCKED_SERIAL.format(serial=item.serial or UNKNOWN_SERIAL)


def problem(item: Item, days: int | None) -> str:
    text = RULES[item.rule][1]
    lockout = item.lockout
    if lockout is not None:
        return text.format(wrong=lockout.wrong_codes, until=f"{lockout.until:%H:%M} UTC")
    return text.format(days=days)


#: What an item's date means, per rule.
SINCE = {
    Rule.HOLDER_DELETED: "Assigned",
    Rule.HOLDER_DISABLED: "Assigned",
    Rule.FAILED_ACTIVATION: "Assigned",
    Rule.NOT_ACTIVATED: "Assigned",
    Rule.NOT_USED: "Last used",
    Rule.NEVER_USED: "Activated",  # or, when the portal did not see it happen: SINCE_ASSIGNED
    Rule.LOCKED_OUT: "Last wrong code",
}
SINCE_ASSIGNED = "Assigned (and activated since)"
