"""What an administrator can do: one function per action, `<thing>_<action>`, keyword-only.

Each write calls Graph with the admin's delegated token, records exactly one audit event (success,
failure or refusal, with Graph's request-id, never a code or a secret) and turns Graph's failures
into ActionErrors that say what happened and what to do next.

* users.py      — finding people, a user's page, and the five actions on a user's tokens
* inventory.py  — the tenant inventory: list, counts, create, edit, delete, assign by reference
* meaning.py    — what a Graph error means for each kind of action

The audit recorder and the code-attempt guard are shared with self-service: portal/core/actions.py.
"""
