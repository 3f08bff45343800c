"""The connection to Graph: one HTTP request = one `request()`, with retries, logging and typed errors.

`GraphConnection` is the bottom layer of the client (`portal.graph.client.GraphClient` builds on it;
`portal.graph.batch` sends `$batch` calls through it). What is retried and how long it waits is
`portal.graph.retry.RetryPolicy` (one policy, tuned per caller: `RetryPolicy.for_pages()` by
default, `RetryPolicy.for_jobs()` for background work).

The shared session: `requests.Session` is shared across threads in practice (urllib3's connection
pool is thread-safe). We keep it safe to share by never mutating it per call — the token and the
other headers are passed per request — and by refusing cookies, so nothing one person's call
receives can ride along on another person's call.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from portal.graph.errors import GraphError, GraphForeignURL, GraphUnavailable, bad_response
from portal.graph.paging import parse_collection
from portal.graph.retry import IDEMPOTENT_METHODS, Retrying, RetryPolicy
from portal.graph.transport import RefusedURL, build_session

logger = logging.getLogger("portal.graph")


@dataclass(frozen=True)
class GraphResponse:
    status: int
    #: Decoded JSON; None for 204/empty bodies; text for non-JSON success bodies (e.g. `$count`).
    data: Any
    headers: Mapping[str, str]
    request_id: str | None


# -- the shared session -----------------------------------------------------------------------------

_shared_session: requests.Session | None = None
_shared_lock = threading.Lock()


def shared_session() -> requests.Session:
    """The process-wide session for Graph (connection reuse), built from settings on first use."""
    global _shared_session
    with _shared_lock:
        if _shared_session is None:
            session = build_session()
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            _shared_session = session
        return _shared_session


def close_shared_session() -> None:
    global _shared_session
    with _shared_lock:
        if _shared_session is not None:
            _shared_session.close()
        _shared_session = None


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    # Adapters and the timeout come from settings: a test that overrides them gets a fresh session.
    if setting.startswith(("HTTP_", "GRAPH_")):
        close_shared_session()


# -- the connection ---------------------------------------------------------------------------------


class GraphConnection:
    """Microsoft Graph (beta) on behalf of one signed-in person, with their delegated access token.

    Cheap to create: make one per request/action. Keeps no per-call state, so threads may share one
    (the import engine does): everything a call returns — its request-id included — comes back with
    the call.
    """

    def __init__(
        self,
        access_token: str,
        *,
        session: requests.Session | None = None,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] = time.sleep,
        timeout: float | None = None,
    ) -> None:
        if not access_token:
            raise ValueError("An access token is required.")
        self._access_token = access_token
        self.session = session if session is not None else shared_session()
        self.base_url = (base_url or settings.GRAPH_BASE_URL).rstrip("/")
        self.timeout = settings.GRAPH_TIMEOUT_SECONDS if timeout is None else timeout
        #: How patient this client's calls are (a person's page unless told otherwise).
        self.policy = policy if policy is not None else RetryPolicy.for_pages()
        #: Called with the seconds to wait between tries (inject a recorder in tests; a job may pass
        #: a sleep that keeps its lease alive and raises to stop early).
        self.sleep = sleep

    def __repr__(self) -> str:  # never the token
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # -- low level ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        retrying: Retrying | None = None,
    ) -> GraphResponse:
        """One Graph call. `path` is "/..." under base_url, or a full `@odata.nextLink` under it.

        Returns on 2xx; raises a GraphError subclass otherwise (after the retries
        `portal.graph.retry` describes). `idempotent` defaults from the method. `retrying` shares one retry
        budget between several requests (the `$batch` resends); a fresh one per call otherwise.
        The body is `json`, or `data` sent as it is (its Content-Type in `headers`: sendMail's MIME).
        """
        method = method.upper()
        url = self.url_for(path)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        send_headers = {
            **(headers or {}),
            "Accept": "application/json",
            # One id per logical call, kept across retries, so Microsoft support can follow it.
            "client-request-id": str(uuid.uuid4()),
            "Authorization": f"Bearer {self._access_token}",
        }
        log_path = urlsplit(url).path  # never the query string
        retrying = retrying if retrying is not None else self.policy.start()
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=dict(params) if params else None,
                    json=json,
                    data=data,
                    headers=send_headers,
                    timeout=self.timeout,
                    allow_redirects=False,  # Graph doesn't redirect; never carry the token elsewhere
                )
            except requests.RequestException as exc:
                self._log(method, log_path, 0, None, started, attempt)
                wait = None
                # Invalid URL, bad header, a refused host...: a bug or a setting, not bad luck.
                if isinstance(exc, requests.Timeout | requests.ConnectionError) and not isinstance(exc, RefusedURL):
                    wait = retrying.after_transport_failure(
                        timed_out=isinstance(exc, requests.Timeout), idempotent=idempotent
                    )
                if wait is None:
                    raise GraphUnavailable.from_exception(exc) from exc
                self.sleep(wait)
                continue

            request_id = response.headers.get("request-id")
            self._log(method, log_path, response.status_code, request_id, started, attempt)
            if 200 <= response.status_code < 300:
                return GraphResponse(response.status_code, _decode(response), response.headers, request_id)
            error = GraphError.from_response(response)
            wait = retrying.after_status(error.status, retry_after=error.retry_after, idempotent=idempotent)
            if wait is None:
                raise error
            self.sleep(wait)

    def url_for(self, path: str) -> str:
        """The absolute URL for a path, or the nextLink itself if (and only if) it is under base_url."""
        if path.startswith("/") and not path.startswith("//"):
            return self.base_url + path
        base = urlsplit(self.base_url)
        target = urlsplit(path) if "\\" not in path and path.isprintable() else None
        if (
            target is None
            or target.scheme.lower() != base.scheme.lower()
            or target.netloc.lower() != base.netloc.lower()
            or not target.path.startswith(base.path.rstrip("/") + "/")
            or ".." in target.path.split("/")
        ):
            host = target.hostname if target else None
            raise GraphForeignURL(
                f"Refused to send a Graph request to a URL outside {self.base_url} (host {host!r}).",
                code="foreignUrl",
            )
        return path

    def relative(self, path_or_next_link: str) -> str:
        """A path, or a nextLink under base_url made relative to it: the form `$batch` members need."""
        absolute = self.url_for(path_or_next_link)
        return absolute[len(self.base_url) :]

    def get_page(
        self,
        path_or_next_link: str,
        params: Mapping[str, str | int] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[list[dict[str, Any]], str | None, int | None]:
        """One page: (items, next_link, count). A next_link already carries its query options."""
        if params and not path_or_next_link.startswith("/"):
            raise ValueError("A nextLink carries its own query options; pass no params with it.")
        response = self.request("GET", path_or_next_link, params=params, headers=headers)
        return parse_collection(response.data, status=response.status)

    def iterate(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a collection, following `@odata.nextLink` until it is absent."""
        link: str = path
        link_params = params
        seen: set[str] = set()
        while True:
            items, next_link, _ = self.get_page(link, link_params, headers=headers)
            yield from items
            if not next_link:
                return
            if next_link in seen:  # a server bug would otherwise loop forever
                raise bad_response(200, "@odata.nextLink repeats")
            seen.add(next_link)
            link, link_params = next_link, None

    @staticmethod
    def _log(method: str, path: str, status: int, request_id: str | None, started: float, attempt: int) -> None:
        # Method, path (no query), status, ids and timing only: never headers, bodies or tokens.
        duration_ms = round((time.monotonic() - started) * 1000)
        level = logging.WARNING if status == 0 or status == 429 or status >= 500 else logging.INFO
        logger.log(
            level,
            "Graph %s %s -> %s in %d ms (attempt %d, request-id %s)",
            method,
            path,
            status or "no answer",
            duration_ms,
            attempt,
            request_id or "-",
            extra={
                "graph_method": method,
                "graph_path": path,
                "graph_status": status,
                "graph_request_id": request_id,
                "duration_ms": duration_ms,
                "attempt": attempt,
            },
        )


def _decode(response: requests.Response) -> Any:
    """JSON when the answer says JSON (or says nothing); text otherwise (`$count` is text/plain)."""
    if response.status_code == 204 or not response.content:
        return None
    content_type = response.headers.get("Content-Type", "").lower()
    if content_type and "json" not in content_type:
        return response.text
    try:
        return response.json()
    except ValueError:
        raise bad_response(
            response.status_code,
            f"HTTP {response.status_code} body is not valid JSON",
            request_id=response.headers.get("request-id"),
        ) from None
