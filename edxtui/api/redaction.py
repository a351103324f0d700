"""Redaction, written once: which headers are secret, how Authorization is masked, and how a
token or secret that a server echoes back is scrubbed from bodies, headers and text.

The exchange log (through the Session's hooks), the CLI's `get -i` and its error messages
all use these; `shown()` is how a server's text enters any message (scrub, then cut).
Standard library only (and edxtui.textsafe): the CLI imports this at start-up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from edxtui.textsafe import visible

REDACTED = "<redacted>"

#: headers whose whole value is a credential; Authorization keeps its scheme ("JWT <redacted>")
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

#: shorter values are not scrubbed from text: "abc" would blank out ordinary words
MIN_SCRUBBED = 4


def mask_authorization(value: str) -> str:
    """`JWT <redacted>` for `JWT eyJ...`; just `<redacted>` when there is no scheme."""
    scheme = value.split(" ", 1)[0] if " " in value else ""
    return f"{scheme} {REDACTED}" if scheme else REDACTED


def credential_of(authorization: str | None) -> str | None:
    """The token in an Authorization value (`JWT <token>` -> `<token>`), or None."""
    if not authorization or " " not in authorization:
        return None
    return authorization.split(" ", 1)[1] or None


def redact_headers(
    headers: Iterable[tuple[str, str]], echoed: Iterable[str | None] = ()
) -> list[tuple[str, str]]:
    """The headers with secret values masked and any `echoed` secret scrubbed from the rest."""
    secrets = _usable(echoed)
    out = []
    for name, value in headers:
        lname = name.lower()
        if lname == "authorization":
            value = mask_authorization(value)
        elif lname in SECRET_HEADERS:
            value = REDACTED
        else:
            value = scrub_text(value, secrets)
        out.append((name, value))
    return out


def _usable(secrets: Iterable[str | None]) -> list[str]:
    """Distinct secrets long enough to scrub, longest first (so no part of one is left)."""
    return sorted({s for s in secrets if s and len(s) >= MIN_SCRUBBED}, key=len, reverse=True)


def _forms(secret: str) -> list[str]:
    """A secret as written raw and as written inside a JSON string."""
    return list(dict.fromkeys((secret, json.dumps(secret)[1:-1])))


def holds_secret(text: str, secrets: Iterable[str | None]) -> bool:
    """Whether `text` holds one of `secrets` (those long enough to scrub)."""
    return any(secret in text for secret in _usable(secrets))


def scrub_text(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with each secret (raw or JSON-escaped) replaced by <redacted>."""
    for secret in _usable(secrets):
        for form in _forms(secret):
            text = text.replace(form, REDACTED)
    return text


def scrub(data: bytes, secrets: Iterable[str | None]) -> bytes:
    """The bytes of a body with each secret (raw or JSON-escaped) replaced by <redacted>."""
    for secret in _usable(secrets):
        for form in _forms(secret):
            raw = form.encode("utf-8", "replace")
            if raw in data:
                data = data.replace(raw, REDACTED.encode())
    return data


def request_secrets(request: Any) -> list[str]:
    """What an httpx request carried that no message may show: its Authorization credential
    (the token) and, for a token request, the form's client_secret."""
    if request is None:
        return []
    found = [credential_of(request.headers.get("authorization"))]
    try:
        content = request.content
    except Exception:  # a streamed body that was never read: no form to look in
        content = b""
    if isinstance(content, bytes) and b"client_secret=" in content:
        pairs = parse_qsl(content.decode("ascii", errors="replace"), keep_blank_values=True)
        found += [value for key, value in pairs if key == "client_secret"]
    return [secret for secret in found if secret]


def response_secrets(response: Any) -> list[str]:
    """What the requests behind an httpx response carried (a 401 retry and redirects too)."""
    found = []
    for each in (*getattr(response, "history", ()), response):
        try:
            request = each.request
        except RuntimeError:  # a response built without its request (tests, mocks)
            continue
        found += request_secrets(request)
    return found


def shown(text: str, secrets: Iterable[str | None], limit: int) -> str:
    """A server's text fit for a message: secrets scrubbed FIRST, then control characters
    made visible, then cut to `limit` characters. Cutting first would leave most of an
    echoed token in the message, where no whole-token scrub can find it any more."""
    text = visible(scrub_text(text, secrets))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact_form(body: bytes) -> bytes:
    """The token request's form body with client_secret's value replaced."""
    pairs = parse_qsl(body.decode("ascii", errors="replace"), keep_blank_values=True)
    return "&".join(
        f"{quote_plus(k)}={REDACTED if k == 'client_secret' else quote_plus(v)}" for k, v in pairs
    ).encode()


_ACCESS_TOKEN = re.compile(rb'("access_token"\s*:\s*)"(?:[^"\\]|\\.)*"')


def redact_token_body(body: bytes) -> bytes:
    """The token response's exact bytes, with the access_token value replaced."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return body
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        return body
    body, found = _ACCESS_TOKEN.subn(rb'\1"' + REDACTED.encode() + b'"', body)
    # a key spelled with escapes ("access\u005ftoken") escapes the pattern: scrub the value
    return body if found else scrub(body, [token])
