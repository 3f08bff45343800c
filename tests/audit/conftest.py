from __future__ import annotations

# The admin personas and their signed-in clients are shared with the admin area's tests.
from tests.tokenadmin.conftest import signed_in  # noqa: F401
