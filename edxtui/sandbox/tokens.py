"""Issuing and checking the sandbox's JWTs (HS256, the claims API.md lists).

The signing key is random per server and mixed with the revoke generation, so revoking every
token is just "change the key". Expiry is checked against the server's clock (wall clock plus the
clock-skew fault), strictly: a token is expired once now >= exp, and a token whose exp <= iat
(expires_in <= 0) is never valid. `iat` is rounded up so a token always lives at least
`expires_in` seconds from the moment it was issued: a client that measures expiry from just
before its POST is then never told "expired" early by rounding.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import Any

import jwt

from edxtui.sandbox.config import SandboxClient

AUDIENCE = "edxtui-sandbox"
SCOPES = ("read", "write", "email", "profile")


@dataclass(frozen=True)
class Verdict:
    """What the Authorization header amounted to."""

    client: SandboxClient | None  # the authenticated client, or None
    detail: str = ""  # the 401 detail when not authenticated (always set then)
    expired: bool = False  # signature valid, exp passed
    invalid: bool = False  # malformed, badly signed, revoked


NOT_PROVIDED = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token."


class TokenAuthority:
    def __init__(self, clients: dict[str, SandboxClient]) -> None:
        self._secret = secrets.token_bytes(32)
        self._by_username = {c.username: c for c in clients.values()}

    def _key(self, generation: int) -> bytes:
        return hashlib.sha256(self._secret + generation.to_bytes(8, "big")).digest()

    def issue(
        self,
        client: SandboxClient,
        *,
        now: float,
        expires_in: int,
        issuer: str,
        scopes: list[str],
        generation: int,
    ) -> str:
        iat = math.ceil(now)
        claims: dict[str, Any] = {
            "aud": AUDIENCE,
            "exp": iat + expires_in,
            "iat": iat,
            "iss": issuer,
            "grant_type": "client-credentials",
            "preferred_username": client.username,
            "scopes": scopes,
            "version": "1.2.0",
            "sub": hashlib.md5(client.username.encode(), usedforsecurity=False).hexdigest(),
            "filters": [],
            "is_restricted": client.restricted,
        }
        if "email" in scopes:
            claims.update(email=f"{client.username}@example.com", email_verified=True)
        if "profile" in scopes:
            claims.update(
                name=f"{client.username} (sandbox service user)",
                family_name="",
                given_name="",
                administrator=False,
                superuser=False,
            )
        return jwt.encode(claims, self._key(generation), algorithm="HS256")

    def verify(self, authorization: str | None, *, now: float, generation: int) -> Verdict:
        """DRF + edx-drf-extensions' JwtAuthentication, as API.md describes it."""
        parts = (authorization or "").split()
        if not parts or parts[0].lower() != "jwt":
            return Verdict(None, NOT_PROVIDED)  # "Bearer ..." is not ours: anonymous
        if len(parts) == 1:
            return Verdict(None, "Invalid Authorization header. No credentials provided.")
        if len(parts) > 2:
            return Verdict(
                None, "Invalid Authorization header. Credentials string should not contain spaces."
            )
        try:
            claims = jwt.decode(
                parts[1],
                self._key(generation),
                algorithms=["HS256"],
                audience=AUDIENCE,
                # Time checks are ours, against the (possibly skewed) server clock.
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["exp", "iat"],
                },
            )
            exp, iat = int(claims["exp"]), int(claims["iat"])
        except (jwt.PyJWTError, TypeError, ValueError):
            return Verdict(None, INVALID_TOKEN, invalid=True)
        if exp <= iat or now >= exp:
            return Verdict(None, INVALID_TOKEN, expired=True)
        if claims.get("is_restricted"):
            # The LMS signs restricted applications' JWTs with its asymmetric key, which
            # discovery's JwtAuthentication does not hold (edx-platform oauth_dispatch/jwt.py
            # _get_use_asymmetric_key_value): the signature fails, "Invalid token."
            return Verdict(None, INVALID_TOKEN, invalid=True)
        client = self._by_username.get(claims.get("preferred_username", ""))
        if client is None:
            return Verdict(None, INVALID_TOKEN, invalid=True)
        return Verdict(client)
