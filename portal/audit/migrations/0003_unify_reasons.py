"""Rewrite reasons recorded under names the portal no longer uses to the one set of
portal.core.reasons.Reason, so the audit trail's filters and labels find old events too.

The values are spelled out here rather than imported: a migration must keep meaning what it meant
when it was written, whatever the Reason type becomes later.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Q

#: Old reason → the unified one (the same Graph answer was recorded under two names).
RENAMED = {
    "assigned_elsewhere": "already_assigned",
    "not_activated": "not_active",
    "guest": "guest_user",
    "serial_exists": "duplicate_serial",
    "must_be_unassigned": "assigned",
}
#: "not_found" meant "no such serial in the inventory" when the employee added a token by its serial,
#: and "not on your account" when they acted on one of their tokens by its id.
NOT_FOUND_BY_SERIAL = ("self.assign_activate",)


def unify(apps: Any, schema_editor: Any) -> None:
    events = apps.get_model("audit", "AuditEvent").objects.using(schema_editor.connection.alias)
    for old, new in RENAMED.items():
        events.filter(reason=old).update(reason=new)
    events.filter(reason="not_found", action__in=NOT_FOUND_BY_SERIAL).update(reason="unknown_serial")
    events.filter(reason="not_found").update(reason="token_not_found")
    # An import stopped by an HTTP status the portal did not expect was recorded as "graph_<status>".
    events.filter(Q(reason__startswith="graph_"), action="import.finish").update(reason="unexpected")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    # Backwards: nothing to undo (the new names were already valid before this migration).
    operations = [migrations.RunPython(unify, migrations.RunPython.noop)]
