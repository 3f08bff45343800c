"""Typed reads of settings.SANDBOX, at call time (tests override settings per test).

django-stubs types the dict's values as `object`; these helpers say what each one is.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _value(name: str) -> Any:
    return settings.SANDBOX[name]


def sandbox_str(name: str) -> str:
    return str(_value(name))


def sandbox_optional_str(name: str) -> str:
    value = _value(name)
    return "" if value is None else str(value)


def sandbox_int(name: str) -> int:
    return int(_value(name))


def sandbox_bool(name: str) -> bool:
    return bool(_value(name))


def sandbox_list(name: str) -> list[str]:
    return [str(item) for item in _value(name)]
