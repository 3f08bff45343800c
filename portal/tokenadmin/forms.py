"""Forms of the admin area. Every rule a person can break gets a message on its own field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core.forms import FriendlyNameField, SerialNumberField, VerificationCodeField
from portal.core.labels import HASH_FUNCTION, TOKEN_STATUS
from portal.core.seed_secrets import SecretProblem, hex_to_base32, looks_like_hex, normalise_base32
from portal.graph.types import HardwareOathDevice, HashFunction, PassPolicy
from portal.lifecycle.models import LifecycleState

INTERVAL_CHOICES = [(30, _("30 seconds")), (60, _("60 seconds"))]
HASH_CHOICES = list(HASH_FUNCTION.items())
STATUS_CHOICES = [("", _("Any status")), *((status, label.name) for status, label in TOKEN_STATUS.items())]


class UpnField(forms.CharField):
    """A user principal name: `name@domain` (guests' look like `name_home#EXT#@domain`)."""

    default_error_messages = {
        "invalid": _("A user principal name looks like an email address, e.g. adele@contoso.com."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("User principal name"))
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"})
        return attrs

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value))
        if text and (text.count("@") != 1 or text.startswith("@") or text.endswith("@") or " " in text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return text


class IntervalField(forms.TypedChoiceField):
    default_error_messages = {
        "invalid_choice": _("Microsoft Entra ID supports a code that changes every 30 or 60 seconds only."),
        "required": _("Choose how often the token's code changes (30 or 60 seconds)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Time interval"))
        super().__init__(choices=INTERVAL_CHOICES, coerce=int, widget=forms.RadioSelect, **kwargs)


class HashField(forms.ChoiceField):
    default_error_messages = {"invalid_choice": _("Choose SHA-1 or SHA-256 (most tokens use SHA-1).")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Hash algorithm"))
        super().__init__(choices=HASH_CHOICES, widget=forms.RadioSelect, **kwargs)


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, user principal name or email"),
        max_length=100,
        required=False,
        strip=True,
        help_text=_(
            "Matches the beginning of a first name, last name, user principal name or email address, "
            "e.g. “ade” finds Adele Vance."
        ),
    )


class GiveTokenForm(forms.Form):
    """Give a user a token from stock: one serial field (a type-ahead with JavaScript, a plain text
    field without), and the code when the admin holds the token (then it is activated at once)."""

    serial_number = SerialNumberField(
        help_text=_("Printed on the back of the token. Type part of it to see matching tokens in stock."),
    )
    code = VerificationCodeField(
        label=_("Code the token shows (optional)"),
        help_text=_(
            "You have the token in hand: press its button and type the 6 digits, and it is activated at once. "
            "Leave empty and the person activates it themselves."
        ),
        required=False,
    )
    display_name = FriendlyNameField(help_text=_("Helps the person tell their tokens apart."))


class ActivateForm(forms.Form):
    code = VerificationCodeField(help_text=_("Press the token's button and type the 6 digits it shows."))


class InventoryFilterForm(forms.Form):
    lifecycle = forms.TypedChoiceField(
        label=_("Recorded as"),
        choices=[("", _("Anything"))] + [(state.value, state.label) for state in LifecycleState],
        coerce=LifecycleState,
        empty_value=None,
        required=False,
        help_text=_("What the portal recorded: lost, returned, retired…"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False, help_text=_("Where it is in its life cycle.")
    )
    serial_number = SerialNumberField(required=False, help_text=_("Exact serial number."))
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=100, required=False, help_text=_("Exact name."))
    model = forms.CharField(label=_("Model"), max_length=100, required=False, help_text=_("Exact name."))

    def graph_filters(self) -> dict[str, str]:
        """The `eq` filters for Graph (property → value); only valid forms have any."""
        if not self.is_valid():
            return {}
        names = {
            "status": "status",
            "serial_number": "serialNumber",
            "manufacturer": "manufacturer",
            "model": "model",
        }
        return {graph: self.cleaned_data[field] for field, graph in names.items() if self.cleaned_data.get(field)}


class TokenMetadataForm(forms.Form):
    """What can change on an unassigned token (Graph D5). Serial number and secret can't."""

    display_name = FriendlyNameField(label=_("Display name (optional)"))
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=255, help_text=_("e.g. Token2, Feitian."))
    model = forms.CharField(label=_("Model"), max_length=255, help_text=_("e.g. C202, OTP c200."))
    time_interval = IntervalField(help_text=_("How often the code changes; see the token's datasheet."))
    hash_function = HashField(help_text=_("Most tokens use SHA-1; the seed file or datasheet says which."))

    @classmethod
    def initial_from(cls, device: HardwareOathDevice) -> dict[str, Any]:
        return {
            "display_name": device.display_name or "",
            "manufacturer": device.manufacturer or "",
            "model": device.model or "",
            "time_interval": device.time_interval or 30,
            "hash_function": device.hash_function or HashFunction.HMACSHA1,
        }

    def changes(self) -> dict[str, str | int | None]:
        data = self.cleaned_data
        return {
            "display_name": data["display_name"] or None,
            "manufacturer": data["manufacturer"],
            "model": data["model"],
            "time_interval": data["time_interval"],
            "hash_function": data["hash_function"],
        }


class TokenCreateForm(TokenMetadataForm):
    SECRET_FORMATS = [("base32", _("Base32 (letters A-Z and digits 2-7)")), ("hex", _("Hexadecimal (0-9, A-F)"))]

    serial_number = SerialNumberField(help_text=_("Printed on the back of the token."))
    secret_format = forms.ChoiceField(
        label=_("Secret format"), choices=SECRET_FORMATS, initial="base32", widget=forms.RadioSelect
    )
    secret = forms.CharField(
        label=_("Secret (seed)"),
        max_length=400,
        strip=True,
        # Never rendered back, not even after an error: the admin types it again.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "From the vendor's seed file. Hex seeds are converted to Base32 for you. "
            "It is sent to Microsoft Entra ID and never shown or stored by this portal."
        ),
        error_messages={"required": _("Enter the token's secret from the vendor's seed file.")},
    )
    assign_to = UpnField(
        label=_("Assign to (optional)"),
        required=False,
        help_text=_("User principal name of the person who gets this token. Leave empty to keep it in stock."),
    )

    field_order = [
        "serial_number",
        "manufacturer",
        "model",
        "display_name",
        "secret_format",
        "secret",
        "time_interval",
        "hash_function",
        "assign_to",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        secret = data.pop("secret", None)
        if secret:
            try:
                data["secret_key"] = _to_base32(secret, data.get("secret_format") or "base32")
            except SecretProblem as problem:
                self.add_error("secret", _secret_message(problem, secret, data.get("secret_format") or "base32"))
        return data


def _to_base32(secret: str, secret_format: str) -> str:
    return hex_to_base32(secret) if secret_format == "hex" else normalise_base32(secret)


def _secret_message(problem: SecretProblem, secret: str, secret_format: str) -> str:
    """The reason, without repeating any character of the secret (the parser's messages may quote
    the one offending character; a page, unlike a server-side import report, shows only where)."""
    if problem.position is not None:
        values = {"position": problem.position}
        if secret_format == "hex":
            return gettext("Character %(position)s of the secret is not allowed: use only 0-9 and A-F.") % values
        if looks_like_hex(secret):
            return (
                gettext(
                    "Character %(position)s of the secret is not allowed: use only A-Z and 2-7. It looks like a hex "
                    "seed: choose “Hexadecimal” as the secret format."
                )
                % values
            )
        return gettext("Character %(position)s of the secret is not allowed: use only A-Z and 2-7.") % values
    return problem.reason[:1].upper() + problem.reason[1:] + "."


class AssignToUserForm(forms.Form):
    upn = UpnField(help_text=_("The person who gets this token, e.g. adele@contoso.com."))


class ReplaceTokenForm(forms.Form):
    """The helpdesk's "Replace token": what happened, an optional pass, an optional replacement."""

    flow_id = forms.UUIDField(widget=forms.HiddenInput)
    state = forms.TypedChoiceField(
        label=_("What happened to the token?"),
        choices=[(state.value, state.label) for state in LifecycleState.reported()],
        coerce=LifecycleState,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the token was lost, broken or stolen.")},
    )
    note = forms.CharField(
        label=_("Note for the record (optional)"),
        help_text=_("Why, where or when — for whoever reads the token's history. Never a code or a pass."),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    issue_pass = forms.BooleanField(label=_("Issue a Temporary Access Pass"), required=False)
    pass_lifetime = forms.IntegerField(
        label=_("Pass lifetime in minutes (optional)"),
        required=False,
        min_value=10,
        max_value=43200,
    )
    pass_usable_once = forms.BooleanField(label=_("One sign-in only"), required=False)
    replacement_serial = SerialNumberField(
        label=_("Replacement token's serial number (optional)"),
        help_text=_("Type or pick a token from stock. Leave empty to give one later."),
        required=False,
    )
    replacement_code = VerificationCodeField(
        label=_("Code the replacement shows (optional)"),
        help_text=_("To activate it here at the desk. Leave empty and the person activates it on My tokens."),
        required=False,
    )

    def __init__(self, *args: Any, policy: PassPolicy | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy
        lifetime = self.fields["pass_lifetime"]
        if policy is not None and policy.minimum_lifetime and policy.maximum_lifetime:
            lifetime.help_text = gettext(
                "Between %(minimum)s and %(maximum)s minutes (the tenant's policy). Empty: %(default)s minutes."
            ) % {
                "minimum": policy.minimum_lifetime,
                "maximum": policy.maximum_lifetime,
                "default": policy.default_lifetime or policy.minimum_lifetime,
            }
            lifetime.widget.attrs.update(min=policy.minimum_lifetime, max=policy.maximum_lifetime)
        else:
            lifetime.help_text = gettext("Empty: the tenant's default lifetime.")
        if policy is not None and policy.usable_once:
            self.fields["pass_usable_once"].help_text = gettext(
                "The tenant's policy makes every pass one sign-in only."
            )

    def clean_pass_lifetime(self) -> int | None:
        value: int | None = self.cleaned_data.get("pass_lifetime")
        policy = self.policy
        bounds = (policy.minimum_lifetime, policy.maximum_lifetime) if policy is not None else (None, None)
        if value is not None and bounds[0] and bounds[1] and not bounds[0] <= value <= bounds[1]:
            raise forms.ValidationError(
                gettext("The tenant's policy allows %(minimum)s to %(maximum)s minutes.")
                % {"minimum": bounds[0], "maximum": bounds[1]}
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("replacement_code") and not data.get("replacement_serial"):
            self.add_error("replacement_serial", _("Type the serial number of the token whose code you entered."))
        if data.get("pass_lifetime") is not None and not data.get("issue_pass"):
            self.add_error("issue_pass", _("Tick this to issue the pass, or clear the lifetime."))
        return data

    def get_working(self) -> dict[str, Any]:
        """Steps 2 and 3 as the plans take them (services.replace.GetWorking's fields)."""
        names = ("issue_pass", "pass_lifetime", "pass_usable_once", "replacement_serial", "replacement_code")
        return {name: self.cleaned_data[name] for name in names}


class ReplaceGoneForm(ReplaceTokenForm):
    """ "Replace token" when the old token is already gone (reported, or never there): steps 2 and 3
    only — a pass, a replacement, or both."""

    state = None  # type: ignore[assignment]
    note = None  # type: ignore[assignment]
    #: The highest audit event id of the flow when the form was shown (see services.replace_gone).
    mark = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("issue_pass") and not data.get("replacement_serial") and not self.errors:
            raise forms.ValidationError(
                _(
                    "Choose what to do: tick “Issue a Temporary Access Pass”, type a replacement's serial "
                    "number, or both."
                )
            )
        return data


class LifecycleForm(forms.Form):
    """What happened to a token in stock (retiring it is its own, confirmed, action)."""

    state = forms.TypedChoiceField(
        label=_("What happened"),
        choices=[("", _("— choose —"))]
        + [(s.value, s.label) for s in LifecycleState if s is not LifecycleState.RETIRED],
        coerce=LifecycleState,
        error_messages={"required": _("Choose what happened to the token.")},
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class RetireForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is retired (optional)"),
        required=False,
        max_length=500,
        help_text=_("e.g. battery dead, shredded."),
    )
