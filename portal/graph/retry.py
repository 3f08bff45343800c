"""The one retry policy for Graph calls, tuned per caller: pages (a person waits) or jobs (nobody does).

What is retried (the reasoning, because getting it wrong either loses writes or doubles them):

* 429 and 503 are retried for every method, POST included. Graph's throttling contract is that a
  429 (and a 503 carrying Retry-After) is answered *instead of* processing the request, so sending
  it again cannot apply a change twice. Graph documents 503 as "repeat the request after a delay".
* 504 and transport failures (connection error, timeout) are retried only for idempotent requests
  (GET/HEAD/OPTIONS/PUT/DELETE, or `idempotent=True`): the request may have reached Graph and been
  applied, so only a request that is harmless to repeat goes again. A POST/PATCH after a timeout is
  never resent; the caller gets `GraphUnavailable` and the service must re-read state before telling
  the person what happened. (A DELETE repeated after a lost answer can yield 404: services should
  read that as "already gone".)
* `$batch` members answered 429 (and the members skipped with 424 only because they depended on
  one) are resent under the same policy, sharing the retries and waiting budget of their `$batch`.

How long it waits: `Retry-After` (seconds, fractional allowed) when Graph sends one, else
`backoff()` (exponential with jitter). A requested wait above `max_wait` is not slept through: the
error is raised at once with `retry_after`, so a page can say "try again in N seconds" instead of
hanging, and a job can decide what to do.

The two tunings:

* `RetryPolicy.for_pages()` — a person is waiting: GRAPH_MAX_RETRIES retries, waits of at most
  GRAPH_MAX_RETRY_WAIT_SECONDS, one read-timeout retry.
* `RetryPolicy.for_jobs()` — background work (imports): honours long Retry-After answers
  (GRAPH_JOB_MAX_RETRY_WAIT_SECONDS), more attempts (GRAPH_JOB_MAX_RETRIES) and waits at most
  GRAPH_JOB_MAX_TOTAL_WAIT_SECONDS in all for one call.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Answered instead of processing the request: safe to resend whatever the method.
NOT_PROCESSED_STATUSES = frozenset({429, 503})
#: May have been processed: resend only what is harmless to repeat.
RETRY_IF_IDEMPOTENT_STATUSES = frozenset({504})


@dataclass(frozen=True)
class RetryPolicy:
    """How patient one Graph call is. Immutable: share freely between threads."""

    #: Retries after the first try (0 = never retry).
    max_retries: int
    #: The longest single wait, whether asked for by Retry-After or chosen by backoff.
    max_wait: float
    #: The most waiting, in seconds summed over all retries of one call; None = no limit beyond
    #: `max_retries * max_wait`.
    max_total_wait: float | None = None
    #: Read timeouts retried (idempotent requests only): each one already cost the full timeout.
    timeout_retries: int = 1
    #: The first backoff step; each further step doubles, up to `max_wait`.
    backoff_base: float = 0.5

    @classmethod
    def for_pages(cls) -> RetryPolicy:
        """A person is waiting for the page: few, short retries."""
        return cls(
            max_retries=settings.GRAPH_MAX_RETRIES,
            max_wait=settings.GRAPH_MAX_RETRY_WAIT_SECONDS,
            timeout_retries=1,
        )

    @classmethod
    def for_jobs(cls) -> RetryPolicy:
        """Background work: wait out long throttling, try more often, within a total budget."""
        return cls(
            max_retries=settings.GRAPH_JOB_MAX_RETRIES,
            max_wait=settings.GRAPH_JOB_MAX_RETRY_WAIT_SECONDS,
            max_total_wait=settings.GRAPH_JOB_MAX_TOTAL_WAIT_SECONDS,
            timeout_retries=2,
        )

    def backoff(self, attempt: int, *, jitter: Callable[[], float] = random.random) -> float:
        """The wait before retry number `attempt` (1-based): exponential, capped by `max_wait`,
        jittered down to half of that so that many clients throttled together spread out."""
        ceiling = min(self.max_wait, self.backoff_base * 2 ** (max(1, attempt) - 1))
        return ceiling * (0.5 + 0.5 * jitter())

    def start(self, *, jitter: Callable[[], float] = random.random) -> Retrying:
        """The bookkeeping for one call (a fresh one per logical call or per `$batch` chunk)."""
        return Retrying(self, jitter)


@dataclass
class Retrying:
    """One call's retries so far, and the decision whether (and how long) to wait before the next.

    Each `after_*` method returns the seconds to wait before trying again — and counts that retry —
    or None when the caller should give up and raise what it has.
    """

    policy: RetryPolicy
    jitter: Callable[[], float] = random.random
    retries: int = 0
    timeouts: int = 0
    waited: float = 0.0

    def after_status(self, status: int, *, retry_after: float | None, idempotent: bool) -> float | None:
        """After an answer with a non-2xx `status`."""
        retryable = status in NOT_PROCESSED_STATUSES or (idempotent and status in RETRY_IF_IDEMPOTENT_STATUSES)
        if not retryable:
            return None
        return self._wait(retry_after)

    def after_throttled_members(self, retry_after: float | None) -> float | None:
        """After a `$batch` answer with members throttled (429): `retry_after` is the longest any
        of them asked for."""
        return self._wait(retry_after)

    def after_transport_failure(self, *, timed_out: bool, idempotent: bool) -> float | None:
        """After no answer at all (connection failure, or a read timeout when `timed_out`)."""
        if not idempotent:
            return None
        if timed_out:
            if self.timeouts >= self.policy.timeout_retries:
                return None
            wait = self._wait(None)
            if wait is not None:
                self.timeouts += 1
            return wait
        return self._wait(None)

    def _wait(self, retry_after: float | None) -> float | None:
        policy = self.policy
        if self.retries >= policy.max_retries:
            return None
        wait = retry_after if retry_after is not None else policy.backoff(self.retries + 1, jitter=self.jitter)
        if wait > policy.max_wait:
            return None  # too long for this caller: the error carries retry_after
        if policy.max_total_wait is not None and self.waited + wait > policy.max_total_wait:
            return None
        self.retries += 1
        self.waited += wait
        return wait
