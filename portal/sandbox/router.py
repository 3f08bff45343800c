from __future__ import annotations

from typing import Any

from django.db.models import Model

SANDBOX_APP = "sandbox"
SANDBOX_DB = "sandbox"


class SandboxRouter:
    """Keeps the sandbox tenant's state in its own database and nothing else there."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return SANDBOX_DB if model._meta.app_label == SANDBOX_APP else None

    db_for_write = db_for_read

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        in_sandbox = {obj1._meta.app_label == SANDBOX_APP, obj2._meta.app_label == SANDBOX_APP}
        return None if in_sandbox == {False} else len(in_sandbox) == 1

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return (db == SANDBOX_DB) == (app_label == SANDBOX_APP)
