"""Where a job's access tokens come from.

* `StoredDelegation`: the web path. The admin's MSAL token cache, sealed on the job when they
  uploaded or confirmed (portal.identity.delegation); MSAL refreshes it as the job runs, and every
  refreshed cache is sealed back onto the job, so a worker that resumes the job later starts from
  the newest refresh token.
* `FixedToken`: the management command's path: one access token for the command's lifetime.
"""

from __future__ import annotations

import time
from typing import Protocol

from portal.identity.delegation import DelegationExpired, delegated_access_token
from portal.identity.sealing import SealBroken, seal, unseal
from portal.imports.models import ImportJob

#: Ask for a new token when the one in hand has less than this left (MSAL itself refreshes at 5 min).
EARLY_SECONDS = 300


class TokenSource(Protocol):
    def access_token(self, *, force_refresh: bool = False) -> str: ...


class StoredDelegation:
    def __init__(self, job: ImportJob) -> None:
        if not job.delegated_cache or not job.home_account_id:
            raise DelegationExpired("no_stored_sign_in")
        self._job_id = job.pk
        try:
            self._blob = unseal(bytes(job.delegated_cache))
        except SealBroken:
            raise DelegationExpired("sealed_with_another_key") from None
        self._home_account_id = job.home_account_id
        self._token: str | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return f"StoredDelegation(job={self._job_id})"

    def access_token(self, *, force_refresh: bool = False) -> str:
        if self._token is not None and not force_refresh and time.time() < self._renew_at:
            return self._token
        result = delegated_access_token(self._blob, self._home_account_id, force_refresh=force_refresh)
        if result.updated_blob is not None:
            self._blob = result.updated_blob
            ImportJob.objects.filter(pk=self._job_id).update(delegated_cache=seal(self._blob))
        self._token = result.access_token
        self._renew_at = time.time() + max(0.0, result.expires_in - EARLY_SECONDS)
        return self._token


class FixedToken:
    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "FixedToken()"

    def access_token(self, *, force_refresh: bool = False) -> str:
        if force_refresh:
            raise DelegationExpired("fixed_token_rejected")
        return self._token
