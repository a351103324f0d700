"""The Session: one httpx.AsyncClient, the TokenManager and the exchange log.

    async with Session(credentials) as session:
        data, exchange = await session.get_json("catalogs/")

Everything goes through the one client (created inside the running loop on enter, closed
on exit): the token POST (without auth, never following redirects so the secret cannot
be re-sent elsewhere) and every API GET (with JWTAuth, following redirects; httpx drops
Authorization when a redirect leaves the origin). Each request on the wire, retries and
the retry after a 401 included, is recorded in `session.log` by the client's event hooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from edxtui import __version__
from edxtui.api import jsonbody
from edxtui.api.auth import JWTAuth
from edxtui.api.bounds import ACCEPT_ENCODING, Bounds, read_body
from edxtui.api.budget import RequestBudget
from edxtui.api.client_settings import no_cookies, tls_context
from edxtui.api.credentials import Credentials, check_credentials
from edxtui.api.errors import (
    ConfigError,
    DeadlineError,
    EdxError,
    ResponseFormatError,
    api_error,
    transport_error,
)
from edxtui.api.exchange import COMPRESS_OVER, Exchange, ExchangeLog, compress_body
from edxtui.api.redaction import (
    credential_of,
    redact_form,
    redact_headers,
    redact_token_body,
    response_secrets,
    scrub,
    shown,
)
from edxtui.api.retry import RetryPolicy
from edxtui.api.tokens import TokenManager, fingerprint
from edxtui.api.urls import check_same_origin, upgrade_link
from edxtui.textsafe import visible

log = logging.getLogger("edxtui.api")

# connect and read bounded; waiting for a free pooled connection is not (each request
# ahead in the queue is itself bounded, so the queue always drains). A GET may wait long
# for its first byte: a big discovery's cold page takes well over 10 s (API.md); the
# overall deadline (bounds.py) still bounds it, and a read timeout on a GET is retried once.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0, read=60.0, pool=None)
USER_AGENT = f"edxtui/{__version__}"
_CALL = "edxtui_call"  # request extension: the logical call a wire request belongs to
_EXCHANGE = "edxtui_exchange"  # response extension: its Exchange

#: query parameters: a mapping, or (key, value) pairs where a key may repeat (`--param`)
Params = Mapping[str, Any] | list[tuple[str, Any]]


# --- the client's settings ---------------------------------------------------------------


def _failed_url(exc: httpx.HTTPError, fallback: str) -> object:
    """The URL that failed (after a redirect, not the one first asked for)."""
    try:
        return exc.request.url
    except RuntimeError:  # httpx raises when the exception carries no request
        return fallback


# --- the session ---------------------------------------------------------------------------


@dataclass
class _Call:
    """One logical request (a GET or a token POST) across its retries, 401 retry, redirects."""

    kind: str
    attempts: int = 0
    current: httpx.Request | None = None  # the request of this attempt (not a redirect hop)
    pending: Exchange | None = None
    t0: float = 0.0


class Session:
    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        log: ExchangeLog | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits | None = None,
        bounds: Bounds | None = None,
    ) -> None:
        api_root = check_credentials(credentials)
        self.credentials = credentials
        self.log = log if log is not None else ExchangeLog()
        self.retry = retry or RetryPolicy()
        self._timeout = timeout
        self._transport = transport
        self._limits = limits or httpx.Limits(max_connections=20, max_keepalive_connections=20)
        self.bounds = bounds or Bounds()
        # API requests in flight at most as many as the pool has connections: a request gets
        # its token only once it holds a slot, so none waits for a connection holding a token
        # that expires meanwhile (the token POST takes no slot: the holders may wait for it)
        self._slots: asyncio.Semaphore | None = None
        self._clock = clock
        self._sleep = sleep
        #: requests sent in the last hour and the server's last throttle verdict (budget.py)
        self.budget = RequestBudget(clock)
        self._root = httpx.URL(api_root)
        self._client: httpx.AsyncClient | None = None
        self._compressing: set[asyncio.Future[bytes | None]] = set()  # see _compress_later
        self.tokens = TokenManager(self._post_token, clock=clock, monotonic=monotonic, sleep=sleep)
        self._auth = JWTAuth(self.tokens)

    def __repr__(self) -> str:
        return f"<Session {visible(self.credentials.api_root)}>"

    async def __aenter__(self) -> Session:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Create the one AsyncClient (inside the running loop)."""
        if self._client is not None:
            return
        self._client = httpx.AsyncClient(
            verify=tls_context(self.credentials),
            timeout=self._timeout,
            limits=self._limits,
            transport=self._transport,
            # only the codings edxtui decodes with a bound (bounds.read_body)
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
            cookies=no_cookies(),
            event_hooks={"request": [self._on_request], "response": [self._on_response]},
        )
        if self._limits.max_connections is not None:
            self._slots = asyncio.Semaphore(self._limits.max_connections)

    async def aclose(self) -> None:
        await self.tokens.aclose()
        await self.compressed()  # no worker thread outlives the session
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("the session is not open: use `async with Session(...)`")
        return self._client

    # -- URLs -----------------------------------------------------------------------------

    def resolve(self, path_or_url: str) -> str:
        """An absolute URL under the API root's origin; OriginError for any other origin."""
        try:
            url = self._root.join(path_or_url)
        except (httpx.InvalidURL, TypeError):
            raise ConfigError(
                f"not a valid path or URL: {visible(str(path_or_url))[:200]!r}",
                "give a path under the API root (e.g. catalogs/) or a URL on the same server",
            ) from None
        check_same_origin(url, self._root)
        return str(url)

    def link(self, url: str) -> str:
        """A next/previous link as it is followed: `http` to the https API root's own
        host becomes https (urls.upgrade_link); the origin check comes after, in resolve."""
        return upgrade_link(url, self._root)

    def secrets(self) -> tuple[str | None, ...]:
        """What a server's text must never show: the live token and the client secret."""
        return (self.tokens.current_token, self.credentials.client_secret)

    # -- requests -------------------------------------------------------------------------

    async def get(
        self,
        path_or_url: str,
        params: Params | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """GET with the token, retries and the 401 refresh; ApiError for an error status."""
        url = self.resolve(path_or_url)
        response = await self._send(
            "GET",
            url,
            kind="api",
            params=params,
            headers=headers,
            auth=self._auth,
            follow_redirects=True,
        )
        if response.status_code >= 400:
            # the server's own figure for the message, not the capped wait we used
            after = (
                self.retry.retry_after(response, capped=False)
                if response.status_code == 429
                else None
            )
            refreshed = any(r.status_code in (401, 403) for r in response.history)
            claims = (self.tokens.state().jwt_claims or {}) if refreshed else {}
            raise api_error(
                response,
                retry_after=after,
                after_refresh=refreshed,
                restricted=claims.get("is_restricted") is True,
            )
        return response

    async def get_json(
        self, path_or_url: str, params: Params | None = None
    ) -> tuple[Any, Exchange | None]:
        """GET and parse JSON; returns (data, the exchange that produced it)."""
        return self.json_of(await self.get(path_or_url, params))

    def json_of(self, response: httpx.Response) -> tuple[Any, Exchange | None]:
        """A response's body parsed as JSON (ResponseFormatError when it is not), and its
        exchange."""
        try:
            data = jsonbody.loads(response.content)
        except (ValueError, RecursionError):
            secrets = response_secrets(response)  # scrubbed before the cut, as everywhere
            ctype = shown(response.headers.get("content-type", "no content type"), secrets, 80)
            raise ResponseFormatError(
                f"the API answered {response.status_code} with a body that is not JSON "
                f"({ctype}, {len(response.content)} bytes) from "
                f"{shown(str(response.url), secrets, 200)}",
                "check that the API root points at the catalog API (…/api/v1/ or …/catalog/v1/)",
            ) from None
        return data, self.exchange_for(response)

    def exchange_for(self, response: httpx.Response) -> Exchange | None:
        """The exchange-log entry of a response this session received."""
        return response.extensions.get(_EXCHANGE)

    async def _post_token(self) -> httpx.Response:
        """The client-credentials POST (TokenManager calls this; it parses the answer)."""
        creds = self.credentials
        form = {
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "token_type": "jwt",
        }
        return await self._send(
            "POST",
            creds.token_url,
            kind="token",
            data=form,
            headers={"X-Token-Type": "jwt", "Accept": "application/json"},
            auth=None,
            follow_redirects=False,
        )

    async def _send(
        self,
        method: str,
        url: str,
        *,
        kind: str,
        auth: httpx.Auth | None,
        follow_redirects: bool,
        params: Params | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send with retries (RetryPolicy) within the overall deadline; return the last
        response, whatever its status. DeadlineError when the deadline passes first."""
        call = _Call(kind)
        try:
            async with asyncio.timeout(self.bounds.deadline):
                return await self._attempts(
                    call, method, url, auth, follow_redirects, params, data, headers
                )
        except TimeoutError:
            host = httpx.URL(url).host
            error = DeadlineError(
                f"the request to {host} did not finish within {self.bounds.deadline:g} s "
                "(the overall deadline); stopped",
                "the server is slow or sending very slowly; try again, or raise it with "
                "--timeout S (or EDXTUI_TIMEOUT)",
            )
            self._fail_pending(call, error.message)
            raise error from None
        except asyncio.CancelledError:
            self._fail_pending(call, "cancelled before the response arrived")
            raise

    async def _attempts(
        self,
        call: _Call,
        method: str,
        url: str,
        auth: httpx.Auth | None,
        follow_redirects: bool,
        params: Params | None,
        data: dict[str, str] | None,
        headers: dict[str, str] | None,
    ) -> httpx.Response:
        client = self.client
        retry = 0
        while True:
            self.budget.check()  # the server said "not before ...": send nothing until then
            request = client.build_request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                extensions={_CALL: call},
            )
            call.current = request
            slot = self._slots if call.kind == "api" else None
            try:
                async with slot or contextlib.nullcontext():
                    response = await client.send(
                        request,
                        auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                        follow_redirects=follow_redirects,
                    )
            except httpx.HTTPError as exc:
                error = transport_error(exc, _failed_url(exc, url))
                self._fail_pending(call, error.message)
                retry += 1
                delay = self.retry.delay_for_error(exc, retry, method=method)
                if delay is None:
                    raise error from None
            else:
                if response.status_code == 429:  # a wait past the cap ends the work at once
                    self.budget.throttled(
                        429,
                        token=call.kind == "token",
                        wait=self.retry.retry_after(response, capped=False),
                        cap=self.retry.give_up_after,
                    )
                retry += 1
                delay = self.retry.delay_for_response(response, retry)
                if delay is None:
                    return response
            log.debug("retrying %s %s in %.1f s (retry %d)", method, url, delay, retry)
            await self._sleep(delay)

    # -- the exchange log (client event hooks) ----------------------------------------------

    async def _on_request(self, request: httpx.Request) -> None:
        call = request.extensions.get(_CALL)
        if not isinstance(call, _Call):
            return
        self.budget.sent()
        if request is call.current or call.attempts == 0:
            call.attempts += 1  # a new try, or the auth flow's retry; a redirect hop is not
        # edxtui only sends in-memory bodies (the token form); a redirect's copy is unread
        body = b"".join(request.stream) if isinstance(request.stream, httpx.ByteStream) else b""
        if call.kind == "token":
            body = redact_form(body)
        sent = credential_of(request.headers.get("authorization"))
        call.pending = Exchange(
            id=self.log.next_id(),
            kind=call.kind,
            method=request.method,
            url=str(request.url),
            request_headers=redact_headers(request.headers.multi_items()),
            request_body=body,
            started_at=self._clock(),
            attempt=call.attempts,
            token_id=fingerprint(sent) if sent else None,
        )
        call.t0 = time.monotonic()

    async def _on_response(self, response: httpx.Response) -> None:
        call = response.request.extensions.get(_CALL)
        if not isinstance(call, _Call) or call.pending is None:
            return
        try:
            # streamed, decoded and counted here, against the cap (bounds.read_body); httpx's
            # own read then finds the body in place and reads nothing more
            response._content = await read_body(response, self.bounds.max_body_bytes)
        except httpx.HTTPError as exc:
            self._fail_pending(call, transport_error(exc, response.request.url).message)
            raise
        except EdxError as exc:
            self._fail_pending(call, exc.message)
            raise
        # Read and closed: swap httpx's stream, which points back at the response, for the
        # bytes. That cycle left each response (and its body) to the cyclic GC, which the TUI
        # holds off while big lists load: 100 pages of the tree kept ~80 MB of dead bodies.
        response.stream = httpx.ByteStream(response.content)
        exchange, call.pending = call.pending, None
        exchange.elapsed = time.monotonic() - call.t0
        body = response.content
        exchange.status = response.status_code
        exchange.reason = response.reason_phrase
        exchange.http_version = response.http_version
        # a server that echoes the request (a debug page, a misconfigured proxy) must not
        # put the token into the log: scrub the one this request carried
        sent = credential_of(response.request.headers.get("authorization"))
        exchange.response_headers = redact_headers(response.headers.multi_items(), [sent])
        body = redact_token_body(body) if call.kind == "token" else scrub(body, [sent])
        exchange.set_body(body, None)
        response.extensions[_EXCHANGE] = exchange
        self.log.add(exchange)
        if len(body) > COMPRESS_OVER:
            self._compress_later(exchange, body)
        log.debug(
            "%s %s -> %s (%d bytes, %.3f s, attempt %d)",
            exchange.method,
            exchange.url,
            exchange.status,
            exchange.size,
            exchange.elapsed,
            exchange.attempt,
        )

    def _compress_later(self, exchange: Exchange, body: bytes) -> None:
        """Have a worker thread compress a big body; the exchange holds it so once done.

        The tree keeps every page it shows, so big bodies are held compressed. zlib releases
        the GIL, so in a thread a big page's compression costs the event loop nothing; and
        not awaiting it here keeps that time off the response's way to its caller.
        """
        future = asyncio.get_running_loop().run_in_executor(None, compress_body, body)
        self._compressing.add(future)

        def done(future: asyncio.Future[bytes | None]) -> None:
            self._compressing.discard(future)
            if not future.cancelled() and future.exception() is None:
                exchange.hold_compressed(body, future.result())

        future.add_done_callback(done)

    async def compressed(self) -> None:
        """Wait until the bodies being compressed in the background are held compressed."""
        while self._compressing:
            await asyncio.gather(*self._compressing, return_exceptions=True)

    def _fail_pending(self, call: _Call, message: str) -> None:
        exchange, call.pending = call.pending, None
        if exchange is None:
            return
        exchange.error = message
        exchange.elapsed = time.monotonic() - call.t0
        self.log.add(exchange)
        log.debug("%s %s failed: %s", exchange.method, exchange.url, message)

    # -- copy as curl -------------------------------------------------------------------------

    def curl(self, exchange: Exchange, reveal_token: bool = False) -> str:
        """The exchange's request as a curl command line (curl.as_curl): the live token
        written out only with `reveal_token`, else read from $EDXTUI_TOKEN."""
        from edxtui.api.curl import as_curl  # on demand: shlex and all, off the launch's path

        return as_curl(exchange, self.tokens.current_token if reveal_token else None)
