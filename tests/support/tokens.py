"""Holding a sandbox token in your hand: reading the code it shows now (or a code it doesn't)."""

from __future__ import annotations

import time

from django.conf import settings

from portal.sandbox.models import HardwareToken
from portal.sandbox.totp import code_at, current_code


def code_for(serial: str) -> str:
    token = HardwareToken.objects.get(serial_number=serial)
    return current_code(token.secret_key, token.time_interval, token.hash_function)


def wrong_code_for(serial: str) -> str:
    """A well-formed code the token will not accept now (outside the sandbox's ±window)."""
    token = HardwareToken.objects.get(serial_number=serial)
    window = settings.SANDBOX["TOTP_WINDOW_STEPS"] + 1
    now = time.time()
    accepted = {
        code_at(
            token.secret_key,
            interval=token.time_interval,
            hash_function=token.hash_function,
            at=now + step * token.time_interval,
        )
        for step in range(-window, window + 1)
    }
    candidate = 0
    while f"{candidate:06d}" in accepted:
        candidate += 1
    return f"{candidate:06d}"


def status_of(serial: str) -> str:
    return str(HardwareToken.objects.get(serial_number=serial).status)


def holder_of(serial: str) -> str | None:
    token = HardwareToken.objects.select_related("assigned_to").get(serial_number=serial)
    return token.assigned_to.user_principal_name if token.assigned_to else None
