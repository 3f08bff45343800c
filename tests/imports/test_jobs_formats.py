"""Every seed-file format, end to end through the web path and the real worker.

Upload → dry run (background task) → confirm → job (background task) → the tokens are in the
sandbox tenant with the right fields, and the secret really is the file's: a code computed from the
file's secret (portal.sandbox.totp) activates the token through Graph.
"""

from __future__ import annotations

import pytest

from portal.imports.models import ImportJob, ImportRow
from portal.sandbox.models import HardwareToken
from portal.sandbox.totp import current_code
from tests.imports.filemakers import (
    csv_bytes,
    entra_csv,
    graph_csv,
    graph_json,
    graph_token,
    module_json,
    oath_csv,
    pskc_file,
    pskc_key,
)
from tests.support.imports import (
    ALEX,
    MEGAN,
    MIRIAM,
    NESTOR,
    admin_client,
    b32,
    graph_as,
    imported,
    secret_for,
    user_id,
)
from tests.support.tokens import holder_of, status_of

# transaction=True: the real db_worker calls close_old_connections(), which drops a connection
# held inside a test transaction (on PostgreSQL; in-memory SQLite ignores the close).
pytestmark = pytest.mark.django_db(transaction=True)

DEVICE = {"default_manufacturer": "Token2", "default_model": "C202"}


def activates_with(serial: str, secret_b32: str) -> None:
    """Hold the token: compute its code from the file's secret and activate it through Graph."""
    token = HardwareToken.objects.select_related("assigned_to").get(serial_number=serial)
    code = current_code(secret_b32, token.time_interval, token.hash_function)
    graph = graph_as(MIRIAM)
    if token.assigned_to is not None:
        graph.method_activate(str(token.assigned_to.id), str(token.id), code)
    else:
        graph.method_assign_and_activate(user_id(MEGAN), str(token.id), code)
    assert status_of(serial) == "activated"


def fields_of(serial: str) -> tuple[int, str, str, str, str | None]:
    token = HardwareToken.objects.get(serial_number=serial)
    return token.time_interval, token.hash_function, token.manufacturer, token.model, token.display_name


def test_entra_csv_with_upns_creates_and_assigns(demo_tenant: None) -> None:
    seeds = {serial: b32(secret_for(serial)) for serial in ("E-1", "E-2", "E-3")}
    data = entra_csv(
        [
            (MEGAN, "E-1", seeds["E-1"], "30", "Feitian", "OTP c200"),
            (ALEX.upper(), "E-2", seeds["E-2"].lower(), "60", "Feitian", "OTP c200"),
            (MEGAN, "E-3", seeds["E-3"], "30", "Feitian", "OTP c200"),
        ]
    )
    job = imported(admin_client(MIRIAM), data)
    assert job.status == ImportJob.Status.DONE
    assert job.file_format == "entra-csv"
    assert job.results == {ImportRow.Outcome.ASSIGNED: 3}
    assert (holder_of("E-1"), holder_of("E-2"), holder_of("E-3")) == (MEGAN, ALEX, MEGAN)
    assert fields_of("E-2") == (60, "hmacsha1", "Feitian", "OTP c200", None)
    assert status_of("E-1") == "assigned"
    activates_with("E-1", seeds["E-1"])
    activates_with("E-2", seeds["E-2"])


def test_entra_csv_without_upn(demo_tenant: None) -> None:
    seed = b32(secret_for("N-1"))
    data = entra_csv(
        [("N-1", seed, "30", "Deepnet", "SafeID"), ("N-2", b32(secret_for("N-2")), "60", "Deepnet", "SafeID")],
        with_upn=False,
    )
    job = imported(admin_client(NESTOR), data)
    assert (job.status, job.file_format, job.results) == ("done", "entra-csv-no-upn", {"created": 2})
    assert holder_of("N-1") is None and status_of("N-1") == "available"
    activates_with("N-1", seed)


def test_graph_field_csv_with_hash_and_display_name(demo_tenant: None) -> None:
    sha256_seed = secret_for("G-2", 32)
    tokens = [
        graph_token("G-1", b32(secret_for("G-1")), displayName="Reception"),
        graph_token("G-2", b32(sha256_seed), hashFunction="hmacsha256", timeIntervalInSeconds=60),
    ]
    columns = [
        "serialNumber",
        "secretKey",
        "timeIntervalInSeconds",
        "manufacturer",
        "model",
        "hashFunction",
        "displayName",
    ]
    data = graph_csv(columns, [{k: str(v) for k, v in token.items()} for token in tokens])
    job = imported(admin_client(NESTOR), data)
    assert (job.status, job.file_format, job.results) == ("done", "graph-csv", {"created": 2})
    assert fields_of("G-1") == (30, "hmacsha1", "Contoso", "OTP-6", "Reception")
    assert fields_of("G-2") == (60, "hmacsha256", "Contoso", "OTP-6", None)
    activates_with("G-2", b32(sha256_seed))


def test_graph_json_with_hex_secret_hint(demo_tenant: None) -> None:
    seed = secret_for("J-1")
    data = graph_json([graph_token("J-1", seed.hex(), secretFormat="hex"), graph_token("J-2", b32(secret_for("J-2")))])
    job = imported(admin_client(NESTOR), data, name="tokens.json")
    assert (job.status, job.file_format, job.results) == ("done", "graph-json", {"created": 2})
    activates_with("J-1", b32(seed))


def test_community_module_json_with_assignments(demo_tenant: None) -> None:
    data = module_json(
        [graph_token("M-1", b32(secret_for("M-1"))), graph_token("M-2", b32(secret_for("M-2")))],
        [{"serialNumber": "M-1", "userPrincipalName": MEGAN}],
    )
    job = imported(admin_client(MIRIAM), data, name="oath.json")
    assert job.results == {"assigned": 1, "created": 1}
    assert (holder_of("M-1"), holder_of("M-2")) == (MEGAN, None)
    activates_with("M-1", b32(secret_for("M-1")))


@pytest.mark.parametrize(
    ("encryption", "form"),
    [
        ({}, {}),
        ({"preshared_key": bytes(range(16))}, {"pskc_key": bytes(range(16)).hex()}),
        ({"password": "correct horse"}, {"pskc_password": "correct horse"}),
    ],
    ids=["plain", "preshared-key", "password"],
)
def test_pskc(demo_tenant: None, encryption: dict[str, object], form: dict[str, str]) -> None:
    seed = secret_for("P-1")
    keys = [
        pskc_key("P-1", seed, manufacturer=None, model=None),
        pskc_key("P-2", secret_for("P-2", 32), manufacturer=None, model=None, algorithm_suite="SHA256"),
    ]
    data = pskc_file(keys, **encryption)  # type: ignore[arg-type]
    job = imported(admin_client(NESTOR), data, name="tokens.pskc", **DEVICE, **form)
    assert (job.status, job.file_format, job.results) == ("done", "pskc", {"created": 2})
    assert fields_of("P-1")[:4] == (30, "hmacsha1", "Token2", "C202")
    activates_with("P-1", b32(seed))


def test_oath_csv_hex_seeds_with_defaults(demo_tenant: None) -> None:
    sha1, sha256 = secret_for("O-1"), secret_for("O-2", 32)
    data = oath_csv([["O-1", sha1.hex(), "totp", "6", "30"], ["O-2", sha256.hex(), "totp", "6", "60"]])
    job = imported(admin_client(NESTOR), data, name="seeds.txt", **DEVICE)
    assert (job.status, job.file_format, job.results) == ("done", "oath-csv", {"created": 2})
    assert fields_of("O-2")[:2] == (60, "hmacsha256")  # a 32-byte seed means SHA-256
    activates_with("O-1", b32(sha1))
    activates_with("O-2", b32(sha256))


def test_privacyidea_v2_with_users(demo_tenant: None) -> None:
    seed = secret_for("V-1")
    data = oath_csv([[MEGAN, "ldap", "contoso", "V-1", seed.hex(), "totp", "6", "30"]], version2=True)
    job = imported(admin_client(MIRIAM), data, name="export.csv", **DEVICE)
    assert (job.file_format, job.results) == ("oath-csv-v2", {"assigned": 1})
    assert holder_of("V-1") == MEGAN
    activates_with("V-1", b32(seed))


def test_semicolon_csv_with_bom_from_excel(demo_tenant: None) -> None:
    header = ["serial number", "secret key", "time interval", "manufacturer", "model"]
    data = csv_bytes([header, ["0012", b32(secret_for("X")), "30", "Feitian", "c200"]], delimiter=";", bom=True)
    job = imported(admin_client(NESTOR), data)
    assert job.results == {"created": 1}
    assert HardwareToken.objects.filter(serial_number="0012").exists()  # the leading zeros survive
