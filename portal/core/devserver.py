"""`make run`'s web server: Django's development server, minus one memory hazard.

After answering, Django's server reads whatever part of the request body the application left
unread, all at once (`ServerHandler.close`: `stdin.read()`), to keep the connection usable. A
100 MB body refused with 413 before it was read thus cost 100 MB of memory anyway. Here at most
DRAIN_LIMIT bytes are read, in small chunks; beyond that the connection is closed instead, as
gunicorn does.
"""

from __future__ import annotations

from typing import Any

from django.core.servers import basehttp

DRAIN_LIMIT = 256 * 1024
_CHUNK = 64 * 1024


class BoundedServerHandler(basehttp.ServerHandler):
    def close(self) -> None:
        stdin, drained = self.get_stdin(), 0
        while drained < DRAIN_LIMIT:
            chunk = stdin.read(_CHUNK)
            if not chunk:
                break
            drained += len(chunk)
        else:
            if stdin.read(1):  # more is left: don't read it, close the connection
                self.request_handler.close_connection = True  # type: ignore[attr-defined]
        super(basehttp.ServerHandler, self).close()


class BoundedRequestHandler(basehttp.WSGIRequestHandler):
    def handle_one_request(self) -> None:
        """Django's, with BoundedServerHandler."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = BoundedServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ())
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]


class BoundedWSGIServer(basehttp.WSGIServer):
    """Django's WSGIServer, handling requests with BoundedRequestHandler."""

    def __init__(self, server_address: Any, handler_class: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(server_address, BoundedRequestHandler, *args, **kwargs)
