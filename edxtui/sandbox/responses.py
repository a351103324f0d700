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


# DRF's content negotiation (rest_framework/negotiation.py DefaultContentNegotiation, with
# utils/mediatypes.py): discovery keeps DRF's default renderers, JSON ("json") and the
# browsable API (text/html, "api"). Its CSV action writes its own text/csv response, but the
# negotiation runs first, so it too needs an Accept one of those can satisfy (API.md).
RENDERERS = (("application", "json", "json"), ("text", "html", "api"))
NOT_ACCEPTABLE = "Could not satisfy the request Accept header."


def _media_type(text: str) -> tuple[str, str, dict[str, str]]:
    full, *params = (part.strip() for part in text.split(";"))
    main, _, sub = full.partition("/")
    pairs = (p.partition("=") for p in params if p)
    return main.lower(), sub.lower(), {k.strip().lower(): v.strip() for k, _, v in pairs}


def negotiate(accept: str | None, format_param: str | None = None) -> int | None:
    """None when DRF finds a renderer; else the status: 406, or 404 for a `?format=` no
    renderer has. A missing header means */*; an empty one matches nothing, as in DRF;
    q-values are not weighed (DRF ignores them)."""
    renderers = [r for r in RENDERERS if not format_param or r[2] == format_param]
    if not renderers:
        return 404
    for item in (accept if accept is not None else "*/*").split(","):
        main, sub, _params = _media_type(item.strip())
        for r_main, r_sub, _ in renderers:  # a renderer type without params matches any params
            if (sub == "*" or sub == r_sub) and (main == "*" or main == r_main):
                return None
    return 406


def acceptable(accept: str | None) -> bool:
    """Whether an Accept header lets DRF pick a renderer (no header means */*)."""
    return negotiate(accept) is None


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


def csrf_failure() -> Response:
    """Django's CSRF failure page (django/views/csrf.py, templates/csrf_403.html, DEBUG off, no
    cookie): what a POST to an LMS page that is not the token endpoint gets."""
    return Response(_CSRF_PAGE, 403, media_type=HTML_TYPE)


_CSRF_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>403 Forbidden</title>
  <style>
    html * { padding:0; margin:0; }
    body * { padding:10px 20px; }
    body * * { padding:0; }
    body { font-family: sans-serif; background:#eee; color:#000; }
    body>div { border-bottom:1px solid #ddd; }
    h1 { font-weight:normal; margin-bottom:.4em; }
    h1 span { font-size:60%; color:#666; font-weight:normal; }
    #info { background:#f6f6f6; }
    #info ul { margin: 0.5em 4em; }
    #info p, #summary p { padding-top:10px; }
    #summary { background: #ffc; }
    #explanation { background:#eee; border-bottom: 0px none; }
  </style>
</head>
<body>
<div id="summary">
  <h1>Forbidden <span>(403)</span></h1>
  <p>CSRF verification failed. Request aborted.</p>


  <p>You are seeing this message because this site requires a CSRF cookie when submitting \
forms. This cookie is required for security reasons, to ensure that your browser is not being \
hijacked by third parties.</p>
  <p>If you have configured your browser to disable cookies, please re-enable them, at least \
for this site, or for “same-origin” requests.</p>

</div>

<div id="explanation">
  <p><small>More information is available with DEBUG=True.</small></p>
</div>

</body>
</html>
"""


def waf_block() -> Response:
    """A CDN/WAF block page (AWS CloudFront + WAF's "The request could not be satisfied"):
    403 HTML that is neither Django's nor django-ratelimit's."""
    body = (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
        '"http://www.w3.org/TR/html4/loose.dtd">\n<HTML><HEAD><META HTTP-EQUIV="Content-Type" '
        'CONTENT="text/html; charset=iso-8859-1">\n<TITLE>ERROR: The request could not be '
        "satisfied</TITLE>\n</HEAD><BODY>\n<H1>403 ERROR</H1>\n<H2>The request could not be "
        'satisfied.</H2>\n<HR noshade size="1px">\nRequest blocked.\nWe can\'t connect to the '
        "server for this app or website at this time. There might be too much traffic or a "
        "configuration error. Try again later, or contact the app or website owner.\n"
        '<BR clear="all">\n<HR noshade size="1px">\n<PRE>\nGenerated by cloudfront (CloudFront)'
        "\n</PRE>\n<ADDRESS>\n</ADDRESS>\n</BODY></HTML>"
    )
    return Response(body, 403, media_type="text/html", headers={"X-Cache": "Error from cloudfront"})


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
    if name == "csrf_failure":
        return csrf_failure()
    if name == "waf_block":
        return waf_block()
    return None
