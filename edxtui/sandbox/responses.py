"""Response shapes: DRF-style JSON, Django/nginx HTML pages, and the broken ones faults need.

The broken responses (a dropped connection, a body shorter than its Content-Length) cannot be
said in plain ASGI, so they reach uvicorn's connection through the `send` callable the outermost
middleware saved in the scope (`RAW_SEND`). Only the sandbox does this, only on purpose.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from edxtui.sandbox.faults import Rule
from edxtui.sandbox.render import render_json

RAW_SEND = "edxtui.sandbox.raw_send"
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
API_HEADERS = {"Allow": "GET, HEAD, OPTIONS", "Vary": "Accept"}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None, *, raw: bytes | None = None
) -> Response:
    body = raw if raw is not None else render_json(data)
    return Response(body, status, headers=headers, media_type=JSON_TYPE)


def detail(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"detail": text}, status, headers)


# DRF's content negotiation: discovery renders JSON and its browsable HTML, nothing else;
# even its CSV action (which writes its own text/csv response) needs an Accept that matches
# one of those, or */* (API.md: "Content negotiation runs first").
RENDERED_TYPES = ("application/json", "text/html")
NOT_ACCEPTABLE = "Could not satisfy the request Accept header."


def acceptable(accept: str | None) -> bool:
    """Whether an Accept header lets DRF pick a renderer (no header means */*)."""
    if not accept or not accept.strip():
        return True
    for item in accept.split(","):
        main, _, sub = item.split(";", 1)[0].strip().lower().partition("/")
        if main == "*" and sub in ("*", ""):
            return True
        for rendered in RENDERED_TYPES:
            rendered_main, rendered_sub = rendered.split("/")
            if main == rendered_main and sub in ("*", rendered_sub):
                return True
    return False


def _django_page(status: int, title: str) -> str:
    return (
        f'<!doctype html>\n<html lang="en">\n<head>\n  <title>{title}</title>\n</head>\n'
        f"<body>\n  <h1>{title}</h1><p></p>\n</body>\n</html>\n"
    )


def _nginx_page(status: int, reason: str) -> str:
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def html_not_found() -> Response:
    """Django's 404 page for a URL no view answers (no JSON, no auth check)."""
    return Response(
        _django_page(404, "Not Found").replace(
            "<p></p>", "<p>The requested resource was not found on this server.</p>"
        ),
        404,
        media_type=HTML_TYPE,
    )


def server_error(status: int) -> Response:
    """What a 5xx looks like in production: Django's 500 page, nginx's 502/503/504 pages."""
    if status == 500:
        body = _django_page(500, "Server Error (500)")
    else:
        reasons = {
            502: "Bad Gateway",
            503: "Service Temporarily Unavailable",
            504: "Gateway Time-out",
        }
        body = _nginx_page(status, reasons.get(status, "Error"))
    return Response(body, status, media_type=HTML_TYPE)


def throttled(retry_after: int | None) -> Response:
    """DRF's 429; real servers sometimes omit Retry-After, and then the message has no number."""
    if retry_after is None:
        return detail(429, "Request was throttled.")
    unit = "second" if retry_after == 1 else "seconds"
    return detail(
        429,
        f"Request was throttled. Expected available in {retry_after} {unit}.",
        {"Retry-After": str(retry_after)},
    )


def token_throttled() -> Response:
    """django-ratelimit on the token endpoint: a 403 HTML page, not JSON."""
    return Response(_django_page(403, "403 Forbidden"), 403, media_type=HTML_TYPE)


def not_json() -> Response:
    """A proxy's maintenance page served as 200 and labelled JSON: the client must not trust it."""
    body = "<html><body><h1>We'll be back soon!</h1><p>Scheduled maintenance.</p></body></html>"
    return Response(body, 200, media_type=JSON_TYPE)


def _transport(scope: Scope) -> Any:
    raw_send = scope.get(RAW_SEND)
    cycle = getattr(raw_send, "__self__", None)
    return cycle, getattr(cycle, "transport", None)


async def _close(scope: Scope) -> None:
    cycle, transport = _transport(scope)
    if transport is None:  # not uvicorn's h11/httptools: fail loudly rather than lie
        raise RuntimeError("the sandbox's broken-response faults need uvicorn")
    transport.close()
    # Let uvicorn see the disconnect before we return, so it does not write a 500 of its own.
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0.001)


class DropConnection(Response):
    """Close the connection without sending a byte of response."""

    def __init__(self, *, body_read: bool) -> None:
        super().__init__(b"", 200)
        self.body_read = body_read

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Read the request body first: closing a socket with unread data makes the kernel send a
        # reset instead of a clean close, and the client would see "connection reset" at random.
        # (Not if the endpoint read it already: receive() would then wait for a disconnect.)
        while not self.body_read:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        await _close(scope)


class ShortBody(Response):
    """Headers promising the whole body, half of it, then the connection closes."""

    def __init__(self, original: Response) -> None:
        super().__init__(b"", original.status_code)
        self.original = original

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.original.body
        await send(
            {"type": "http.response.start", "status": self.original.status_code,
             "headers": self.original.raw_headers}
        )  # fmt: skip
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        await _close(scope)


def truncated(original: Response, rule: Rule) -> Response:
    if rule.mode == "json":
        body = original.body[: len(original.body) // 2]
        headers = {k: v for k, v in original.headers.items() if k.lower() != "content-length"}
        return Response(body, original.status_code, headers=headers)
    return ShortBody(original)


def fault_response(name: str, rule: Rule, *, body_read: bool = False) -> Response | None:
    """The response for a fault that replaces the real one (None: the fault wraps the real one).
    `body_read`: the endpoint has consumed the request body already."""
    if name == "drop":
        return DropConnection(body_read=body_read)
    if name == "errors":
        return server_error(rule.status)
    if name == "rate_limit":
        return throttled(rule.retry_after)
    if name == "token_throttle":
        return token_throttled()
    if name == "not_json":
        return not_json()
    return None
