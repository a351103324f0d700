"""The token endpoint's grant: django-oauth-toolkit's client-credentials flow plus edx-platform's
`token_type=jwt` option (API.md's token table). The app's `token` route wraps it in faults."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from edxtui.sandbox.config import CLIENTS
from edxtui.sandbox.faults import Counters, Faults
from edxtui.sandbox.responses import json_response
from edxtui.sandbox.tokens import SCOPES, TokenAuthority


async def issue(
    request: Request, faults: Faults, authority: TokenAuthority, counters: Counters
) -> Response:
    """django-oauth-toolkit's client-credentials grant plus edx-platform's JWT option."""
    form: list[tuple[str, str]] = []
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body = await request.body()
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    fields: dict[str, list[str]] = {}
    for name, value in form:
        fields.setdefault(name, []).append(value)

    grant = fields.get("grant_type", [])
    if len(grant) > 1:
        return oauth_error(400, "invalid_request", "Duplicate grant_type parameter.")
    if grant != ["client_credentials"]:
        return oauth_error(400, "unsupported_grant_type")
    for name in ("client_id", "client_secret"):
        if not fields.get(name, [""])[0]:
            return oauth_error(400, "invalid_request", f"Missing {name} parameter.")
    client = CLIENTS.get(fields["client_id"][0])
    if client is None or not secrets.compare_digest(
        client.client_secret.encode(), fields["client_secret"][0].encode()
    ):
        return oauth_error(401, "invalid_client")
    requested = fields.get("scope", [""])[0].split()
    if any(s not in SCOPES for s in requested):
        return oauth_error(400, "invalid_scope", "The requested scope is invalid.")
    scopes = requested or list(SCOPES)

    born_expired = client.restricted and not client.restricted_jwt
    expires_in = 0 if born_expired else faults.expires_in
    token_type = fields.get("token_type", [request.headers.get("x-token-type", "")])[0]
    if token_type.lower() == "jwt":
        access_token = authority.issue(
            client,
            now=faults.now(),
            expires_in=expires_in,
            issuer=f"{request.url.scheme}://{request.url.netloc}/oauth2",
            scopes=scopes,
            generation=faults.token_generation,
        )
        kind = "JWT"
    else:  # edx-platform hands out an opaque Bearer token, which the catalog API rejects
        access_token, kind = secrets.token_urlsafe(22), "Bearer"
    payload: dict[str, Any] = {
        "access_token": access_token,
        "expires_in": expires_in,
        "token_type": kind,
        "scope": " ".join(scopes),
    }
    fmt = faults.expires_in_format
    if fmt == "string":
        payload["expires_in"] = str(expires_in)
    elif fmt == "float":
        payload["expires_in"] = float(expires_in)
    elif fmt == "null":
        payload["expires_in"] = None
    elif fmt == "missing":
        del payload["expires_in"]
    counters.bump(token_successes=1)
    return json_response(payload, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def oauth_error(status: int, error: str, description: str | None = None) -> Response:
    """An RFC 6749 error body; invalid_client also challenges (401 + WWW-Authenticate)."""
    payload = {"error": error}
    if description:
        payload["error_description"] = description
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if error == "invalid_client":
        headers["WWW-Authenticate"] = 'Bearer error="invalid_client"'
    return json_response(payload, status, headers)
