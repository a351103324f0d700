"""The token endpoint's answer, parsed: a TokenGrant, or an AuthError that says what is wrong.

The TokenManager (tokens.py) calls `parse_token_response` on every token POST's response.
Errors are `permanent` when only a person can fix them (a wrong secret, a wrong token URL,
a server that does not issue JWTs), so the manager stops retrying them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from edxtui.api.errors import AuthError
from edxtui.api.redaction import response_secrets, shown
from edxtui.api.retry import parse_retry_after

MAX_LIFETIME = 366 * 24 * 3600.0  # more than a year is not believable
MIN_LIFETIME = 1.0  # less would have the background refresh hammer the token endpoint


@dataclass(frozen=True)
class TokenGrant:
    """A parsed, validated token response."""

    access_token: str = field(repr=False)
    expires_in: float
    token_type: str
    scope: str | None = None


_CHECK_CREDENTIALS = "check the client id and secret in the profile"
_OAUTH_ERRORS = {
    "invalid_client": (
        "the token endpoint rejected the client id or secret (invalid_client)",
        _CHECK_CREDENTIALS,
    ),
    "unsupported_grant_type": (
        "the token endpoint does not accept the client_credentials grant (unsupported_grant_type)",
        "check the token URL and that the application may use client credentials",
    ),
    "invalid_request": (
        "the token endpoint rejected the request as malformed (invalid_request)",
        "check the token URL, client id and secret",
    ),
    "invalid_grant": (
        "the token endpoint refused the grant (invalid_grant)",
        _CHECK_CREDENTIALS,
    ),
    "invalid_scope": (
        "the token endpoint refused the requested scope (invalid_scope)",
        "the application is not allowed these scopes; ask the server's operators",
    ),
    "unauthorized_client": (
        "this client may not use client credentials (unauthorized_client)",
        "ask the server's operators to allow the client_credentials grant",
    ),
}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _retry_after(response: httpx.Response) -> float | None:
    return parse_retry_after(response.headers.get("retry-after"))


def _looks_html(response: httpx.Response) -> bool:
    ctype = response.headers.get("content-type", "").lower()
    return "html" in ctype or response.content.lstrip()[:1] == b"<"


def _expires_in(value: Any, secrets: list[str | None]) -> float:
    """Validate expires_in; AuthError (permanent) when it cannot be a real lifetime."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AuthError(
            f"the token response's expires_in is not a number ({type(value).__name__})",
            "the token endpoint does not follow OAuth 2.0; check the token URL",
            permanent=True,
        )
    try:
        seconds = float(value)
    except ValueError:
        raise AuthError(
            f"the token response's expires_in is not a number ({shown(str(value), secrets, 40)!r})",
            "the token endpoint does not follow OAuth 2.0; check the token URL",
            permanent=True,
        ) from None
    if not math.isfinite(seconds):
        raise AuthError(
            "the token response's expires_in is not a finite number",
            "the token endpoint does not follow OAuth 2.0; check the token URL",
            permanent=True,
        )
    if seconds <= 0:
        raise AuthError(
            f"the token endpoint issued a token that is already expired (expires_in = {seconds:g})",
            "this looks like a restricted application; ask the server's operators for one "
            "that may use client credentials",
            permanent=True,
        )
    if seconds < MIN_LIFETIME:
        raise AuthError(
            f"the token endpoint issued a token that lives {seconds:g} s, too short to use",
            "check the server's OAuth settings (token lifetimes are whole seconds)",
            permanent=True,
        )
    if seconds > MAX_LIFETIME:
        raise AuthError(
            f"the token endpoint says the token lives {seconds:.0f} s (over a year), "
            "which is not believable",
            "check the token URL and the server's OAuth settings",
            permanent=True,
        )
    return seconds


def parse_token_response(response: httpx.Response) -> TokenGrant:
    """Turn the token endpoint's response into a TokenGrant, or raise a clear AuthError."""
    status = response.status_code
    data = _json(response.content)
    if 300 <= status < 400:
        location = shown(response.headers.get("location", "?"), _sent(response), 200)
        raise AuthError(
            f"the token endpoint redirected (HTTP {status}) to {location}",
            "set the token URL to the final address (edxtui never re-sends the secret "
            "to a redirect)",
            status=status,
            permanent=True,
        )
    if status != 200:
        raise _error_status(response, data)
    # The token itself must not show in any message about this response either.
    secrets = [*_sent(response), data.get("access_token") if isinstance(data, dict) else None]
    if data is None:
        what = "an HTML page" if _looks_html(response) else "a body that is not JSON"
        raise AuthError(
            f"the token endpoint returned {what} instead of a JSON token",
            "check that the token URL is the OAuth2 access_token endpoint",
            status=status,
        )
    if not isinstance(data, dict):
        raise AuthError(
            "the token endpoint returned JSON that is not an object",
            "check that the token URL is the OAuth2 access_token endpoint",
            status=status,
            permanent=True,
        )
    missing = [
        name
        for name in ("access_token", "expires_in", "token_type")
        if data.get(name) in (None, "")
    ]
    if missing:
        raise AuthError(
            f"the token response lacks {', '.join(missing)}",
            "check that the token URL is the OAuth2 access_token endpoint",
            status=status,
            permanent=True,
        )
    token = data["access_token"]
    if not isinstance(token, str) or not token.isascii() or not token.isprintable():
        raise AuthError(
            "the token response's access_token is not a printable ASCII string",
            "check that the token URL is the OAuth2 access_token endpoint",
            status=status,
            permanent=True,
        )
    token_type = data["token_type"]
    if not isinstance(token_type, str) or token_type.lower() != "jwt":
        kind = shown(str(token_type), secrets, 40)
        raise AuthError(
            f"the token endpoint issued a {kind!r} token, not a JWT",
            "this server ignored token_type=jwt; the catalog API only accepts JWTs",
            status=status,
            permanent=True,
        )
    expires_in = _expires_in(data["expires_in"], secrets)
    scope = data.get("scope")
    return TokenGrant(
        access_token=token,
        expires_in=expires_in,
        token_type=token_type,
        scope=scope if isinstance(scope, str) else None,
    )


# django-ratelimit on the LMS's token view raises PermissionDenied; with no 403 template,
# Django renders its generic page (django/views/defaults.py ERROR_PAGE_TEMPLATE) exactly so.
# Only that page means "slow down" (API.md); nginx's own 403 wraps its h1 in <center>.
_RATELIMIT_PAGE = re.compile(rb"<h1>403 Forbidden</h1><p>")
_TOKEN_PATHS = (
    "check the token URL: usually https://LMS/oauth2/access_token (Open edX) or "
    "https://api.edx.org/oauth2/v1/access_token (the edX.org gateway)"
)


def _not_the_token_endpoint(response: httpx.Response, data: Any, sent: list[str]) -> AuthError:
    """A 403 that is not the rate-limit page: Django's CSRF failure page (a POST to an LMS
    page that is not the token view), a WAF or CDN block page, any other HTML, or JSON
    without an OAuth `error` (the gateway's {"message": "Missing Authentication Token"}).
    The token URL is wrong (or blocked): retrying cannot help, a person must look."""
    body = response.content
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        what = f"403: {shown(data['message'], sent, 120)}"
    elif b"CSRF verification failed" in body:
        what = "403 and Django's CSRF failure page (a page that is not the token endpoint)"
    elif b"could not be satisfied" in body or b"cloudfront" in body.lower():
        what = "403 and a WAF or CDN block page"
    elif data is None:
        what = "403 and an HTML page that is not the token endpoint's"
    else:
        what = "403 without an OAuth error"
    return AuthError(
        f"the token URL answered {what}",
        _TOKEN_PATHS,
        status=403,
        permanent=True,
    )


def _sent(response: httpx.Response) -> list[str]:
    """The client secret (and any credential) the token request carried."""
    return response_secrets(response)


def _error_status(response: httpx.Response, data: Any) -> AuthError:
    status = response.status_code
    sent = _sent(response)
    code = data.get("error") if isinstance(data, dict) else None
    if isinstance(code, str) and code:
        description = data.get("error_description")
        known = _OAUTH_ERRORS.get(code)
        if known is not None:
            message, hint = known
        else:
            message = f"the token endpoint refused the request ({shown(code, sent, 60)})"
            hint = _CHECK_CREDENTIALS
        if isinstance(description, str) and description.strip():
            message += f": {shown(description, sent, 200)}"
        # 4xx OAuth errors need a person to change something; 5xx ones may pass.
        return AuthError(
            message, hint, oauth_error=code, status=status, permanent=400 <= status < 500
        )
    if status == 401:
        return AuthError(
            "the token endpoint refused the credentials (HTTP 401)",
            _CHECK_CREDENTIALS,
            status=status,
            permanent=True,
        )
    if status == 403:
        if _RATELIMIT_PAGE.search(response.content):
            return AuthError(
                "the token endpoint is rate limiting (403 HTML page); wait and retry",
                "wait a minute, then try again",
                status=status,
                retry_after=_retry_after(response),
            )
        return _not_the_token_endpoint(response, data, sent)
    if status == 429:
        after = _retry_after(response)
        wait = f"{after:.0f} s" if after is not None else "a minute"
        return AuthError(
            "the token endpoint is throttling this client (HTTP 429)",
            f"wait {wait} and retry",
            status=status,
            retry_after=after,
        )
    if status == 404:
        return AuthError(
            "the token URL was not found (HTTP 404)",
            "edX.org uses https://api.edx.org/oauth2/v1/access_token, Open edX "
            "https://LMS/oauth2/access_token",
            status=status,
            permanent=True,
        )
    if status >= 500:
        return AuthError(
            f"the token endpoint failed (HTTP {status})",
            "the server is having trouble; try again later",
            status=status,
        )
    return AuthError(
        f"the token endpoint answered HTTP {status}",
        "check the token URL, client id and secret",
        status=status,
        permanent=400 <= status < 500,
    )
