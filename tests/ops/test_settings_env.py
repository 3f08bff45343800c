"""Production settings from the environment: database, cache, proxies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import cache_from_url
from tests.ops.conftest import clean_env, manage, production_env

_PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default'], 'cache': s.CACHES['default'], "
    "'proxy_header': s.SECURE_PROXY_SSL_HEADER, 'forwarded_host': s.USE_X_FORWARDED_HOST, "
    "'proxies': s.TRUSTED_PROXY_COUNT, 'exempt': s.SECURE_REDIRECT_EXEMPT, 'hashed': s.HASHED_STATIC}, default=str))"
)


def settings_under(env: dict[str, str]) -> dict[str, object]:
    result = manage("shell", "--no-imports", "-c", _PRINT_SETTINGS, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_production_database_cache_and_proxy_settings(tmp_path: Path) -> None:
    env = production_env(
        tmp_path,
        DATABASE_URL="postgres://portal:pw@db.internal:5432/portal",
        DATABASE_CONN_MAX_AGE="120",
        CACHE_URL="db://portal_cache",
        TRUSTED_PROXY_COUNT="2",
    )
    values = settings_under(env)
    db = values["db"]
    assert isinstance(db, dict)
    assert db["ENGINE"] == "django.db.backends.postgresql" and db["NAME"] == "portal"
    # Persistent connections, checked before reuse (a restarted database costs a reconnect, not a 500).
    assert db["CONN_MAX_AGE"] == 120 and db["CONN_HEALTH_CHECKS"] is True
    assert values["cache"] == {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}
    assert values["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["forwarded_host"] is False
    assert values["proxies"] == 2
    assert values["exempt"] == ["^healthz$", "^readyz$"]
    assert values["hashed"] is True


def test_sandbox_defaults(tmp_path: Path) -> None:
    values = settings_under(clean_env(tmp_path))
    db = values["db"]
    assert isinstance(db, dict) and db["ENGINE"] == "django.db.backends.sqlite3"
    assert values["cache"] == {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    assert values["proxy_header"] is None and values["proxies"] == 0


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache", None),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", None),
        ("db://", "django.core.cache.backends.db.DatabaseCache", "portal_cache"),
        ("db://my_cache", "django.core.cache.backends.db.DatabaseCache", "my_cache"),
    ],
)
def test_cache_url(url: str, backend: str, location: str | None) -> None:
    config = cache_from_url(url)
    assert config["BACKEND"] == backend
    assert config.get("LOCATION") == location


def test_redis_cache_url_needs_the_optional_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "redis" else real_find_spec(name))
    with pytest.raises(ImproperlyConfigured, match="`redis` package is not installed"):
        cache_from_url("redis://cache.internal:6379/0")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    assert cache_from_url("rediss://cache.internal:6380/0") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "rediss://cache.internal:6380/0",
    }


def test_unknown_cache_url_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        cache_from_url("memcached://x")
