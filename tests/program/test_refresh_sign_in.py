"""The administrator's sign-in that the periodic refresh keeps (sealed) is not kept for ever (issue
11): erased PROGRAM_SIGN_IN_MAX_DAYS after "Refresh now", or after PROGRAM_SIGN_IN_IDLE_DAYS
unused, by the periodic purge (injected clock); the overview then says a new "Refresh now" is needed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.program.maintenance import program_purge
from portal.program.models import RefreshDelegation
from portal.program.refresh import refresh_delegation_expire
from tests.support.admins import PRIV_AUTH_ADMIN, SignedIn, snapshot_refreshed

# transaction=True: the real db_worker calls close_old_connections().
pytestmark = pytest.mark.django_db(transaction=True)

STOPPED = "Automatic refreshes stopped"


def stored() -> RefreshDelegation:
    return RefreshDelegation.objects.get(pk=1)


def test_the_stored_sign_in_is_erased_some_days_after_refresh_now(signed_in: SignedIn, settings: Any) -> None:
    settings.PROGRAM_SIGN_IN_MAX_DAYS = 30
    lynne = signed_in(PRIV_AUTH_ADMIN)
    snapshot_refreshed(lynne)
    given = stored().sealed_at
    assert STOPPED not in lynne.get("/admin/").content.decode()

    assert refresh_delegation_expire(now=given + timedelta(days=30) - timedelta(minutes=1)) == 0
    assert bytes(stored().sealed_cache) != b""
    assert program_purge(now=given + timedelta(days=30)) >= 1  # the periodic job
    row = stored()
    assert bytes(row.sealed_cache) == b"" and row.home_account_id == "" and row.expired_at is not None
    assert refresh_delegation_expire(now=given + timedelta(days=31)) == 0  # nothing left to erase

    assert STOPPED in lynne.get("/admin/").content.decode()
    with pytest.raises(CommandError, match="Refresh now"):
        call_command("program_snapshot", verbosity=0)
    snapshot_refreshed(lynne)  # a new "Refresh now" gives a new sign-in
    assert STOPPED not in lynne.get("/admin/").content.decode()
    assert bytes(stored().sealed_cache) != b""


def test_a_stored_sign_in_left_unused_is_erased(signed_in: SignedIn, settings: Any) -> None:
    settings.PROGRAM_SIGN_IN_MAX_DAYS, settings.PROGRAM_SIGN_IN_IDLE_DAYS = 0, 90
    lynne = signed_in(PRIV_AUTH_ADMIN)
    snapshot_refreshed(lynne)
    call_command("program_snapshot", verbosity=0)  # the periodic refresh uses it
    used = stored().used_at
    assert used is not None and used >= stored().sealed_at
    # Counted from its last use, not from "Refresh now".
    RefreshDelegation.objects.update(sealed_at=used - timedelta(days=365))
    assert refresh_delegation_expire(now=used + timedelta(days=89)) == 0
    assert refresh_delegation_expire(now=used + timedelta(days=90)) == 1
    assert STOPPED in lynne.get("/admin/").content.decode()


def test_a_sign_in_that_stopped_working_is_erased_too(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    snapshot_refreshed(lynne)
    RefreshDelegation.objects.update(home_account_id="someone-else")  # MSAL finds no such account
    with pytest.raises(CommandError, match="Refresh now"):
        call_command("program_snapshot", verbosity=0)
    row = stored()
    assert row.expired_at is not None and bytes(row.sealed_cache) != b""
    assert refresh_delegation_expire(now=row.expired_at) == 1
    assert bytes(stored().sealed_cache) == b""


def test_a_snapshot_without_any_stored_sign_in_says_refresh_now_is_needed(signed_in: SignedIn) -> None:
    lynne = signed_in(PRIV_AUTH_ADMIN)
    snapshot_refreshed(lynne)
    RefreshDelegation.objects.all().delete()
    assert STOPPED in lynne.get("/admin/").content.decode()
