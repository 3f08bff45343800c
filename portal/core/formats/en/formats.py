"""English dates and times as the portal writes them: British ("2 Mar 2026, 9:10 a.m."), day first.

Django's own English formats ("March 2, 2026, 9:10 a.m.") are American; the portal's English is
British (its LANGUAGE_CODE was en-gb before it spoke other languages). The other languages use
Django's formats for them. Templates name a format (`|date:"SHORT_DATETIME_FORMAT"`), never a pattern.
"""

from __future__ import annotations

from django.conf.locale.en_GB.formats import *  # noqa: F403
