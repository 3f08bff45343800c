"""`make run`'s server (runportal) never reads an oversized body it was not asked to read (issue 11).

Before: after answering, Django's development server read the unread rest of the body, all at once,
into memory (a 100 MB body refused with 413: +100 MB), and kept the connection waiting for it.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest
from django.core.servers.basehttp import get_internal_wsgi_application

from portal.core.devserver import DRAIN_LIMIT, BoundedWSGIServer
from portal.core.management.commands.runportal import BoundedRunserver


@pytest.fixture
def server() -> Iterator[tuple[str, int]]:
    httpd_cls = type("ThreadingServer", (socketserver.ThreadingMixIn, BoundedWSGIServer), {"daemon_threads": True})
    httpd = httpd_cls(("127.0.0.1", 0), None)
    httpd.set_app(get_internal_wsgi_application())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[:2]
    httpd.shutdown()
    httpd.server_close()


def post_announcing(address: tuple[str, int], *, declared: int, sent: int) -> tuple[bytes, bool]:
    """POST a body announced as `declared` bytes, send `sent` of them; the answer, and whether the
    server then closed the connection (within 10 s) rather than waiting for the rest."""
    with socket.create_connection(address, timeout=10) as sock:
        head = (
            "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * sent)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            return answer, False
        return answer, True


def test_runportal_uses_the_bounded_server() -> None:
    assert BoundedRunserver.server_cls is BoundedWSGIServer


def test_an_unread_oversized_body_is_not_read_the_connection_is_closed(server: tuple[str, int]) -> None:
    answer, closed = post_announcing(server, declared=100 * 1024 * 1024, sent=1024 * 1024)
    assert answer.startswith(b"HTTP/1.1 ")  # the application's answer went out
    assert closed, "the server waited for the rest of a 100 MB body"


def test_a_small_unread_body_is_still_drained(server: tuple[str, int]) -> None:
    answer, _ = post_announcing(server, declared=DRAIN_LIMIT // 2, sent=DRAIN_LIMIT // 2)
    assert answer.startswith(b"HTTP/1.1 ")
