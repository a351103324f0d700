"""The headless core against the real sandbox server, over loopback HTTP (no mocks).

Retry pauses go through an injected `sleep` that records and returns at once, so the retry
counts are real and the test does not wait; token lifetimes are real seconds, and waits are
on the token manager's state changes, never on a fixed sleep.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import subprocess

import pytest

from edxtui.api import (
    ApiError,
    AuthError,
    Credentials,
    OriginError,
    ResponseFormatError,
    Session,
    TokenStatus,
    TransportError,
    catalog,
)
from edxtui.api.catalog import fetch_all, fetch_object, fetch_page, iter_pages
from edxtui.sandbox.catalogs import CATALOG_ALL, CATALOG_EMPTY, CATALOG_RESTRICTED
from edxtui.sandbox.faults import Rule


class Pauses:
    """An injectable sleep: records each requested pause and yields without waiting."""

    def __init__(self) -> None:
        self.requested: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.requested.append(seconds)
        await asyncio.sleep(0)


def session_for(sandbox, layout: str = "openedx", **kw) -> Session:
    creds = kw.pop("credentials", None) or sandbox.credentials(layout)
    return Session(creds, sleep=kw.pop("sleep", Pauses()), **kw)


@pytest.mark.parametrize("layout", ["edx", "openedx"])
async def test_token_and_catalogs_on_both_layouts(sandbox, layout):
    async with session_for(sandbox, layout) as session:
        data, exchange = await session.get_json(catalog.catalogs())
        state = session.tokens.state()
    assert data["count"] >= 1 and isinstance(data["results"], list)
    assert exchange.status == 200 and exchange.url == sandbox.api_root(layout) + "catalogs/"
    assert state.status is TokenStatus.VALID and state.lifetime == 3600
    assert state.jwt_header["alg"] == "HS256"
    assert state.jwt_claims["exp"] - state.jwt_claims["iat"] == 3600
    assert abs(state.clock_skew) < 5
    assert sandbox.counters.token_requests == 1
    kinds = [(e.kind, e.status) for e in session.log]
    assert kinds == [("token", 200), ("api", 200)]


async def test_paging_through_a_catalog_yields_every_course_once(sandbox):
    async with session_for(sandbox) as session:
        pages = [
            page
            async for page in iter_pages(
                session, catalog.catalog_courses(CATALOG_ALL), {"limit": 37}
            )
        ]
    keys = [course["key"] for page in pages for course in page.results]
    assert len(keys) == pages[0].count == len(set(keys))
    assert len(pages) == -(-pages[0].count // 37)
    assert all(page.exchange.status == 200 for page in pages)
    assert sandbox.counters.token_requests == 1  # one token for the whole walk


async def test_course_keys_with_plus_and_colon_round_trip(sandbox):
    async with session_for(sandbox) as session:
        page = await fetch_page(session, catalog.course_runs(), {"limit": 3})
        run_key = page.results[0]["key"]
        course_key = page.results[0]["course"]
        run, _ = await fetch_object(session, catalog.course_run(run_key))
        course, _ = await fetch_object(session, catalog.course(course_key))
    assert "+" in run_key and ":" in run_key
    assert run["key"] == run_key and course["key"] == course_key


async def test_permission_and_empty_catalogs(sandbox):
    async with session_for(sandbox) as session:
        with pytest.raises(ApiError) as info:
            await fetch_object(session, catalog.catalog(CATALOG_RESTRICTED))
        empty = await fetch_all(session, catalog.catalog_courses(CATALOG_EMPTY))
        with pytest.raises(ApiError) as missing:
            await fetch_object(session, catalog.catalog(987654))
    assert info.value.status == 403 and "no permission" in info.value.hint
    assert info.value.detail == "You do not have permission to perform this action."
    assert empty == []
    assert missing.value.status == 404 and missing.value.detail == "Not found."


async def test_revoked_tokens_are_replaced_transparently(sandbox):
    async with session_for(sandbox) as session:
        await session.get_json(catalog.catalogs())
        sandbox.revoke_tokens()
        data, exchange = await session.get_json(catalog.catalogs())
    assert data["count"] >= 1 and exchange.attempt == 2
    assert sandbox.counters.unauthorized == 1
    assert sandbox.counters.token_requests == 2


async def test_two_second_tokens_under_steady_reads_never_go_out_expired(sandbox):
    sandbox.faults.update(expires_in=2)
    async with session_for(sandbox, sleep=asyncio.sleep) as session:
        session.tokens.start_background()
        enough = asyncio.Event()
        session.tokens.subscribe(lambda s: s.refresh_count >= 3 and enough.set())
        reads = 0

        async def reader() -> None:
            nonlocal reads
            while not enough.is_set():
                await session.get_json(catalog.catalogs())
                reads += 1

        await asyncio.gather(*(reader() for _ in range(4)))
        state = session.tokens.state()
    counters = sandbox.counters
    assert state.refresh_count >= 3 and reads > 0
    assert counters.expired_token_requests == 0
    assert counters.unauthorized == 0
    # about one token per lifetime-minus-margin, not one per read
    assert counters.token_requests <= state.refresh_count + 2


async def test_wrong_secret_is_a_permanent_auth_error(sandbox):
    creds = sandbox.credentials(client_secret="not-the-secret")
    async with session_for(sandbox, credentials=creds) as session:
        with pytest.raises(AuthError) as info:
            await session.get_json(catalog.catalogs())
        with pytest.raises(AuthError):
            await session.get_json(catalog.catalogs())
    assert "invalid_client" in info.value.message and info.value.permanent
    assert "check the client id and secret" in info.value.hint
    assert sandbox.counters.token_requests == 1  # never retried
    assert "not-the-secret" not in str(info.value)


async def test_restricted_application_gets_a_clear_error(sandbox):
    creds = sandbox.credentials(client_id="edxtui-restricted", client_secret="restricted-secret")
    async with session_for(sandbox, credentials=creds) as session:
        with pytest.raises(AuthError, match="already expired") as info:
            await session.tokens.get_token()
    assert "restricted application" in info.value.hint


async def test_token_throttle_page(sandbox):
    sandbox.faults.update(token_throttle=Rule(count=1, scope="token"))
    async with session_for(sandbox) as session:
        with pytest.raises(AuthError) as info:
            await session.tokens.get_token()
        assert session.tokens.state().status is TokenStatus.ERROR
        with pytest.raises(AuthError, match="rate limiting"):  # not asked again while
            await session.get_json(catalog.catalogs())  # the backoff lasts
        assert sandbox.counters.token_requests == 1
        await session.tokens.refresh()  # the person asks: it works again
        await session.get_json(catalog.catalogs())
    assert "rate limiting (403 HTML page)" in info.value.message
    assert sandbox.counters.token_requests == 2


async def test_server_errors_are_retried_then_succeed(sandbox):
    sandbox.faults.update(errors=Rule(count=2, status=503))
    pauses = Pauses()
    async with session_for(sandbox, sleep=pauses) as session:
        data, exchange = await session.get_json(catalog.catalogs())
    assert exchange.attempt == 3 and len(pauses.requested) == 2


async def test_500_is_not_retried(sandbox):
    sandbox.faults.update(errors=Rule(count=5, status=500))
    pauses = Pauses()
    async with session_for(sandbox, sleep=pauses) as session:
        with pytest.raises(ApiError) as info:
            await session.get_json(catalog.catalogs())
    assert info.value.status == 500 and pauses.requested == []


@pytest.mark.parametrize("retry_after", [None, 7])
async def test_throttled_requests_wait_and_retry(sandbox, retry_after):
    sandbox.faults.update(rate_limit=Rule(count=1, retry_after=retry_after))
    pauses = Pauses()
    async with session_for(sandbox, sleep=pauses) as session:
        _, exchange = await session.get_json(catalog.catalogs())
    assert exchange.attempt == 2 and len(pauses.requested) == 1
    if retry_after is not None:
        assert pauses.requested == [7.0]


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ({"drop": Rule(count=-1)}, TransportError, "closed the connection"),
        ({"truncate": Rule(count=-1)}, TransportError, "before the response was complete"),
        ({"not_json": Rule(count=1)}, ResponseFormatError, "not JSON"),
    ],
)
async def test_broken_responses_become_clear_errors(sandbox, fault, error, words):
    sandbox.faults.update(**fault)
    async with session_for(sandbox) as session:
        await session.tokens.get_token()
        with pytest.raises(error) as info:
            await session.get_json(catalog.catalogs())
    assert words in info.value.message
    failed = [e for e in session.log if e.kind == "api"]
    assert failed and all(e.error or e.status == 200 for e in failed)


async def test_connection_refused_is_retried_then_named():
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    creds = Credentials(
        f"http://127.0.0.1:{port}/oauth2/access_token", f"http://127.0.0.1:{port}/api/v1/", "a", "b"
    )
    pauses = Pauses()
    async with Session(creds, sleep=pauses) as session:
        with pytest.raises(TransportError) as info:
            await session.tokens.get_token()
    assert f"connection refused by 127.0.0.1:{port}" in info.value.message
    assert len(pauses.requested) == 3
    assert [e.attempt for e in session.log] == [1, 2, 3, 4]


async def test_next_link_to_another_host_is_refused(sandbox):
    # the sandbox builds `next` from the Host it was asked for: localhost vs 127.0.0.1
    async with session_for(sandbox) as session:
        page = await fetch_page(session, catalog.catalog_courses(CATALOG_ALL), {"limit": 5})
        foreign = page.next.replace("127.0.0.1", "localhost")
        with pytest.raises(OriginError):
            await fetch_page(session, foreign)
    assert sandbox.counters.api_requests == 1


async def test_copy_as_curl_replays_the_request(sandbox):
    async with session_for(sandbox) as session:
        data, exchange = await session.get_json(catalog.catalog_courses(CATALOG_ALL), {"limit": 2})
        token = await session.tokens.get_token()
        hidden = session.curl(exchange)
        shown = session.curl(exchange, reveal_token=True)
    env = {**os.environ, "EDXTUI_TOKEN": token}
    replay = subprocess.run(["bash", "-c", hidden], env=env, capture_output=True, timeout=30)
    assert replay.returncode == 0 and replay.stdout == exchange.body, replay.stderr
    replay = subprocess.run(shlex.split(shown), capture_output=True, timeout=30)
    assert replay.returncode == 0 and replay.stdout == exchange.body, replay.stderr


async def test_one_connection_is_reused_for_token_and_api_calls(sandbox):
    import httpx

    transport = httpx.AsyncHTTPTransport()
    async with session_for(sandbox, transport=transport) as session:
        for _ in range(5):
            await session.get_json(catalog.catalogs())
        # httpcore's pool (internal, but the only place connections are visible)
        connections = transport._pool.connections
    assert len(connections) == 1
    assert sandbox.counters.token_requests == 1 and sandbox.counters.api_requests == 5


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("string", None),
        ("float", None),
        ("null", "lacks expires_in"),
        ("missing", "lacks expires_in"),
    ],
)
async def test_expires_in_formats(sandbox, fmt, expected):
    sandbox.faults.update(expires_in_format=fmt)
    async with session_for(sandbox) as session:
        if expected is None:
            await session.get_json(catalog.catalogs())
            assert session.tokens.state().lifetime == 3600
        else:
            with pytest.raises(AuthError, match=expected):
                await session.tokens.get_token()


@pytest.mark.parametrize("skew", [3600, -3600])
async def test_server_clock_skew_is_shown_and_harmless(sandbox, skew):
    sandbox.faults.update(clock_skew=skew)
    async with session_for(sandbox) as session:
        await session.get_json(catalog.catalogs())
        state = session.tokens.state()
    assert abs(state.clock_skew - skew) < 5
    assert state.status is TokenStatus.VALID and sandbox.counters.unauthorized == 0


async def test_tls_to_a_plain_http_server_is_a_tls_error_not_retried(sandbox):
    base = sandbox.base_url.replace("http://", "https://")
    creds = Credentials(base + "/oauth2/access_token", base + "/api/v1/", "a", "b")
    pauses = Pauses()
    async with Session(creds, sleep=pauses) as session:
        with pytest.raises(TransportError) as info:
            await session.tokens.get_token()
    assert "TLS connection to 127.0.0.1" in info.value.message
    assert pauses.requested == [] and len(session.log) == 1


async def test_hundred_concurrent_reads_on_an_expired_token_make_one_token_request(sandbox):
    now = [1_900_000_000.0]  # the client's clock, moved by hand: its token "expires" at once
    async with session_for(sandbox, clock=lambda: now[0]) as session:
        await session.get_json(catalog.catalogs())
        now[0] += 3601
        assert session.tokens.state().status is TokenStatus.EXPIRED
        results = await asyncio.gather(*(session.get_json(catalog.catalogs()) for _ in range(100)))
    assert len(results) == 100
    assert sandbox.counters.token_requests == 2  # the first token, then exactly one
    assert sandbox.counters.api_requests == 101
