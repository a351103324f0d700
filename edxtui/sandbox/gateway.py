"""api.edx.org's AWS API Gateway in front of discovery (the `gateway` switch), from its spec:
edx/api-manager swagger/api.yaml routes `/catalog/v1/catalogs`, `/catalog/v1/catalogs/{id}`
and `/catalog/v1/catalogs/{id}/courses` to course-discovery's api.yaml integrations, which
forward only the Authorization header and the path id, map upstream statuses 200, 401, 403,
404, 429 and 500 through and every other to 400 (`default: statusCode: "400"`), and map no
response headers (so Retry-After and WWW-Authenticate do not reach the client). Anything
else is API Gateway's own 403 `{"message": "Missing Authentication Token"}`.

The spec was not observed live, so whether the query string really is dropped is a second
switch, `gateway_drops_query`: then every page comes back as the first, and its `next` is
built by discovery from its own host (UPSTREAM).
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edxtui.sandbox.faults import Counters
from edxtui.sandbox.render import render_json
from edxtui.sandbox.switches import Switches

ROOT = "/catalog/v1/"
UPSTREAM = "https://discovery.edx.org"  # stageVariables.discovery_host on edx.org
#: scope key: the origin and API root discovery builds its links from, behind the gateway
UPSTREAM_ROOT = "edxtui.sandbox.upstream_root"
_ROUTES = [re.compile(p) for p in (r"catalogs/?", r"catalogs/[^/]+/?", r"catalogs/[^/]+/courses/?")]
_PASSED = frozenset({200, 401, 403, 404, 429, 500})
_STRIPPED = frozenset({b"retry-after", b"www-authenticate"})


def applies(switches: Switches, scope: Scope) -> bool:
    return switches.gateway and scope["type"] == "http" and scope["path"].startswith(ROOT)


async def serve(
    app: ASGIApp, switches: Switches, counters: Counters, scope: Scope, receive: Receive, send: Send
) -> None:
    """Answer as the gateway: its own 403, or discovery's answer (`app`) mapped."""
    rest = scope["path"][len(ROOT) :]
    if scope["method"] != "GET" or not any(p.fullmatch(rest) for p in _ROUTES):
        counters.bump(api_requests=1)
        counters.count_path(scope["path"])
        await _message(
            send, 403, "Missing Authentication Token", "MissingAuthenticationTokenException"
        )
        return
    path = scope["path"] if scope["path"].endswith("/") else scope["path"] + "/"
    upstream = {**scope, "path": path, "raw_path": path.encode()}
    if switches.gateway_drops_query:
        upstream.update({"query_string": b"", UPSTREAM_ROOT: UPSTREAM + "/api/v1/"})

    async def mapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            status = message["status"] if message["status"] in _PASSED else 400
            headers = [(k, v) for k, v in message["headers"] if k.lower() not in _STRIPPED]
            message = {**message, "status": status, "headers": headers}
        await send(message)

    await app(upstream, receive, mapped)


async def _message(send: Send, status: int, text: str, error_type: str) -> None:
    """API Gateway's own error: `{"message": ...}`, never DRF's `detail`."""
    body = render_json({"message": text})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-amzn-errortype", error_type.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
