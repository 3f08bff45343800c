from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import FriendlyNameField, SerialNumberField, VerificationCodeField
from portal.lifecycle.models import LifecycleState


class AddTokenForm(forms.Form):
    serial_number = SerialNumberField(help_text=_("Printed on the back of the token, e.g. 2300 1234 5678."))
    display_name = FriendlyNameField(help_text=_("Helps you tell your tokens apart, e.g. “Blue keyring token”."))
    code = VerificationCodeField(help_text=_("Press the button on the token and type the 6 digits it shows."))


class ActivateTokenForm(forms.Form):
    code = VerificationCodeField(help_text=_("Press the button on the token and type the 6 digits it shows."))


class ReportTokenForm(forms.Form):
    state = forms.TypedChoiceField(
        label=_("What happened to the token?"),
        choices=[(state.value, state.label) for state in LifecycleState.reported()],
        coerce=LifecycleState,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything the helpdesk should know (optional)"),
        help_text=_("For example where or when you last had it. Never type a code or a password here."),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
