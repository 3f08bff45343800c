"""Holding a sandbox token in your hand: reading the code it shows now (or a code it doesn't)."""

from __future__ import annotations

from django.conf import settings

from portal.sandbox.models import HardwareToken
from portal.sandbox.totp import codes_in_window, current_code


def token_id(serial: str) -> str:
    return str(HardwareToken.objects.get(serial_number=serial).id)


def code_of(token: HardwareToken) -> str:
    """The code the token shows now."""
    return current_code(token.secret_key, token.time_interval, token.hash_function)


def codes_near(token: HardwareToken) -> set[str]:
    """Every code the token accepts now (at activation or sign-in), and one step beyond either window."""
    window = max(settings.SANDBOX["TOTP_WINDOW_STEPS"], settings.SANDBOX["ACTIVATION_WINDOW_STEPS"]) + 1
    return set(
        codes_in_window(
            token.secret_key, interval=token.time_interval, hash_function=token.hash_function, window_steps=window
        )
    )


def wrong_code_of(token: HardwareToken) -> str:
    """A well-formed code the token will not accept now (outside the sandbox's ±windows)."""
    near = codes_near(token)
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)


def code_for(serial: str) -> str:
    return code_of(HardwareToken.objects.get(serial_number=serial))


def wrong_code_for(serial: str) -> str:
    return wrong_code_of(HardwareToken.objects.get(serial_number=serial))


def status_of(serial: str) -> str:
    return str(HardwareToken.objects.get(serial_number=serial).status)


def holder_of(serial: str) -> str | None:
    token = HardwareToken.objects.select_related("assigned_to").get(serial_number=serial)
    return token.assigned_to.user_principal_name if token.assigned_to else None
