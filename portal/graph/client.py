"""The Graph client: one call = one `request()`, with the retry policy, logging and typed errors.

Retry policy (the reasoning, because getting it wrong either loses writes or doubles them):

* 429 and 503 are retried for every method, POST included. Graph's throttling contract is that a
  429 (and a 503 carrying Retry-After) is answered *instead of* processing the request, so sending
  it again cannot apply a change twice. Graph documents 503 as "repeat the request after a delay".
* 504 and transport failures (connection error, timeout) are retried only for idempotent requests
  (GET/HEAD/OPTIONS/PUT/DELETE, or `idempotent=True`): the request may have reached Graph and been
  applied, so only a request that is harmless to repeat goes again. A POST/PATCH after a timeout is
  never resent; the caller gets `GraphUnavailable` and the service must re-read state before telling
  the person what happened. (A DELETE repeated after a lost answer can yield 404: services should
  read that as "already gone".)
* A read timeout is retried at most once: each one already cost the full timeout, and a person is
  waiting for the page.
* Waits follow `Retry-After` (seconds, fractional allowed), else exponential backoff with jitter.
  A requested wait above GRAPH_MAX_RETRY_WAIT_SECONDS is not slept through: the error is raised at
  once with `retry_after`, so the page can say "try again in N seconds" instead of hanging.
* At most GRAPH_MAX_RETRIES retries; then the last error is raised.

The shared session: `requests.Session` is shared across threads in practice (urllib3's connection
pool is thread-safe). We keep it safe to share by never mutating it per call — the token and the
other headers are passed per request — and by refusing cookies, so nothing one person's call
receives can ride along on another person's call.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from portal.graph.errors import GraphError, GraphForeignURL, GraphUnavailable, bad_response
from portal.graph.operations import GraphOperations
from portal.graph.paging import parse_collection
from portal.graph.transport import RefusedURL, build_session

if TYPE_CHECKING:
    from portal.graph.batch import BatchRequest, BatchResponse

logger = logging.getLogger("portal.graph")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Answered instead of processing the request: safe to resend whatever the method (see module doc).
NOT_PROCESSED_STATUSES = frozenset({429, 503})
# May have been processed: resend only what is harmless to repeat.
RETRY_IF_IDEMPOTENT_STATUSES = frozenset({504})
BACKOFF_BASE_SECONDS = 0.5


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


# -- the client -------------------------------------------------------------------------------------


class GraphClient(GraphOperations):
    """Microsoft Graph (beta) on behalf of one signed-in person, with their delegated access token.

    Cheap to create: make one per request/action. Thread-safe as long as each thread uses its own
    client or only calls methods (the client keeps no per-call state).
    """

    def __init__(
        self,
        access_token: str,
        *,
        session: requests.Session | None = None,
        base_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
    ) -> None:
        if not access_token:
            raise ValueError("An access token is required.")
        self._access_token = access_token
        self.session = session if session is not None else shared_session()
        self.base_url = (base_url or settings.GRAPH_BASE_URL).rstrip("/")
        self.timeout = settings.GRAPH_TIMEOUT_SECONDS if timeout is None else timeout
        self.max_retries = settings.GRAPH_MAX_RETRIES if max_retries is None else max_retries
        self.max_retry_wait = settings.GRAPH_MAX_RETRY_WAIT_SECONDS if max_retry_wait is None else max_retry_wait
        self.sleep = sleep
        #: request-id of the last answer Graph gave this client (for audit records of successes).
        self.last_request_id: str | None = None

    def __repr__(self) -> str:  # never the token
        return f"GraphClient(base_url={self.base_url!r})"

    # -- low level ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> GraphResponse:
        """One Graph call. `path` is "/..." under base_url, or a full `@odata.nextLink` under it.

        Returns on 2xx; raises a GraphError subclass otherwise (after the retries described in the
        module docstring). `idempotent` defaults from the method.
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
        attempt = 0
        timeouts = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=dict(params) if params else None,
                    json=json,
                    headers=send_headers,
                    timeout=self.timeout,
                    allow_redirects=False,  # Graph doesn't redirect; never carry the token elsewhere
                )
            except requests.RequestException as exc:
                self._log(method, log_path, 0, None, started, attempt)
                wait = self._transport_retry_wait(exc, idempotent=idempotent, attempt=attempt, timeouts=timeouts)
                if wait is None:
                    raise GraphUnavailable.from_exception(exc) from exc
                timeouts += isinstance(exc, requests.Timeout)
                self.sleep(wait)
                continue

            request_id = response.headers.get("request-id")
            self.last_request_id = request_id
            self._log(method, log_path, response.status_code, request_id, started, attempt)
            if 200 <= response.status_code < 300:
                return GraphResponse(response.status_code, _decode(response), response.headers, request_id)
            error = GraphError.from_response(response)
            wait = self._status_retry_wait(error, idempotent=idempotent, attempt=attempt)
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

    def batch(self, requests: Sequence[BatchRequest], *, retry_throttled: bool = True) -> dict[str, BatchResponse]:
        """Run requests through `$batch` (chunks of 20); see `portal.graph.batch`."""
        from portal.graph.batch import run_batch

        return run_batch(self, requests, retry_throttled=retry_throttled)

    # -- retry decisions ------------------------------------------------------------------------

    def _status_retry_wait(self, error: GraphError, *, idempotent: bool, attempt: int) -> float | None:
        retryable = error.status in NOT_PROCESSED_STATUSES or (
            idempotent and error.status in RETRY_IF_IDEMPOTENT_STATUSES
        )
        if not retryable or attempt > self.max_retries:
            return None
        if error.retry_after is not None:
            # Too long to hold a person's page: hand the wait to the UI via error.retry_after.
            return error.retry_after if error.retry_after <= self.max_retry_wait else None
        return self.backoff(attempt)

    def _transport_retry_wait(
        self, exc: requests.RequestException, *, idempotent: bool, attempt: int, timeouts: int
    ) -> float | None:
        if not idempotent or attempt > self.max_retries or isinstance(exc, RefusedURL):
            return None
        if isinstance(exc, requests.Timeout):
            return self.backoff(attempt) if timeouts == 0 else None
        if isinstance(exc, requests.ConnectionError):
            return self.backoff(attempt)
        return None  # invalid URL, bad header...: a bug, not bad luck

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, capped by the maximum retry wait."""
        ceiling = min(self.max_retry_wait, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography

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
