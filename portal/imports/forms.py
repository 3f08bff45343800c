"""Upload forms. The PSKC key and password are used while the file is read and never kept."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.imports.parsing import accepted_seed_files
from portal.imports.uploads import human_size, upload_limit

_HEX = re.compile(r"^[0-9a-fA-F]+$")


class SecretInput(forms.PasswordInput):
    """Never echoes the value back into the page."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})}, render_value=False)


class SeedUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Seed file"),
        help_text="",
        error_messages={
            "required": _("Choose the seed file your token vendor sent you."),
            "empty": _("That file is empty."),
        },
    )
    default_manufacturer = forms.CharField(label=_("Manufacturer (optional)"), required=False, max_length=120)
    default_model = forms.CharField(label=_("Model (optional)"), required=False, max_length=120)
    pskc_key = forms.CharField(
        label=_("PSKC pre-shared key, in hex (optional)"),
        required=False,
        max_length=200,
        widget=SecretInput(attrs={"class": "serial"}),
        help_text=_("Only for a PSKC file encrypted with a key. It is used to read the file and not stored."),
    )
    pskc_password = forms.CharField(
        label=_("PSKC password (optional)"),
        required=False,
        max_length=500,
        strip=False,
        widget=SecretInput(),
        help_text=_("Only for a PSKC file encrypted with a password. It is used to read the file and not stored."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("%(formats)s At most %(size)s.") % {
            "formats": accepted_seed_files(),
            "size": human_size(upload_limit()),
        }

    def clean_pskc_key(self) -> str:
        key = re.sub(r"\s+", "", self.cleaned_data.get("pskc_key") or "")
        if key.lower().startswith("0x"):
            key = key[2:]
        if key and (not _HEX.match(key) or len(key) not in (32, 48, 64)):
            raise forms.ValidationError(_("The key is 32, 48 or 64 hexadecimal digits (an AES-128, -192 or -256 key)."))
        return key

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("pskc_key") and cleaned.get("pskc_password"):
            raise forms.ValidationError(_("Give the PSKC key or the password, not both."))
        return cleaned


class AssignmentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Assignment file"),
        error_messages={
            "required": _("Choose the CSV file of users and serial numbers."),
            "empty": _("That file is empty."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A CSV with a UPN column and a serial number column, for example “upn,serial” (the Microsoft Entra "
            "OATH CSV with UPNs works too; its secrets are ignored). At most %(size)s."
        ) % {"size": human_size(upload_limit())}
