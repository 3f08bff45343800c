from __future__ import annotations

from django import forms

from portal.core.forms import FriendlyNameField, SerialNumberField, VerificationCodeField


class AddTokenForm(forms.Form):
    serial_number = SerialNumberField(help_text="Printed on the back of the token, e.g. 2300 1234 5678.")
    display_name = FriendlyNameField(help_text="Helps you tell your tokens apart, e.g. “Blue keyring token”.")
    code = VerificationCodeField(help_text="Press the button on the token and type the 6 digits it shows.")


class ActivateTokenForm(forms.Form):
    code = VerificationCodeField(help_text="Press the button on the token and type the 6 digits it shows.")
