"""The token endpoint of both layouts, over real HTTP (API.md: "Getting a token")."""

from __future__ import annotations

import time

import jwt
import pytest
from sandbox_fixtures import http

from edxtui.sandbox import SandboxServer

LAYOUTS = ("edx", "openedx")


def form(sb: SandboxServer, **extra: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
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
    r = http.post(sandbox.token_url(layout), data=form(sandbox))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}
    assert body["token_type"] == "JWT"
    assert body["expires_in"] == 3600
    assert body["scope"] == "read write email profile"
    assert jwt.get_unverified_header(body["access_token"]) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] == claims["iat"] + 3600
    assert before - 1 <= claims["iat"] <= time.time() + 1
    assert claims["iss"] == sandbox.base_url + "/oauth2"
    assert claims["grant_type"] == "client-credentials"
    assert claims["scopes"] == ["read", "write", "email", "profile"]
    assert claims["is_restricted"] is False
    assert claims["filters"] == []
    for name in ("aud", "preferred_username", "version", "sub", "email", "email_verified",
                 "name", "family_name", "given_name", "administrator", "superuser"):  # fmt: skip
        assert name in claims
    assert sandbox.counters.token_requests == 1
    assert sandbox.counters.token_successes == 1


def test_openedx_token_url_takes_an_optional_trailing_slash(sandbox: SandboxServer) -> None:
    r = http.post(sandbox.token_url("openedx") + "/", data=form(sandbox))
    assert r.status_code == 200
    assert r.json()["token_type"] == "JWT"


def test_gateway_token_url_has_no_trailing_slash_variant(sandbox: SandboxServer) -> None:
    r = http.post(sandbox.token_url("edx") + "/", data=form(sandbox))
    assert r.status_code == 404


def test_x_token_type_header_asks_for_a_jwt(sandbox: SandboxServer) -> None:
    r = http.post(
        sandbox.token_url(), data=form(sandbox, token_type=None), headers={"X-Token-Type": "jwt"}
    )
    assert r.json()["token_type"] == "JWT"
    assert jwt.get_unverified_header(r.json()["access_token"])["alg"] == "HS256"


def test_without_token_type_the_server_hands_out_an_opaque_bearer_token(
    sandbox: SandboxServer,
) -> None:
    r = http.post(sandbox.token_url(), data=form(sandbox, token_type=None))
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert body["access_token"].count(".") == 0  # not a JWT
    api = http.get(
        sandbox.api_root() + "catalogs/", headers={"Authorization": f"JWT {body['access_token']}"}
    )
    assert api.status_code == 401
    assert api.json() == {"detail": "Invalid token."}


def test_requested_scope_subset_shapes_the_claims(sandbox: SandboxServer) -> None:
    r = http.post(sandbox.token_url(), data=form(sandbox, scope="read"))
    assert r.json()["scope"] == "read"
    claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
    assert claims["scopes"] == ["read"]
    assert "email" not in claims and "administrator" not in claims


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "changes",
    [{"client_secret": "wrong"}, {"client_id": "nobody"}],
    ids=["wrong-secret", "unknown-client"],
)
def test_invalid_client(sandbox: SandboxServer, layout: str, changes: dict[str, str]) -> None:
    r = http.post(sandbox.token_url(layout), data=form(sandbox, **changes))
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer error="invalid_client"'
    assert r.json() == {"error": "invalid_client"}
    assert "wrong" not in r.text
    assert sandbox.counters.token_successes == 0


@pytest.mark.parametrize("grant", [None, "password", "", "authorization_code"])
def test_missing_or_unknown_grant_type(sandbox: SandboxServer, grant: str | None) -> None:
    r = http.post(sandbox.token_url(), data=form(sandbox, grant_type=grant))
    assert r.status_code == 400
    assert r.json() == {"error": "unsupported_grant_type"}


def test_a_json_body_is_not_a_form(sandbox: SandboxServer) -> None:
    r = http.post(sandbox.token_url(), json=form(sandbox))
    assert r.status_code == 400
    assert r.json() == {"error": "unsupported_grant_type"}


@pytest.mark.parametrize("missing", ["client_id", "client_secret"])
def test_missing_field_is_invalid_request(sandbox: SandboxServer, missing: str) -> None:
    r = http.post(sandbox.token_url(), data=form(sandbox, **{missing: None}))
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_request"
    assert missing in body["error_description"]


def test_duplicate_grant_type_is_invalid_request(sandbox: SandboxServer) -> None:
    content = (
        "grant_type=client_credentials&grant_type=client_credentials&client_id=a&client_secret=b"
    )
    r = http.post(
        sandbox.token_url(),
        content=content,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


def test_unknown_scope_is_invalid_scope(sandbox: SandboxServer) -> None:
    r = http.post(sandbox.token_url(), data=form(sandbox, scope="read admin"))
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_scope"
    assert r.json()["error_description"]


def test_get_is_not_allowed(sandbox: SandboxServer) -> None:
    assert http.get(sandbox.token_url()).status_code == 405


def test_restricted_application_gets_a_token_that_is_born_expired(
    sandbox: SandboxServer,
) -> None:
    r = http.post(
        sandbox.token_url(),
        data=form(sandbox, client_id="edxtui-restricted", client_secret="restricted-secret"),
    )
    assert r.status_code == 200
    body = r.json()
    assert body["expires_in"] <= 0
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["is_restricted"] is True
    assert claims["exp"] <= claims["iat"]
    api = http.get(
        sandbox.api_root() + "catalogs/", headers={"Authorization": f"JWT {body['access_token']}"}
    )
    assert api.status_code == 401
    assert sandbox.counters.expired_token_requests == 1


@pytest.mark.parametrize("expires_in", [1, 5, 0, -30, 36000])
def test_expires_in_is_any_integer_and_signed_into_exp(
    sandbox: SandboxServer, expires_in: int
) -> None:
    sandbox.faults.update(expires_in=expires_in)
    body = http.post(sandbox.token_url(), data=form(sandbox)).json()
    assert body["expires_in"] == expires_in
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] == claims["iat"] + expires_in


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("string", "120"), ("float", 120.0), ("null", None), ("int", 120)],
)
def test_expires_in_formats(sandbox: SandboxServer, fmt: str, expected: object) -> None:
    sandbox.faults.update(expires_in=120, expires_in_format=fmt)
    body = http.post(sandbox.token_url(), data=form(sandbox)).json()
    assert body["expires_in"] == expected
    assert type(body["expires_in"]) is type(expected)


def test_expires_in_can_be_missing(sandbox: SandboxServer) -> None:
    sandbox.faults.update(expires_in_format="missing")
    body = http.post(sandbox.token_url(), data=form(sandbox)).json()
    assert "expires_in" not in body
    assert body["token_type"] == "JWT"
