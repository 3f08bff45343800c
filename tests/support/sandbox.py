"""Changing the sandbox tenant's switches (settings.SANDBOX) for one test."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings


def sandbox_with(**changes: Any) -> dict[str, Any]:
    """settings.SANDBOX with `changes` applied, for override_settings(SANDBOX=...)."""
    return {**django_settings.SANDBOX, **changes}


def sandbox(settings: Any, **changes: Any) -> None:
    """Change some SANDBOX switches through pytest-django's `settings` fixture (restored afterwards)."""
    settings.SANDBOX = sandbox_with(**changes)
