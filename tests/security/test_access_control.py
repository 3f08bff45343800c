"""Access control: every URL for every persona, and no other person's data by changing an id.

The URL configuration is enumerated (all namespaces, recursively): a URL without a line in
tests/security/urlmap.py EXPECTED fails the test. Sessions are real (MSAL + the sandbox tenant);
Graph enforces the per-user rules, and these tests show the portal relies on it the right way.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.imports.models import ImportJob
from portal.sandbox.models import HardwareToken, RequestLogEntry
from portal.sandbox.requestlog import count_graph_calls
from tests.security.conftest import (
    AA,
    ADELE_ASSIGNED,
    ALEX,
    ALEX_ACTIVE,
    ALEX_FAILED,
    ANON,
    EMP,
    PAA,
    PATTI,
    PATTI_ACTIVE,
    PERSONAS,
    Personas,
    persona_client,
)
from tests.security.urlmap import EXPECTED, all_patterns, import_job_id, url_of
from tests.support.signin import sign_in
from tests.support.tokens import code_for, holder_of, status_of, token_id

pytestmark = pytest.mark.django_db


# Pages behind sign-in (anonymous visitors are sent to sign-in, then come back).
SIGNED_IN_PAGES = frozenset(
    name for name in EXPECTED if name.split(":")[0] in {"selfservice", "tokenadmin", "audit", "imports"}
) - {"selfservice:home"}
ADELE = "7d6dc637-ffd5-493a-86f5-ed3557a36682"
FREE_2 = "60200105"


def tenant_state() -> list[tuple[object, ...]]:
    return list(HardwareToken.objects.order_by("id").values_list("id", "status", "assigned_to_id", "display_name"))


def test_every_url_has_an_expectation() -> None:
    names = set(all_patterns())
    missing = sorted(names - set(EXPECTED))
    assert not missing, f"URLs without an access rule in tests/security/urlmap.py: {missing}"
    stale = sorted(set(EXPECTED) - names)
    assert not stale, f"access rules for URLs that no longer exist: {stale}"
    for name, rule in EXPECTED.items():
        assert rule.methods, name
        if "GET" in rule.methods or "*" in rule.methods:
            assert set(rule.get) == set(PERSONAS), f"{name}: a GET status is needed for every persona"
        else:
            assert rule.get == {}, f"{name} refuses GET: no GET statuses expected"


def test_every_url_for_every_persona(personas: Personas) -> None:
    """GET status of every URL for every persona; GET-only URLs refuse POST, POST-only URLs refuse
    GET; a refused POST changes nothing; and no GET changes anything in the tenant."""
    patterns = all_patterns()
    assert set(patterns) <= set(EXPECTED), sorted(set(patterns) - set(EXPECTED))
    before = tenant_state()
    got: dict[tuple[str, str], int] = {}
    want: dict[tuple[str, str], int] = {}
    for persona in PERSONAS:
        client = personas(persona)
        for name, pattern in patterns.items():
            rule = EXPECTED[name]
            url = url_of(name, pattern)
            expected_get = rule.get.get(persona, 405)
            get = client.get(url)
            got[(persona, f"GET {name}")], want[(persona, f"GET {name}")] = get.status_code, expected_get
            if get.status_code == 302 and persona == ANON and expected_get == 302 and name in SIGNED_IN_PAGES:
                assert get["Location"].startswith("/auth/sign-in?next="), (name, get["Location"])
            if get.status_code == 403:
                assert "You need one of these Microsoft Entra roles" in get.content.decode(), name
            if "*" in rule.methods:
                continue  # the sandbox's machine endpoints answer any method, by bearer token
            if "POST" not in rule.methods:
                expected_post = 405
            elif persona in rule.refused_post:
                expected_post = rule.refused_post[persona]
            elif expected_get in (302, 403) and name in SIGNED_IN_PAGES:
                expected_post = expected_get  # refused: sign in first, or not your role
            else:
                continue  # an allowed POST acts: test_csrf and the feature tests send those
            post = client.post(url, {"serial_number": ALEX_ACTIVE, "code": "123456", "upn": ALEX})
            got[(persona, f"POST {name}")], want[(persona, f"POST {name}")] = post.status_code, expected_post
    mismatches = {key: (got[key], want[key]) for key in want if got[key] != want[key]}
    assert not mismatches, "(persona, request): (got, expected) — " + repr(mismatches)
    assert tenant_state() == before, "a GET or a refused POST changed the tenant"
    assert not AuditEvent.objects.filter(outcome="success").exists()


def test_employee_cannot_read_or_act_on_another_users_token_by_id(personas: Personas) -> None:
    """Self-service pages take a token id from the URL, but ask Graph for it under /me: whatever id
    is typed, Graph only looks among the caller's own methods. Every request in the sandbox log
    proves it (no /users/{id} path), and Alex's tokens stay as they were."""
    adele = personas(EMP)
    before = tenant_state()
    alex_tokens = [token_id(ALEX_ACTIVE), token_id(ALEX_FAILED)]
    with count_graph_calls() as graph:
        for method_id in alex_tokens:
            read = adele.get(f"/tokens/{method_id}/activate")
            assert read.status_code == 400 and "not on your account" in read.content.decode()
            assert ALEX_ACTIVE not in read.content.decode() and "Alex" not in read.content.decode()
            act = adele.post(f"/tokens/{method_id}/activate", {"code": code_for(ALEX_FAILED)})
            assert act.status_code == 400 and "not on your account" in act.content.decode()
            confirm = adele.get(f"/tokens/{method_id}/remove")
            assert confirm.status_code == 400 and ALEX_ACTIVE not in confirm.content.decode()
            removed = adele.post(f"/tokens/{method_id}/remove")
            assert removed.status_code == 400
        # A serial number that is someone else's, in the add form: refused without naming them.
        added = adele.post("/tokens/add", {"serial_number": ALEX_ACTIVE, "code": code_for(ALEX_ACTIVE)})
        assert "registered to someone else" in added.content.decode() and "Alex" not in added.content.decode()
        # Extra form fields naming another user are ignored: the target is always /me.
        adele.post("/tokens/add", {"serial_number": FREE_2, "code": "000000", "user_id": ALEX, "upn": ALEX})
        paths = [entry.path for entry in graph.requests] + [entry.path for entry in graph.batch_items]
    assert paths, "no Graph call was made"
    assert all(path.startswith("/beta/me") or path == "/beta/$batch" for path in paths), paths
    assert not any(ALEX in path for path in paths)
    assert tenant_state() == before
    assert holder_of(ALEX_ACTIVE) == holder_of(ALEX_FAILED) == "alex.wilber@contoso-sandbox.example"
    assert (status_of(ALEX_ACTIVE), status_of(ALEX_FAILED)) == ("activated", "failedActivation")


def test_employee_cannot_reach_admin_actions_on_another_user(personas: Personas) -> None:
    adele = personas(EMP)
    before = tenant_state()
    logins = RequestLogEntry.objects.filter(service="login").count()
    with count_graph_calls() as graph:
        for name in ("tokenadmin:user_deactivate", "tokenadmin:user_unassign", "tokenadmin:user_activate"):
            url = reverse(name, kwargs={"user_id": ALEX, "method_id": token_id(ALEX_ACTIVE)})
            assert adele.post(url, {"code": code_for(ALEX_ACTIVE)}).status_code == 403
        url = reverse("tokenadmin:user_assign", kwargs={"user_id": ADELE})
        assert adele.post(url, {"serial_number": FREE_2, "code": "123456"}).status_code == 403
    assert graph.requests == []  # refused by role before any Graph call
    assert RequestLogEntry.objects.filter(service="login").count() == logins  # no admin token asked for
    assert tenant_state() == before


def test_authentication_administrator_cannot_change_an_admins_tokens(personas: Personas) -> None:
    """Patti holds an admin role: Graph answers 403 to an Authentication Administrator, and the
    portal explains that only a Privileged Authentication Administrator can do it."""
    isaiah = personas(AA)
    patti_token = token_id(PATTI_ACTIVE)
    for change in ("deactivate", "unassign"):
        url = reverse(f"tokenadmin:user_{change}", kwargs={"user_id": PATTI, "method_id": patti_token})
        with count_graph_calls() as graph:
            response = isaiah.post(url)
        text = response.content.decode()
        assert response.status_code in (400, 403), (change, response.status_code)
        assert "Privileged Authentication Administrator" in text, change
        assert 403 in [entry.status for entry in graph.requests + graph.batch_items], graph.describe()
    assert (status_of(PATTI_ACTIVE), holder_of(PATTI_ACTIVE)) == (
        "activated",
        "patti.fernandez@contoso-sandbox.example",
    )
    refused = AuditEvent.objects.filter(target_oid=PATTI).exclude(outcome="success")
    assert refused.count() == 2

    # The same request by a Privileged Authentication Administrator goes through: the refusal above
    # is about the target's role, not a broken page.
    lynne = personas(PAA)
    url = reverse("tokenadmin:user_deactivate", kwargs={"user_id": PATTI, "method_id": patti_token})
    assert lynne.post(url).status_code == 302
    assert status_of(PATTI_ACTIVE) == "assigned"


def test_admin_pages_cannot_be_pointed_at_a_token_of_another_user(personas: Personas) -> None:
    """The user id and the token id in an admin URL must belong together: Adele's token under
    Alex's URL is "not this user's", and nothing changes."""
    lynne = personas(PAA)
    before = tenant_state()
    mismatched = reverse("tokenadmin:user_unassign", kwargs={"user_id": ALEX, "method_id": token_id(ADELE_ASSIGNED)})
    response = lynne.post(mismatched)
    assert response.status_code in (400, 404)
    assert tenant_state() == before
    assert holder_of(ADELE_ASSIGNED) == "adele.vance@contoso-sandbox.example"


def test_only_the_uploader_may_confirm_or_discard_a_dry_run(personas: Personas) -> None:
    """Another inventory writer (a Global Administrator) changing the job id in the URL gets a 403."""
    job_id = import_job_id()
    miriam = Client()
    sign_in(miriam, "miriam.graham@contoso-sandbox.example", admin=True)
    for action in ("confirm", "discard"):
        response = miriam.post(f"/admin/imports/{job_id}/{action}")
        assert response.status_code == 403, action
        assert f"only the administrator who uploaded a file can {action} its dry run" in response.content.decode()
    assert ImportJob.objects.get(public_id=job_id).status == ImportJob.Status.DRAFT
    # Control: the uploader may (discarding is harmless here).
    nestor = persona_client("policy-admin")
    assert nestor.post(f"/admin/imports/{job_id}/discard").status_code == 302
