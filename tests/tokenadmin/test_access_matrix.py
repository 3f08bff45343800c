"""Who may open which page of the admin area and the audit trail.

The URL configuration is enumerated (not listed by hand): a page added later without a line in
EXPECTED fails `test_every_admin_url_has_an_expectation`, so no page can slip through unchecked.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.audit.models import AuditEvent
from portal.sandbox.models import HardwareToken, RequestLogEntry
from tests.support.admins import (
    ALEX,
    ALEX_FAILED,
    AUTH_ADMIN,
    EMPLOYEE,
    FREE,
    GLOBAL_ADMIN,
    POLICY_ADMIN,
    PRIV_AUTH_ADMIN,
    READER,
    SignedIn,
)
from tests.support.tokens import token_id

pytestmark = pytest.mark.django_db

NAMESPACES = ("tokenadmin", "audit")
# Personas: the roles of entra-sign-in.md §5, one demo user each.
ANON, EMP, AA, PAA, APA, GR, GA = (
    "anonymous",
    "employee",
    "auth-admin",
    "priv-auth-admin",
    "policy-admin",
    "reader",
    "global-admin",
)
PERSONAS = {
    EMP: EMPLOYEE,
    AA: AUTH_ADMIN,
    PAA: PRIV_AUTH_ADMIN,
    APA: POLICY_ADMIN,
    GR: READER,
    GA: GLOBAL_ADMIN,
}

ALL_ADMINS = {AA: 200, PAA: 200, APA: 200, GR: 200, GA: 200}
USER_READERS = {AA: 200, PAA: 200, APA: 403, GR: 200, GA: 200}
USER_MANAGERS = {AA: 200, PAA: 200, APA: 403, GR: 403, GA: 200}
INVENTORY_WRITERS = {AA: 403, PAA: 403, APA: 200, GR: 403, GA: 200}
POST_ONLY = {AA: 405, PAA: 405, APA: 405, GR: 405, GA: 405}
LIFECYCLE_WRITERS = {AA: 200, PAA: 200, APA: 200, GR: 403, GA: 200}

# Expected GET status per URL name and persona (anonymous → 302 to sign-in, employee → 403 for all).
EXPECTED: dict[str, dict[str, int]] = {
    "tokenadmin:home": ALL_ADMINS,
    "tokenadmin:users": USER_READERS,
    "tokenadmin:user": USER_READERS,
    "tokenadmin:user_assign": USER_MANAGERS,
    "tokenadmin:user_activate": USER_MANAGERS,
    "tokenadmin:user_deactivate": USER_MANAGERS,
    "tokenadmin:user_unassign": USER_MANAGERS,
    "tokenadmin:reports": ALL_ADMINS,
    "tokenadmin:report_csv": ALL_ADMINS,
    "tokenadmin:attention_rule": ALL_ADMINS,
    "tokenadmin:attention_csv": ALL_ADMINS,
    "tokenadmin:program_refresh": POST_ONLY,
    "tokenadmin:lockout_lift": POST_ONLY,
    "tokenadmin:user_lockout_lift": POST_ONLY,
    "tokenadmin:user_replace": USER_MANAGERS,
    "tokenadmin:user_replace_gone": USER_MANAGERS,
    "tokenadmin:stock": USER_MANAGERS,
    "tokenadmin:inventory": ALL_ADMINS,
    "tokenadmin:inventory_create": INVENTORY_WRITERS,
    "tokenadmin:device": ALL_ADMINS,
    "tokenadmin:device_edit": INVENTORY_WRITERS,
    "tokenadmin:device_delete": INVENTORY_WRITERS,
    "tokenadmin:device_assign": USER_MANAGERS,
    "tokenadmin:device_lifecycle": LIFECYCLE_WRITERS,
    "tokenadmin:device_retire": INVENTORY_WRITERS,
    "audit:events": ALL_ADMINS,
    "audit:export": ALL_ADMINS,
}


def admin_patterns() -> dict[str, URLPattern]:
    """Every named URL pattern under the admin area's namespaces, by "namespace:name"."""
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace in NAMESPACES:
                assert entry.name, f"unnamed URL pattern {entry.pattern} in {namespace}"
                found[f"{namespace}:{entry.name}"] = entry

    walk(get_resolver().url_patterns, None)
    return found


def url_of(name: str, pattern: URLPattern) -> str:
    samples = {
        "user_id": ALEX,
        "method_id": token_id(ALEX_FAILED),
        "device_id": token_id(FREE),
        "kind": "stock",
        "rule": "locked_out",
    }
    kwargs = {key: samples[key] for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


def test_every_admin_url_has_an_expectation() -> None:
    names = set(admin_patterns())
    assert names, "no admin URL found: is the area mounted?"
    assert names - set(EXPECTED) == set(), "URL names without an expected status per role"
    assert set(EXPECTED) - names == set(), "expectations for URLs that no longer exist"
    for name, row in EXPECTED.items():
        assert set(row) == {AA, PAA, APA, GR, GA}, name


def test_anonymous_visitors_are_sent_to_sign_in(demo_tenant: None) -> None:
    client = Client()
    for name, pattern in admin_patterns().items():
        url = url_of(name, pattern)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 405), (method, name)
            if response.status_code == 302:
                assert response["Location"].startswith("/auth/sign-in?"), (method, name)


def test_employees_are_refused_and_never_asked_for_admin_scopes(signed_in: SignedIn) -> None:
    client = signed_in(EMPLOYEE, admin=False)
    token_calls = RequestLogEntry.objects.filter(service="login").count()
    for name, pattern in admin_patterns().items():
        url = url_of(name, pattern)
        assert client.post(url).status_code in (403, 405), name
        if EXPECTED[name] is POST_ONLY:
            continue
        response = client.get(url)
        assert response.status_code == 403, name
        text = response.content.decode()
        assert "You need one of these Microsoft Entra roles" in text, name
    # The role check comes first: no token for the admin scopes was ever requested.
    assert RequestLogEntry.objects.filter(service="login").count() == token_calls


@pytest.mark.parametrize("persona", [AA, PAA, APA, GR, GA])
def test_get_status_per_role(signed_in: SignedIn, persona: str) -> None:
    client = signed_in(PERSONAS[persona])
    got = {}
    for name, pattern in admin_patterns().items():
        response = client.get(url_of(name, pattern))
        got[name] = response.status_code
        if response.status_code == 403:
            assert "You need one of these Microsoft Entra roles" in response.content.decode(), name
    assert got == {name: row[persona] for name, row in EXPECTED.items()}


def test_global_reader_cannot_post_anything(signed_in: SignedIn) -> None:
    client = signed_in(READER)
    before = list(HardwareToken.objects.values_list("id", "status", "assigned_to_id").order_by("id"))
    for name, pattern in admin_patterns().items():
        url = url_of(name, pattern)
        data = {"serial_number": FREE, "code": "123456", "upn": EMPLOYEE}
        response = client.post(url, data)
        assert response.status_code in (403, 405), name
    assert list(HardwareToken.objects.values_list("id", "status", "assigned_to_id").order_by("id")) == before
    assert not AuditEvent.objects.exists()


def test_reader_pages_show_no_write_buttons(signed_in: SignedIn) -> None:
    client = signed_in(READER)
    user_page = client.get(reverse("tokenadmin:user", args=[ALEX])).content.decode()
    assert "Alex Wilber" in user_page
    assert ALEX_FAILED in user_page
    for word in ("Give a token", "Unassign", "Deactivate", ">Activate", ">Replace"):
        assert word not in user_page
    device_page = client.get(reverse("tokenadmin:device", args=[token_id(FREE)])).content.decode()
    assert FREE in device_page
    for word in ("Edit", "Delete", "Assign to a user", "Retire", ">Record<"):
        assert word not in device_page
    inventory = client.get(reverse("tokenadmin:inventory")).content.decode()
    assert "Add a token" not in inventory
