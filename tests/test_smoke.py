from __future__ import annotations

import pytest

from portal.sandbox.models import DirectoryUser


@pytest.mark.django_db
def test_sandbox_database_is_reachable() -> None:
    DirectoryUser.objects.create(user_principal_name="a@b.c", display_name="A")
    assert DirectoryUser.objects.count() == 1
