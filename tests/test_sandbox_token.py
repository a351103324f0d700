"""The token endpoint of both layouts, over real HTTP (API.md: "Getting a token")."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from edxtui.sandbox import SandboxServer

LAYOUTS = ("edx", "openedx")


def form(sb: SandboxServer, **extra: str) -> dict[str, str]:
    data = {
        "grant_type": "client_credentials",
        "client_id": sb.client_id,
        "client_secret": sb.client_secret,
        "token_type": "jwt",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_token_success_shape_and_headers(sandbox: SandboxServer, layout: str) -> None:
    before = time.time()
    r = httpx.post(sandbox.token_url(layout), data=form(sandbox))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}
    assert body["token_type"] == "JWT"
    assert body["expires_in"] == 3600
    assert body["scope"] == "read write email profile"
    header = jwt.get_unverified_header(body["access_token"])
    assert header == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] == claims["iat"] + 3600
    assert before - 1 <= claims["iat"] <= time.time() + 1
    assert claims["iss"] == sandbox.base_url + "/oauth2"
    assert claims["grant_type"] == "client-credentials"
    assert claims["scopes"] == ["read", "write", "email", "profile"]
    for name in ("aud", "preferred_username", "version", "sub", "filters", "is_restricted",
                 "email", "email_verified", "name", "administrator", "superuser"):  # fmt: skip
        assert name in claims
    assert sandbox.counters.token_requests == 1
    assert sandbox.counters.token_successes == 1
