"""Decode a JWT's header and claims for display only.

The signature is never checked and nothing here decides anything: expiry decisions come
from `expires_in` on the client's clock (see tokens.py). A token that is not a well-formed
JWT yields a `JwtDecodeError` whose message says what is wrong and never contains the token.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


class JwtDecodeError(ValueError):
    """The token is not a well-formed JWT; the message is safe to show (no token in it)."""


def _b64url_json(segment: str, what: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise JwtDecodeError(f"the JWT {what} is not valid base64url") from None
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise JwtDecodeError(f"the JWT {what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise JwtDecodeError(f"the JWT {what} is not a JSON object")
    return value


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (header, claims) of `token` without verifying it; raise JwtDecodeError."""
    if not isinstance(token, str) or not token:
        raise JwtDecodeError("the token is empty")
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtDecodeError(f"the token has {len(parts)} dot-separated parts, a JWT has 3")
    # base64url has no padding in a JWT and only [A-Za-z0-9_-]; refuse anything else early
    # so that b64decode's lenient mode cannot turn junk into bytes.
    for what, part in (("header", parts[0]), ("claims", parts[1])):
        part = part.rstrip("=")  # tolerate padding, which some encoders add
        if not part or part.strip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        ):
            raise JwtDecodeError(f"the JWT {what} is not valid base64url")
    return _b64url_json(parts[0].rstrip("="), "header"), _b64url_json(
        parts[1].rstrip("="), "claims"
    )


def try_decode(token: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str | None]:
    """(header, claims, None) for a good token, (None, None, reason) for a malformed one."""
    try:
        header, claims = decode_unverified(token)
    except JwtDecodeError as exc:
        return None, None, str(exc)
    return header, claims, None
