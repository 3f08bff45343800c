"""What log records become on their way out: the project's own handler filters and formatters
(settings.LOGGING), applied to records a test captured. A record object in memory may hold a
request with its full URL; what matters is what reaches stderr, files or a log service."""

from __future__ import annotations

import copy
import logging
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def _build(config: dict[str, Any]) -> Any:
    config = dict(config)
    factory = config.pop("()", None)
    if factory is None:
        return logging.Formatter(config.get("format"))
    return import_string(factory)(**config) if isinstance(factory, str) else factory(**config)


def rendered_log_lines(records: list[logging.LogRecord]) -> list[str]:
    """Every record, through every handler's filters, in every configured formatter."""
    logging_config = settings.LOGGING
    formatters = [_build(config) for config in logging_config.get("formatters", {}).values()]
    lines: list[str] = []
    for handler in logging_config.get("handlers", {}).values():
        filters = [_build(logging_config["filters"][name]) for name in handler.get("filters", [])]
        for original in records:
            record = copy.copy(original)
            if not all(f.filter(record) for f in filters):
                continue
            lines.extend(formatter.format(record) for formatter in formatters)
    return lines
