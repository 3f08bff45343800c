"""What an administrator can do: one function per action, `<thing>_<action>`, keyword-only.

A function that needs more than a Graph client takes the `Acting` a view builds once
(portal.core.actions: the admin, their Graph client, address and rights, the flow). Each write calls
Graph with the admin's delegated token, records exactly one audit event (success, failure or
refusal, with Graph's request-id, never a code or a secret) and turns Graph's failures into
ActionErrors that say what happened and what to do next.

* users.py      — finding people, a user's page, and the five actions on a user's tokens
* inventory.py  — the tenant inventory: list, counts, create, edit, delete, assign by reference
* replace.py    — "Replace token": report the old one, a Temporary Access Pass, a token from stock

What a Graph error means is decided by portal.core.classify (given a portal.core.action_errors.Meaning
that says what the call was about) and worded in portal.core.wording; portal.core.actions holds the
audit recorder and the code-attempt guard shared with self-service.
"""
