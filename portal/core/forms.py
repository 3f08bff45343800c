"""Form fields shared by both areas."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.serials import serial_normalise

_CODE_SEPARATORS = re.compile(r"[\s\u00a0\u2009\u202f-]+")


class CodeInput(forms.TextInput):
    """Never echoes a code back into the page: it is a secret, and stale a minute later anyway."""

    def format_value(self, value: Any) -> str | None:
        return None


class VerificationCodeField(forms.CharField):
    """The 6 digits a token shows. Spaces (and the dash some displays print) are allowed and dropped;
    leading zeros are kept — it is a string, never a number."""

    default_error_messages = {
        "required": _("Enter the 6-digit code your token shows now."),
        "invalid": _(
            "The code is 6 digits, for example 012 345. Press the token's button and type the digits it shows."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Code shown on the token"))
        kwargs.setdefault("widget", CodeInput)
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"[0-9 \-]*",
                "class": "code",
            }
        )
        return attrs

    def to_python(self, value: Any) -> str:
        text = _CODE_SEPARATORS.sub("", super().to_python(value) or "")
        if text and not re.fullmatch(r"[0-9]{6}", text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return text


class SerialNumberField(forms.CharField):
    default_error_messages = {"required": _("Enter the serial number printed on the back of the token.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Serial number"))
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters", "class": "serial"})
        return attrs

    def to_python(self, value: Any) -> str:
        # Serials are printed in groups; people type the spaces. Dashes are part of some serials.
        return serial_normalise(super().to_python(value) or "")


class FriendlyNameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Name for this token (optional)"))
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)
