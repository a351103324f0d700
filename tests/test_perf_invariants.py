"""Performance invariants that are not about time: counts of requests, bounds, laziness.

Everything runs against the real sandbox over loopback HTTP; its counters say what reached
the server. Timing lives in benchmarks/ (ratios against a baseline in the same run).
"""

from __future__ import annotations

import asyncio
import time

from edxtui.api.export import fetch_catalog_courses
from edxtui.api.session import Session
from edxtui.sandbox import SandboxServer

CONCURRENT = 100


async def _burst(session: Session) -> list[int]:
    responses = await asyncio.gather(*(session.get("catalogs/") for _ in range(CONCURRENT)))
    return [r.status_code for r in responses]


async def test_expired_by_client_clock_one_token_post_for_100_requests(sandbox: SandboxServer):
    shift = [0.0]
    async with Session(sandbox.credentials(), clock=lambda: time.time() + shift[0]) as session:
        await session.tokens.get_token()
        sandbox.reset()
        shift[0] = sandbox.config.expires_in + 1.0  # our clock now says the token expired
        statuses = await _burst(session)
        assert session.tokens.state().fetch_count == 2
    counters = sandbox.counters.snapshot()
    assert statuses == [200] * CONCURRENT
    assert counters["token_requests"] == 1
    # nobody went out with the expired token: they all waited for the one refresh
    assert counters["unauthorized"] == 0
    assert counters["api_requests"] == CONCURRENT


async def test_expired_by_server_clock_one_token_post_for_100_requests(sandbox: SandboxServer):
    async with Session(sandbox.credentials()) as session:
        await session.tokens.get_token()
        sandbox.reset()
        # the server's clock passes the token's exp: all 100 go out with it and get 401
        sandbox.faults.update(clock_skew=sandbox.config.expires_in + 1.0)
        statuses = await _burst(session)
    counters = sandbox.counters.snapshot()
    assert statuses == [200] * CONCURRENT
    assert counters["token_requests"] == 1
    # the requests that went out with the old token (all of them, in practice) got a 401
    # and were each retried once with the one new token
    expired = counters["expired_token_requests"]
    assert expired >= 1
    assert counters["unauthorized"] == expired
    assert counters["api_requests"] == CONCURRENT + expired


async def test_export_bounded_concurrency_and_each_page_once(make_sandbox):
    server = make_sandbox(large_catalog_courses=2_000)
    async with Session(server.credentials()) as session:
        await session.tokens.get_token()
        server.reset()
        # a little server latency, so requests overlap there and its peak counter sees them
        server.faults.update(api_latency=0.02)
        courses, result = await fetch_catalog_courses(session, "6", page_size=100, concurrency=4)
    counters = server.counters.snapshot()
    assert len(courses) == 2_000 and result.pages == 20
    assert counters["api_requests"] == 20  # no page fetched twice
    assert 1 < counters["peak_concurrency"] <= 4  # concurrent, and never above the bound
