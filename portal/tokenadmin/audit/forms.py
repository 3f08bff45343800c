"""The audit trail's filters (a GET form: a filtered view is a link an admin can share)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.audit.models import AuditEvent
from portal.core.reasons import Reason
from portal.core.wording import AUDIT_LABEL

#: The portal's wrong-code limits: a person or a token whose code entry was paused.
LOCKOUTS = (Reason.TOO_MANY_ATTEMPTS, Reason.TOO_MANY_ATTEMPTS_TODAY)


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Done by"), max_length=255, required=False, help_text=_("Part of a UPN."))
    target = forms.CharField(label=_("Done to"), max_length=255, required=False, help_text=_("Part of a UPN."))
    serial = forms.CharField(label=_("Token serial"), max_length=255, required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *AuditEvent.Action.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any outcome")), *AuditEvent.Outcome.choices]
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("Any reason")), *((reason.value, AUDIT_LABEL[reason]) for reason in Reason)],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any event")), ("lockout", _("Code entry paused (too many wrong codes)"))],
        help_text=_("Pauses that repeat for one person or one token are worth a look."),
    )
    since = forms.DateField(
        label=pgettext_lazy("date range start", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2025-03-31.")},
    )
    until = forms.DateField(
        label=pgettext_lazy("date range end", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2025-03-31.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """The events matching the filters (all of them when the form is unbound or invalid)."""
        if not self.is_bound or not self.is_valid():
            return events
        data = self.cleaned_data
        if data["actor"]:
            events = events.filter(actor_upn__icontains=data["actor"])
        if data["target"]:
            events = events.filter(target_upn__icontains=data["target"])
        if data["serial"]:
            # People type serials with the spaces printed on the token; Entra stores them without.
            events = events.filter(token_serial__icontains="".join(data["serial"].split()))
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["reason"]:
            events = events.filter(reason=data["reason"])
        if data["kind"] == "lockout":
            events = events.filter(reason__in=LOCKOUTS)
        zone = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(at__gte=timezone.make_aware(datetime.combine(data["since"], time.min), zone))
        if data["until"]:
            events = events.filter(at__lte=timezone.make_aware(datetime.combine(data["until"], time.max), zone))
        return events
