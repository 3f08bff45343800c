"""The sandbox tenant's signing key and the tokens it signs (ID tokens and Graph access tokens).

One RS256 key, created on first use and kept in the sandbox database so that tokens stay valid
across restarts and worker processes. The identity provider signs with it; the Graph emulator
verifies access tokens with it, exactly as Graph verifies Entra's tokens.

Its key id is fixed: derived from the tenant id (`tenant_kid`), not drawn at random, so every
process names the one key alike before any of them has created it. Several processes starting at
once (gunicorn workers, the task worker) may each generate a key, but only one row can hold that
key id: the first insert wins, the others read the winner's key — every process then signs and
verifies with the same key, and a token one worker signed is valid in every other.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, transaction

from portal.sandbox.config import sandbox_int
from portal.sandbox.models import DirectoryUser, SigningKey

GRAPH_AUDIENCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    private_key: rsa.RSAPrivateKey


@lru_cache(maxsize=4)
def _load(kid: str, pem: str) -> LoadedKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return LoadedKey(kid=kid, private_key=key)


def tenant_kid() -> str:
    """The signing key's id: the same in every process, for as long as the tenant id stays."""
    digest = hashlib.sha256(f"sandbox-signing-key:{settings.SANDBOX['TENANT_ID']}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:20]).rstrip(b"=").decode()  # 27 characters, like Entra's kids


def signing_key() -> LoadedKey:
    kid = tenant_kid()
    row = SigningKey.objects.filter(kid=kid).first()
    if row is None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        try:
            with transaction.atomic(using="sandbox"):
                row = SigningKey.objects.create(kid=kid, private_key_pem=pem)
        except IntegrityError:  # another process stored its key first: that one is the tenant's
            row = SigningKey.objects.get(kid=kid)
    return _load(row.kid, row.private_key_pem)


def jwks() -> dict[str, Any]:
    key = signing_key()
    numbers = key.private_key.public_key().public_numbers()

    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()

    return {
        "keys": [
            {
                "kty": "RSA",
                "use": "sig",
                "kid": key.kid,
                "alg": "RS256",
                "n": b64(numbers.n),
                "e": b64(numbers.e),
            }
        ]
    }


def issuer() -> str:
    return f"https://login.microsoftonline.com/{settings.SANDBOX['TENANT_ID']}/v2.0"


def _sign(claims: dict[str, Any]) -> str:
    key = signing_key()
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})


def mint_id_token(*, user: DirectoryUser, client_id: str, nonce: str, auth_time: datetime) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": client_id,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "sub": hashlib.sha256(f"{user.id}:{client_id}".encode()).hexdigest()[:43],
        "oid": str(user.id),
        "tid": settings.SANDBOX["TENANT_ID"],
        "preferred_username": user.user_principal_name,
        "name": user.display_name,
        "auth_time": int(auth_time.timestamp()),
        "ver": "2.0",
        "wids": list(user.roles),
    }
    if nonce:
        claims["nonce"] = nonce
    return _sign(claims)


def mint_access_token(
    *,
    user: DirectoryUser,
    scopes: list[str],
    client_id: str,
    auth_time: datetime,
    lifetime: int | None = None,
) -> str:
    """A Graph access token (v1 shape, as Entra issues for Graph). `scopes` are short names (User.Read)."""
    now = int(time.time())
    claims = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"https://sts.windows.net/{settings.SANDBOX['TENANT_ID']}/",
        "iat": now,
        "nbf": now,
        "exp": now + (lifetime or sandbox_int("ACCESS_TOKEN_LIFETIME_SECONDS")),
        "appid": client_id,
        "oid": str(user.id),
        "tid": settings.SANDBOX["TENANT_ID"],
        "upn": user.user_principal_name,
        "name": user.display_name,
        "scp": " ".join(sorted(set(scopes))),
        "wids": list(user.roles),
        "auth_time": int(auth_time.timestamp()),
        "ver": "1.0",
        "uti": uuid.uuid4().hex[:22],
    }
    return _sign(claims)


def mint_app_token(*, client_id: str, service_principal_id: str, roles: list[str]) -> str:
    """An app-only Graph access token (client-credentials grant): `roles`, no `scp`, no user."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": GRAPH_AUDIENCE,
        "iss": f"https://sts.windows.net/{settings.SANDBOX['TENANT_ID']}/",
        "iat": now,
        "nbf": now,
        "exp": now + sandbox_int("ACCESS_TOKEN_LIFETIME_SECONDS"),
        "appid": client_id,
        "idtyp": "app",
        "oid": service_principal_id,
        "sub": service_principal_id,
        "tid": settings.SANDBOX["TENANT_ID"],
        "ver": "1.0",
        "uti": uuid.uuid4().hex[:22],
    }
    if roles:  # Entra leaves the claim out when no application permission is consented
        claims["roles"] = sorted(set(roles))
    return _sign(claims)


class InvalidAccessToken(Exception):
    """The bearer token is missing, malformed, badly signed, expired or not for Graph."""


def verify_access_token(token: str) -> dict[str, Any]:
    """Claims of a Graph access token this tenant issued, or InvalidAccessToken with the reason."""
    key = signing_key()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken("CompactToken parsing failed with error code: 80049217") from exc
    if header.get("kid") != key.kid:
        raise InvalidAccessToken("Signature is invalid.")
    try:
        return jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=["RS256"],
            audience=[GRAPH_AUDIENCE, GRAPH_APP_ID],
            options={"require": ["exp", "oid", "tid"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidAccessToken("Lifetime validation failed, the token is expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidAccessToken("Invalid audience.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken("Signature is invalid.") from exc


def b64url_json(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
