"""English dates as the portal writes them ("30 Nov 2026, 14:05"): day first, 24-hour clock.

Django's own English formats ("Nov. 30, 2026, 2:05 p.m.") are American; the other languages use
Django's formats for them (settings.FORMAT_MODULE_PATH lists this package first, then Django's).
Templates name a format (`|date:"SHORT_DATETIME_FORMAT"`), never a pattern of their own.
"""

from __future__ import annotations

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
