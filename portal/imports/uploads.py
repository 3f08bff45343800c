"""Refusing an upload that is too large without reading it.

Two gates, because a client may or may not announce the body's size:
1. `declared_too_large`: the Content-Length header, checked before anything touches the body.
2. `LimitedUploadHandler`: counts file bytes as they stream in and stops reading (StopUpload with
   connection_reset) at the limit; Django then hands the view a request without the file.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE already caps the non-file fields, and uploads beyond
FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file rather than held in memory.

The handler can only be installed before the body is parsed, and CSRF checking parses it; hence the
views that take uploads are csrf_exempt on the outside and csrf_protect on the inside (the pattern
Django's file-upload documentation gives for custom upload handlers).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext

#: Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def upload_limit() -> int:
    return int(settings.IMPORT_MAX_UPLOAD_BYTES)


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB" if size % (1024 * 1024) == 0 else f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}


def too_large_message() -> str:
    return gettext(
        "The file is larger than the %(size)s an import can take, so it was not read. "
        "Split it into smaller files and import each one."
    ) % {"size": human_size(upload_limit())}


def declared_too_large(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > upload_limit() + FORM_OVERHEAD_BYTES


class LimitedUploadHandler(FileUploadHandler):
    """Passes file data on to the next handler, and stops the upload past the limit."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def install_limit(request: HttpRequest) -> LimitedUploadHandler:
    handler = LimitedUploadHandler(request, upload_limit())
    request.upload_handlers.insert(0, handler)
    return handler
