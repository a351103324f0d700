"""An exchange's request as a curl command line (the explorer's "copy as curl")."""

from __future__ import annotations

import shlex
from urllib.parse import parse_qsl

from edxtui.api.exchange import Exchange
from edxtui.api.redaction import SECRET_HEADERS

# Headers curl sets by itself, or that must not be copied (Authorization is written below).
_SKIP = {
    "host",
    "content-length",
    "content-type",
    "accept-encoding",
    "connection",
    "user-agent",
    *(SECRET_HEADERS - {"authorization"}),
}


def as_curl(exchange: Exchange, token: str | None = None) -> str:
    """The exchange's request as a curl command line, shell-quoted.

    The token is written out only when given (the live token, which may be newer than the
    one that was sent); otherwise the command reads $EDXTUI_TOKEN. The client secret is
    never written out: a token request reads $EDXTUI_CLIENT_SECRET.
    """
    parts = ["curl", "-sS"]
    if exchange.method != "GET" and not (exchange.method == "POST" and exchange.request_body):
        parts += ["-X", exchange.method]
    for name, value in exchange.request_headers:
        lname = name.lower()
        if lname in _SKIP:
            continue
        if lname == "authorization":
            if token is not None:
                parts += ["-H", shlex.quote(f"Authorization: JWT {token}")]
            else:
                parts += ["-H", '"Authorization: JWT $EDXTUI_TOKEN"']
            continue
        if lname == "accept" and value == "*/*":
            continue  # curl's default
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if exchange.request_body:
        pairs = parse_qsl(exchange.request_body.decode("utf-8", "replace"), keep_blank_values=True)
        for key, value in pairs:
            if key == "client_secret":
                parts += ["--data-urlencode", '"client_secret=$EDXTUI_CLIENT_SECRET"']
            else:
                parts += ["--data-urlencode", shlex.quote(f"{key}={value}")]
    parts.append(shlex.quote(exchange.url))
    return " ".join(parts)
