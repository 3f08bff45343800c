"""Typed reads of settings.SANDBOX, at call time so tests can use override_settings.

django-stubs types the dict's values as `object`; these helpers say what each switch is.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _value(name: str) -> Any:
    return settings.SANDBOX[name]


def sandbox_int(name: str) -> int:
    return int(_value(name) or 0)


def sandbox_float(name: str) -> float:
    return float(_value(name) or 0)


def sandbox_bool(name: str) -> bool:
    return bool(_value(name))


def sandbox_seed(name: str) -> str | None:
    value = _value(name)
    return None if value is None or value == "" else str(value)
