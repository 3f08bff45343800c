from __future__ import annotations

from django.apps import AppConfig


class TokenadminConfig(AppConfig):
    name = "portal.tokenadmin"
    label = "tokenadmin"
