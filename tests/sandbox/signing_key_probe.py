"""One process of the signing-key test (tests/sandbox/test_signing_key.py), run as
`python -m tests.sandbox.signing_key_probe <shared dir> <my name> <other's name>`.

It says it is ready, waits for the test's go (so that both processes reach for the tenant's key at
the same moment, on a sandbox database that has none yet), signs an access token, then verifies
the other process's token, and prints what it saw as one line of JSON.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path


def wait_for(path: Path, seconds: float = 60) -> Path:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{path.name} never appeared")
        time.sleep(0.01)
    return path


def main() -> None:
    shared, name, other = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    import django

    django.setup()
    from portal.sandbox import keys
    from portal.sandbox.models import DirectoryUser

    person = DirectoryUser(
        id=uuid.uuid5(uuid.NAMESPACE_DNS, name), user_principal_name=f"{name}@example.test", display_name=name
    )
    (shared / f"{name}.ready").touch()
    wait_for(shared / "go")
    key = keys.signing_key()
    token = keys.mint_access_token(user=person, scopes=["User.Read"], client_id="probe", auth_time=datetime.now(UTC))
    (shared / f"{name}.part").write_text(token, encoding="ascii")
    (shared / f"{name}.part").rename(shared / f"{name}.token")
    others_token = wait_for(shared / f"{other}.token").read_text(encoding="ascii")
    try:
        verified = keys.verify_access_token(others_token)["upn"]
    except keys.InvalidAccessToken as exc:
        verified = f"refused: {exc}"
    print(json.dumps({"kid": key.kid, "signed_by_other": verified}))


if __name__ == "__main__":
    main()
