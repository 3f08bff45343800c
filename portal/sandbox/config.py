"""Typed reads of settings.SANDBOX, at call time so tests can use override_settings.

django-stubs types the dict's values as `object`; these helpers say what each switch is. One reader
for the whole sandbox (Entra sign-in and Graph emulators alike).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _value(name: str) -> Any:
    return settings.SANDBOX[name]


def sandbox_str(name: str) -> str:
    return str(_value(name))


def sandbox_optional_str(name: str) -> str | None:
    """None when the switch is unset or empty (e.g. FAULT_SEED)."""
    value = _value(name)
    return None if value is None or value == "" else str(value)


def sandbox_int(name: str) -> int:
    return int(_value(name) or 0)


def sandbox_float(name: str) -> float:
    return float(_value(name) or 0)


def sandbox_bool(name: str) -> bool:
    return bool(_value(name))


def sandbox_list(name: str) -> list[str]:
    return [str(item) for item in _value(name)]
