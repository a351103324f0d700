"""The sandbox ASGI app: the edX.org gateway and an Open edX instance side by side.

Layouts (API.md): the gateway serves `POST /oauth2/v1/access_token` and `GET /catalog/v1/`
catalogs, catalog detail and catalog courses only; Open edX serves `POST /oauth2/access_token[/]`
and every resource under `/api/v1/`. `/_sandbox/...` is the control API for tests and the CLI.
Every API request goes: count -> gate -> latency -> check the token -> fault? -> auth -> handler.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from edxtui.sandbox import control, gateway, grant, hostile, legacy, search
from edxtui.sandbox.config import CLIENTS, SandboxClient, SandboxConfig
from edxtui.sandbox.data import SandboxData
from edxtui.sandbox.deployment import (
    RateThrottle,
    ResponseCache,
    ascii_json,
    drf_throttled,
    http_scheme,
    not_found,
    page_key,
    routes_to_view,
)
from edxtui.sandbox.faults import Counters, Faults
from edxtui.sandbox.pagination import InvalidPage, Window, paginate
from edxtui.sandbox.render import render_json
from edxtui.sandbox.responses import (
    API_HEADERS,
    NOT_ACCEPTABLE,
    RAW_SEND,
    csrf_failure,
    detail,
    fault_response,
    html_not_found,
    json_response,
    negotiate,
    truncated,
)
from edxtui.sandbox.tokens import TokenAuthority, Verdict

FORBIDDEN = "You do not have permission to perform this action."
Handler = Callable[[Request, SandboxClient], Awaitable[Response]]


def _page_body(count: int, window: Window, items: list[bytes]) -> bytes:
    """The pagination envelope around already-rendered items (a page costs a join, not a dump)."""
    head = render_json({"count": count, "next": window.next, "previous": window.previous})
    return head[:-1] + b',"results":[' + b",".join(items) + b"]}"


class SandboxApp:
    """State (data, faults, counters, signing key) plus the routes that use it."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        faults: Faults | None = None,
        counters: Counters | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.data = SandboxData(
            self.config.seed,
            self.config.courses,
            self.config.large_catalog_courses,
            self.config.cached_courses,
        )
        self.faults = faults or Faults(expires_in=self.config.expires_in, **self.config.faults)
        self.counters = counters or Counters()
        self.authority = TokenAuthority(CLIENTS)
        self.throttle = RateThrottle()  # its `timer` is the clock a test may replace
        self.response_cache = ResponseCache()
        self.starlette = Starlette(
            routes=self._routes(),
            exception_handlers={HTTPException: self._http_exception},
        )
        self.starlette.router.redirect_slashes = False  # Django's APPEND_SLASH instead (below)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[RAW_SEND] = send  # uvicorn's own send: faults that break the connection use it
        if gateway.applies(self.faults.switches, scope):
            await gateway.serve(
                self.starlette, self.faults.switches, self.counters, scope, receive, send
            )
            return
        await self.starlette(scope, receive, send)

    # --- routing ------------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

        def api(path: str, handler: Handler) -> Route:
            async def endpoint(request: Request) -> Response:
                return await self._api(request, handler)

            return Route(path, endpoint, methods=methods)

        shared = [
            ("catalogs/", self.catalogs),
            ("catalogs/{id}/", self.catalog),
            ("catalogs/{id}/courses/", self.catalog_courses),
        ]
        openedx_only = [
            ("catalogs/{id}/contains/", self.catalog_contains),
            ("catalogs/{id}/csv/", self.catalog_csv),
            ("courses/", self.courses),
            ("courses/{key:path}/", self.course),  # old-style keys have slashes
            ("course_runs/", self.course_runs),
            ("course_runs/{key:path}/", self.course_run),
            ("programs/", self.programs),
            ("programs/{uuid}/", self.program),
            ("organizations/", self.organizations),
            ("organizations/{uuid}/", self.organization),
            ("search/{kind}/", self.search_results),  # with the `search` switch (search.py)
        ]
        routes = [api("/catalog/v1/" + p, h) for p, h in shared]
        routes += [api("/api/v1/" + p, h) for p, h in shared + openedx_only]
        routes += [
            Route("/oauth2/v1/access_token", self.token, methods=["POST"]),
            Route("/oauth2/access_token", self.token, methods=["POST"]),
            Route("/oauth2/access_token/", self.token, methods=["POST"]),
            # LMS pages that are not the token endpoint: a mistyped token URL lands on one.
            Route("/", self.lms_page, methods=["POST"]),
            Route("/login", self.lms_page, methods=["POST"]),
            *control.routes(self.faults, self.counters),
        ]
        return routes

    async def _http_exception(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            # Django's APPEND_SLASH: a GET to a known path without its slash is a 301.
            path = request.url.path
            if request.method in ("GET", "HEAD") and not path.endswith("/"):
                probe = {**request.scope, "path": path + "/"}
                if any(r.matches(probe)[0] == Match.FULL for r in self.starlette.routes):
                    target = request.url.replace(path=path + "/")
                    return RedirectResponse(str(target), status_code=301)
            return html_not_found()
        return Response(exc.detail, exc.status_code, headers=exc.headers)

    # --- the API pipeline ---------------------------------------------------------------------

    async def _api(self, request: Request, handler: Handler) -> Response:
        counters, faults = self.counters, self.faults
        counters.bump(api_requests=1)
        counters.count_path(request.url.path)
        counters.enter()
        try:
            await self._gate("hold_api")
            await self._delay("api_latency")
            if not self._routes_to_view(request):  # Django's URL pattern fails: no view at all
                return html_not_found()
            verdict = self.authority.verify(
                request.headers.get("authorization"),
                now=faults.now(),
                generation=faults.token_generation,
            )
            if verdict.expired:
                counters.bump(expired_token_requests=1)
            if verdict.invalid:
                counters.bump(invalid_token_requests=1)
            fault = faults.take("api")
            if fault is not None:
                counters.bump(faults_applied=1)
                replacement = fault_response(*fault)
                if replacement is not None:
                    return replacement
            response = await self._authorized(request, handler, verdict)
            if fault is not None:  # the one fault that wraps a real response
                response = await self._truncate(response, fault[1])
            return await hostile.apply(response, faults, counters)
        finally:
            counters.leave()

    async def _delay(self, name: str) -> None:
        """Sleep the named latency, cut short if it is switched off meanwhile (so a reset frees
        held requests at once)."""
        latency = getattr(self.faults, name)
        if latency <= 0:
            return
        deadline = time.monotonic() + latency
        while getattr(self.faults, name) > 0 and (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(left, 0.01))

    async def _gate(self, name: str) -> None:
        """Wait while the named gate is closed (set from another thread, hence the polling)."""
        if self.faults.passes_gate(name):
            return
        self.counters.bump(held=1)
        try:
            while getattr(self.faults, name):
                await asyncio.sleep(0.002)
        finally:
            self.counters.bump(held=-1)

    def _routes_to_view(self, request: Request) -> bool:
        """Django's URL pattern for the lookup in the path (deployment.LOOKUP_PATTERNS)."""
        resource = request.url.path.split("/")[3]  # /api/v1/<resource>/..., /catalog/v1/<...>
        if resource == "search":
            kind = request.path_params["kind"]
            return self.faults.switches.search and kind in search.SEARCH_KINDS
        if not request.path_params:
            return True
        lookup = str(next(iter(request.path_params.values())))
        return routes_to_view(resource, lookup, strict=self.faults.switches.real_404s)

    def _missing(self, resource: str, *, bad_id: bool = False) -> Response:
        return not_found(resource, real=self.faults.switches.real_404s, bad_id=bad_id)

    async def _cold(self, request: Request) -> None:
        """`cold_pages`: the first request for a list page waits before its first byte (a
        response-cache miss); the page is warm once that wait is over or cut short."""
        switches = self.faults.switches
        key = page_key(request.url.path, request.url.query)
        if switches.cold_pages <= 0 or self.response_cache.is_warm(key, switches.epoch):
            return
        self.counters.bump(cold_pages=1)
        seconds = switches.cold_pages
        deadline = time.monotonic() + seconds
        # Any change of the switch (or a reset) ends the wait, so held requests go at once.
        while self.faults.switches is switches and switches.cold_pages == seconds:
            if (left := deadline - time.monotonic()) <= 0:
                break
            await asyncio.sleep(min(left, 0.01))
        self.response_cache.store(key, switches.epoch)

    async def _authorized(self, request: Request, handler: Handler, verdict: Verdict) -> Response:
        refused = negotiate(request.headers.get("accept"), request.query_params.get("format"))
        if refused is not None:  # DRF negotiates before auth
            return detail(refused, NOT_ACCEPTABLE if refused == 406 else "Not found.", API_HEADERS)
        if verdict.client is None:
            self.counters.bump(unauthorized=1)
            if self.faults.auth_status == 403:  # older servers: no challenge, so DRF says 403
                return detail(403, verdict.detail, API_HEADERS)
            return detail(401, verdict.detail, {"WWW-Authenticate": 'JWT realm="api"'})
        switches = self.faults.switches
        if switches.rate is not None:  # DRF's check_throttles: after auth, before the view
            allowed, wait = self.throttle.check(
                switches.rate, verdict.client.username, switches.epoch
            )
            if not allowed:
                self.counters.bump(throttled=1)
                return drf_throttled(wait)
        if request.method not in ("GET", "HEAD"):
            return detail(405, f'Method "{request.method}" not allowed.', API_HEADERS)
        resource = request.url.path.split("/")[3]
        if switches.search and resource in ("courses", "course_runs", "programs"):
            early = search.intercept(self, request, resource, bool(request.path_params))
            if early is not None:
                return early
        response = await handler(request, verdict.client)
        return await ascii_json(response) if switches.ascii_json else response

    async def _truncate(self, response: Response, rule: Any) -> Response:
        if isinstance(response, StreamingResponse):  # collect it, so it can be cut
            body = await hostile.body_of(response)
            response = Response(body, response.status_code, dict(response.headers))
        return truncated(response, rule)

    async def _page(
        self, request: Request, count: int, items: Callable[[int, int], list[bytes]]
    ) -> Response:
        try:
            url = str(request.url)
            if gateway.UPSTREAM_ROOT in request.scope:  # behind the gateway: discovery's own URL
                url = request.scope[gateway.UPSTREAM_ROOT] + url.split(gateway.ROOT, 1)[1]
            if self.faults.links_origin:  # a hostile or misconfigured proxy: links elsewhere
                url = (
                    self.faults.links_origin
                    + url[len(f"{request.url.scheme}://{request.url.netloc}") :]
                )
            window = paginate(url, dict(request.query_params), count)
            if self.faults.endless_next:
                window = dataclasses.replace(window, next=hostile.endless_next(url))
        except InvalidPage:
            return detail(404, "Invalid page.", API_HEADERS)
        if self.faults.switches.http_links:
            window = replace(
                window, next=http_scheme(window.next), previous=http_scheme(window.previous)
            )
        await self._cold(request)
        offset = min(window.offset, count)
        # Building a page of cold courses is CPU work (docs/performance.md): off the event loop
        # so other requests (and the control API) are not stuck behind a limit=1000 page.
        body = await run_in_threadpool(
            lambda: _page_body(count, window, items(offset, window.limit))
        )
        return json_response(None, headers=API_HEADERS, raw=body)

    # --- catalogs -----------------------------------------------------------------------------

    def _visible_catalogs(self, client: SandboxClient) -> list[Any]:
        if not client.sees_catalogs:
            return []
        return list(self._catalogs().values())

    def _catalogs(self) -> dict[int, Any]:
        if self.faults.switches.slash_keys:  # catalog 7, of old-style keys (legacy.py)
            return {**self.data.catalogs, legacy.CATALOG_ID: legacy.CATALOG}
        return self.data.catalogs

    def _catalog_for(self, request: Request, client: SandboxClient) -> Any:
        """The catalog in the path, or the 404/403 response that answers instead."""
        try:
            catalog = self._catalogs().get(int(request.path_params["id"]))
        except ValueError:  # DRF's get_object_or_404 on a cast that fails: a bare "Not found."
            return self._missing("catalogs", bad_id=True)
        if catalog is None:
            return self._missing("catalogs")
        # The partner-only catalog is listed (so a client can meet the 403) but not viewable.
        if not client.sees_catalogs or client.username not in catalog.viewers:
            return detail(403, FORBIDDEN, API_HEADERS)
        return catalog

    async def catalogs(self, request: Request, client: SandboxClient) -> Response:
        cats = self._visible_catalogs(client)
        return await self._page(
            request, len(cats), lambda o, n: [render_json(c.as_json()) for c in cats[o : o + n]]
        )

    async def catalog(self, request: Request, client: SandboxClient) -> Response:
        catalog = self._catalog_for(request, client)
        if isinstance(catalog, Response):
            return catalog
        return json_response(catalog.as_json(), headers=API_HEADERS)

    async def catalog_courses(self, request: Request, client: SandboxClient) -> Response:
        catalog = self._catalog_for(request, client)
        if isinstance(catalog, Response):
            return catalog
        return await self._page(
            request, catalog.count, lambda o, n: self._catalog_page(catalog, o, n)
        )

    def _catalog_page(self, catalog: Any, offset: int, limit: int) -> list[bytes]:
        if catalog.id == legacy.CATALOG_ID and self.faults.switches.slash_keys:
            return [render_json(c) for c in legacy.courses(self.data)[offset : offset + limit]]
        repeat = self.faults.repeat_courses
        start = max(0, offset - repeat)  # the fault: the previous page's last N again
        return self.data.catalog_course_json(catalog, start, limit + offset - start)

    async def catalog_contains(self, request: Request, client: SandboxClient) -> Response:
        catalog = self._catalog_for(request, client)
        if isinstance(catalog, Response):
            return catalog
        result: dict[str, bool] = {}
        for key in _csv_param(request, "course_id"):
            i = self.data.course_index_by_key(key)
            result[key] = i is not None and catalog.contains_index(i)
        for key in _csv_param(request, "course_run_id"):
            run = self.data.find_run(key)
            i = None if run is None else self.data.course_index_by_key(run["course"])
            result[key] = i is not None and catalog.contains_index(i)
        return json_response({"courses": result}, headers=API_HEADERS)

    async def catalog_csv(self, request: Request, client: SandboxClient) -> Response:
        catalog = self._catalog_for(request, client)
        if isinstance(catalog, Response):
            return catalog
        stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H-%M")
        return StreamingResponse(
            self.data.catalog_csv(catalog),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="catalog_{catalog.id}_{stamp}.csv"',
                **API_HEADERS,
            },
        )

    # --- courses, runs, programs, organizations -----------------------------------------------

    async def courses(self, request: Request, client: SandboxClient) -> Response:
        return await self._page(
            request,
            self.data.universe,
            lambda o, n: [
                self.data.course_json(i) for i in range(o, min(o + n, self.data.universe))
            ],
        )

    async def course(self, request: Request, client: SandboxClient) -> Response:
        course = self.data.find_course(request.path_params["key"])
        if course is None and self.faults.switches.slash_keys:
            course = legacy.find_course(self.data, request.path_params["key"])
        if course is None:
            return self._missing("courses")
        return json_response(course, headers=API_HEADERS)

    async def course_runs(self, request: Request, client: SandboxClient) -> Response:
        return await self._page(
            request,
            self.data.runs_total,
            lambda o, n: [render_json(r) for r in self.data.runs_slice(o, n)],
        )

    async def course_run(self, request: Request, client: SandboxClient) -> Response:
        run = self.data.find_run(request.path_params["key"])
        if run is None and self.faults.switches.slash_keys:
            run = legacy.find_run(self.data, request.path_params["key"])
        if run is None:
            return self._missing("course_runs")
        return json_response(run, headers=API_HEADERS)

    async def programs(self, request: Request, client: SandboxClient) -> Response:
        progs = self.data.programs
        return await self._page(
            request,
            len(progs),
            lambda o, n: [render_json(self.data.program_summary(p)) for p in progs[o : o + n]],
        )

    async def program(self, request: Request, client: SandboxClient) -> Response:
        program = self.data.programs_by_uuid.get(request.path_params["uuid"])
        if program is None:
            return self._missing("programs")
        return json_response(program, headers=API_HEADERS)

    async def organizations(self, request: Request, client: SandboxClient) -> Response:
        orgs = self.data.organizations
        return await self._page(
            request, len(orgs), lambda o, n: [render_json(x) for x in orgs[o : o + n]]
        )

    async def organization(self, request: Request, client: SandboxClient) -> Response:
        org = self.data.organizations_by_uuid.get(request.path_params["uuid"])
        if org is None:
            return self._missing("organizations")
        return json_response(org, headers=API_HEADERS)

    # --- the token endpoint -------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        counters, faults = self.counters, self.faults
        counters.bump(token_requests=1, token_in_flight=1)
        counters.count_path(request.url.path)
        try:
            # Read the whole form now, as Django does: a fault answer sent before the body is
            # read could be lost to a connection reset (unread data makes the kernel reset, not
            # close).
            await request.body()
            await self._gate("hold_token")
            await self._delay("token_latency")
            fault = faults.take("token")
            if fault is not None:
                counters.bump(faults_applied=1)
                replacement = fault_response(*fault, body_read=True)
                if replacement is not None:
                    return replacement
            response = await grant.issue(request, self.faults, self.authority, self.counters)
            if fault is not None:
                response = truncated(response, fault[1])
            return response
        finally:
            counters.bump(token_in_flight=-1)

    async def search_results(self, request: Request, client: SandboxClient) -> Response:
        return await search.search_view(self, request, request.path_params["kind"])

    async def lms_page(self, request: Request) -> Response:
        """An LMS page behind CsrfViewMiddleware: a POST without a CSRF cookie is refused."""
        self.counters.count_path(request.url.path)
        return csrf_failure()


def _csv_param(request: Request, name: str) -> list[str]:
    raw = request.query_params.get(name, "")
    return [k for k in (part.strip() for part in raw.split(",")) if k]


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    return SandboxApp(config)
