"""An import naming a serial the portal recorded as lost, stolen or retired is flagged in the dry run."""

from __future__ import annotations

import pytest

from portal.imports.models import ImportRow
from portal.lifecycle.models import LifecycleState
from portal.lifecycle.services import lifecycle_record
from tests.imports.filemakers import entra_csv
from tests.support.imports import ALEX, NESTOR, admin_client, analysed, b32, secret_for
from tests.support.tokens import token_id

pytestmark = pytest.mark.django_db(transaction=True)

Verdict = ImportRow.Verdict


def record(serial: str, state: LifecycleState) -> None:
    lifecycle_record(device_id=f"gone-{serial}", serial_number=serial, state=state, actor=None, note="")


def test_lost_stolen_and_retired_serials_are_flagged_others_are_not(demo_tenant: None) -> None:
    record("RET-1", LifecycleState.RETIRED)
    record("STO-1", LifecycleState.STOLEN)
    record("brk-1", LifecycleState.BROKEN)  # broken: not an import concern
    record("RTN-1", LifecycleState.LOST)
    record("RTN-1", LifecycleState.RETURNED)  # the latest record wins
    rows = [
        (serial, b32(secret_for(serial)), "30", "Token2", "C202") for serial in ("ret-1", "STO-1", "BRK-1", "RTN-1")
    ]
    client = admin_client(NESTOR)

    job = analysed(client, entra_csv(rows, with_upn=False))

    reasons = {row.serial.upper(): (row.verdict, row.reason) for row in job.rows.all()}
    assert reasons["RET-1"][0] == Verdict.CREATE
    assert reasons["RET-1"][1].startswith("flagged: the portal recorded this serial as “Retired” on ")
    assert reasons["STO-1"][1].startswith("flagged: the portal recorded this serial as “Stolen” on ")
    assert reasons["BRK-1"] == (Verdict.CREATE, "")
    assert reasons["RTN-1"] == (Verdict.CREATE, "")
    page = client.get(f"/admin/imports/{job.public_id}/").content.decode()
    assert "flagged: the portal recorded this serial as “Stolen”" in page


def test_an_assignment_file_never_hands_out_a_flagged_token(demo_tenant: None) -> None:
    lifecycle_record(
        device_id=token_id("60200104"), serial_number="60200104", state=LifecycleState.LOST, actor=None, note=""
    )
    client = admin_client("miriam.graham@contoso-sandbox.example")

    job = analysed(client, f"serial,upn\n60200104,{ALEX}\n".encode(), assignments=True)

    row = job.rows.get()
    assert row.verdict == Verdict.REJECT
    assert "flagged: the portal recorded this serial as “Lost”" in row.reason
