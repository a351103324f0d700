"""The errors a person can meet, each with what happened and what to do next.

Every error edxtui raises on purpose is an `EdxError`. Its `message` says what happened
and its `hint` says what to do; `str(err)` joins them in at most two lines. Messages
never contain a secret or a token: they are shown on screen, printed by the CLI and
kept in the exchange log.
"""

from __future__ import annotations

from collections.abc import Iterable


class EdxError(Exception):
    """Base class: a failure with a one-line message and a one-line hint."""

    #: exit code for the CLI: 1 for HTTP and auth errors, 2 for usage and configuration
    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class ConfigError(EdxError):
    """A profile, flag or environment variable is missing or wrong."""

    exit_code = 2


class TransportError(EdxError):
    """The request did not get an HTTP response: DNS, refused, TLS, timeout, dropped."""


class DeadlineError(TransportError):
    """A request (retries included) did not finish within its overall deadline."""


class BodyTooLargeError(EdxError):
    """A response body passed the size cap (counted after decompression)."""


class AuthError(EdxError):
    """The token endpoint refused or returned something unusable.

    `permanent` errors (invalid_client, unsupported_grant_type, ...) are never retried:
    they need a person to fix the client id, secret or token URL.
    """

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        oauth_error: str | None = None,
        status: int | None = None,
        permanent: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.oauth_error = oauth_error
        self.status = status
        self.permanent = permanent
        self.retry_after = retry_after  # seconds the server asked us to wait, if it said


class ApiError(EdxError):
    """The API answered with an HTTP error status (after retries and the 401 refresh)."""

    def __init__(
        self, message: str, hint: str = "", *, status: int, url: str, detail: str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.url = url
        self.detail = detail
        #: the token was refused after a refresh and its JWT says is_restricted
        self.restricted = False


class ThrottledError(EdxError):
    """The server throttles this client for longer than edxtui waits (RetryPolicy's
    retry_after_cap): the work stopped at once and sends nothing more until `retry_at`.

    `retry_at` is the wall-clock time (time.time()) the server allows requests again;
    `status` the answer that said so (429, or the token endpoint's 403 page); `token` is
    True when the token endpoint, not the API, said it."""

    def __init__(
        self, message: str, hint: str = "", *, retry_at: float, status: int, token: bool = False
    ) -> None:
        super().__init__(message, hint)
        self.retry_at = retry_at
        self.status = status
        self.token = token


def until_text(retry_at: float, now: float) -> str:
    """When a wait ends, in local time and from now: "14:32 (in 47 min)"."""
    import time

    left = max(0.0, retry_at - now)
    wait = f"{left / 60:.0f} min" if left >= 90 else f"{left:.0f} s"
    return f"{time.strftime('%H:%M', time.localtime(retry_at))} (in {wait})"


def throttled_error(retry_at: float, now: float, *, status: int, token: bool) -> ThrottledError:
    """A ThrottledError saying "throttled: the server allows more requests at 14:32 (in 47
    min)", in local time."""
    where = "the token endpoint" if token else "the server"
    return ThrottledError(
        f"throttled: {where} allows more requests at {until_text(retry_at, now)}",
        "this client has spent its request budget; come back then (nothing more was sent)",
        retry_at=retry_at,
        status=status,
        token=token,
    )


class ResponseFormatError(EdxError):
    """The server answered 2xx but the body is not what the contract says (not JSON, cut short)."""


class OriginError(EdxError):
    """A link (pagination `next`, a URL argument) points to another origin than the API root.

    The token is only ever sent to the API root's origin.
    """


# --- turning what httpx reports into the errors above -------------------------------------

_DETAIL_LIMIT = 200


def _short(text: str, limit: int = _DETAIL_LIMIT, secrets: Iterable[str | None] = ()) -> str:
    from edxtui.api.redaction import shown

    return shown(text, secrets, limit)  # secrets scrubbed before the cut, never after


def _host(url: object) -> str:
    import httpx

    try:
        parsed = httpx.URL(str(url))
    except Exception:  # an unparsable URL: show nothing rather than crash
        return "the server"
    port = f":{parsed.port}" if parsed.port else ""
    return _short(f"{parsed.host}{port}", 100)


def transport_error(exc: Exception, url: object) -> TransportError:
    """A person-readable TransportError for an httpx failure that got no (complete) response."""
    import httpx

    host = _host(url)
    if isinstance(exc, httpx.ConnectTimeout):
        return TransportError(
            f"timed out connecting to {host}",
            "check the URL and your network; the server may be down or firewalled",
        )
    if isinstance(exc, httpx.ConnectError):
        if is_tls_error(exc):
            return TransportError(
                f"the TLS connection to {host} failed (certificate or handshake)",
                "check the URL's host name and the system's CA certificates (SSL_CERT_FILE)",
            )
        if is_name_error(exc):
            return TransportError(
                f"the host name {host} does not resolve",
                "check the URL for typos and your DNS or network connection",
            )
        if "refused" in str(exc).lower() or any(
            isinstance(e, ConnectionRefusedError) for e in exception_chain(exc)
        ):
            return TransportError(
                f"connection refused by {host}",
                "the server is not running or not listening on that port; check the URL",
            )
        return TransportError(f"could not connect to {host}", "check the URL and your network")
    if isinstance(exc, httpx.PoolTimeout):
        return TransportError(
            f"no free connection to {host} in time (too many requests at once)",
            "lower the concurrency, or try again",
        )
    if isinstance(exc, httpx.TimeoutException):
        return TransportError(
            f"{host} did not answer in time",
            "the server is slow or stuck; try again later or raise the read timeout",
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc).lower()
        if "without sending a response" in text or "disconnected" in text:
            return TransportError(
                f"{host} closed the connection without answering",
                "the server or a proxy dropped the request; try again",
            )
        if "incomplete" in text or "complete message body" in text:
            return TransportError(
                f"{host} closed the connection before the response was complete",
                "the response was cut short; try again",
            )
        return TransportError(f"{host} sent a malformed HTTP response", "try again later")
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.NetworkError):
        return TransportError(f"the connection to {host} dropped during the request", "try again")
    if isinstance(exc, httpx.TooManyRedirects):
        return TransportError(f"too many redirects from {host}", "check the URL")
    if isinstance(exc, httpx.DecodingError):
        return TransportError(f"{host} sent a body that could not be decoded", "try again later")
    return TransportError(f"the request to {host} failed ({type(exc).__name__})", "try again")


def is_tls_error(exc: BaseException) -> bool:
    import ssl

    return any(
        isinstance(e, ssl.SSLError) for e in exception_chain(exc)
    ) or "CERTIFICATE_VERIFY" in str(exc)


def is_name_error(exc: BaseException) -> bool:
    import socket

    if any(isinstance(e, socket.gaierror) for e in exception_chain(exc)):
        return True
    text = " ".join(str(e) for e in exception_chain(exc)).lower()
    return any(
        s in text
        for s in (
            "name or service not known",
            "nodename nor servname",
            "name resolution",
            "getaddrinfo failed",
            "no address associated",
        )
    )


def exception_chain(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions it was raised from or during, outermost first, each once."""
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in out:
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def json_detail(body: bytes, secrets: Iterable[str | None] = ()) -> str | None:
    """The `detail` (DRF), `message` (the api.edx.org gateway) or OAuth `error_description`/
    `error` of a JSON error body, made visible,
    with `secrets` (the request's token, say) scrubbed before it is cut short."""
    import json

    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    for key in ("detail", "message", "error_description", "error"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return _short(value, secrets=secrets)
    return None


_STATUS_HINTS = {
    400: "the server rejected the request's parameters; check the path and query",
    401: "check the client id and secret; the token may have been revoked",
    403: "this client has no permission on this resource",
    404: "not found, or not available on this server (the edX.org gateway exposes only catalogs)",
    405: "this resource does not accept that method",
    500: "the server failed; try again later or report it to the server's operators",
    502: "a gateway in front of the API failed; try again later",
    503: "the API is unavailable right now; try again later",
    504: "a gateway in front of the API timed out; try again later",
}


def api_error(
    response: object,
    *,
    retry_after: float | None = None,
    after_refresh: bool = False,
    restricted: bool = False,
) -> ApiError:
    """An ApiError for an HTTP error status, with the server's `detail` when it is JSON."""
    import httpx

    assert isinstance(response, httpx.Response)
    from edxtui.api.redaction import response_secrets

    status = response.status_code
    url = str(response.request.url) if response.request is not None else ""
    sent = response_secrets(response)  # the token(s) it carried, to scrub from its text
    detail = json_detail(response.content, sent)
    reason = _short(response.reason_phrase or "", 100, sent)
    head = f"HTTP {status}{' ' + reason if reason else ''} from {_short(url, 300, sent)}"
    message = f"{head}: {detail}" if detail else head
    if status == 429:
        hint = (
            f"the API is throttling this client; retry after {retry_after:.0f} s"
            if retry_after is not None
            else "the API is throttling this client; wait a minute and retry"
        )
    elif status == 403 and detail == "Missing Authentication Token":
        hint = (
            "the edX.org gateway answers this for every path it does not expose "
            "(only catalogs/, catalogs/ID/, catalogs/ID/courses/)"
        )
    else:
        hint = _STATUS_HINTS.get(status, "")
    if status in (401, 403) and after_refresh:
        message = f"the API refused a freshly fetched token too ({head})" + (
            f": {detail}" if detail else ""
        )
    if status in (401, 403) and after_refresh and restricted:
        message = f"the API refused this restricted application's token ({head})" + (
            f": {detail}" if detail else ""
        )
        hint = (
            "its token says is_restricted: ask the edX/Open edX operator for an unrestricted "
            "application, or one with the catalog API's scopes"
        )
    error = ApiError(message, hint, status=status, url=url, detail=detail)
    error.restricted = restricted and after_refresh
    return error
