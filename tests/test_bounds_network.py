"""Bounded by design, the network half: what a hostile server can make one request spend.

Each test points the headless core at the real sandbox over loopback HTTP with one of its
hostile switches on (edxtui/sandbox/hostile.py: a trickling body, a decompression bomb,
endless `next` links, a slow pool) and asserts the message, the bound (the deadline, the
memory, the request count) and that the session still works once the switch is off.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
import tracemalloc

import httpx
import pytest
from fault_servers import ForeignServer, Reply, json_reply
from sandbox_fixtures import http, sandbox_token

from edxtui.api import ApiError, ExchangeLog, ResponseFormatError, Session
from edxtui.api.bounds import MIB, Bounds, bounds_from
from edxtui.api.catalog import PAGE_SLACK, fetch_all, iter_pages
from edxtui.api.errors import BodyTooLargeError, ConfigError, DeadlineError
from edxtui.api.export import each_page
from edxtui.sandbox.catalogs import CATALOG_ALL


def session_for(sandbox, **bounds) -> Session:
    return Session(sandbox.credentials("openedx"), bounds=Bounds(**bounds))


# --- time: the overall deadline -----------------------------------------------------------------


async def test_a_trickling_body_ends_at_the_deadline_not_at_a_read_timeout(sandbox):
    # a byte every 50 ms never trips the 10 s read timeout: the body (~2 KB) would take minutes
    body_size = len(
        http.get(sandbox.api_root("openedx") + "catalogs/", headers=_auth(sandbox)).content
    )
    sandbox.counters.reset()
    sandbox.faults.update(trickle=0.05)
    async with session_for(sandbox, deadline=1.0) as session:
        await session.tokens.get_token()  # the token endpoint does not trickle
        started = time.monotonic()
        with pytest.raises(DeadlineError) as caught:
            await session.get("catalogs/")
        took = time.monotonic() - started
        message = str(caught.value)
        assert "did not finish within 1 s (the overall deadline)" in message
        assert "--timeout" in message and "EDXTUI_TIMEOUT" in message
        assert len(caught.value.message.splitlines()) == 1
        assert took >= 1.0  # the deadline ended it, and nothing earlier
        assert took < 30  # not the trickle's end, minutes away
        assert sandbox.counters.body_bytes_sent < body_size  # cut off mid-body
        logged = list(session.log)[-1]
        assert logged.error == caught.value.message  # the history says why
        sandbox.faults.update(trickle=0)
        data, _ = await session.get_json("catalogs/")  # nothing lost: the session goes on
        assert data["count"] > 0


async def test_the_token_request_has_the_deadline_too(sandbox):
    sandbox.faults.update(hold_token=True)  # the token endpoint never answers
    async with session_for(sandbox, deadline=0.5) as session:
        with pytest.raises(DeadlineError, match=r"did not finish within 0\.5 s") as caught:
            await session.tokens.get_token()
        [logged] = session.log
        assert logged.kind == "token" and logged.error == caught.value.message
        sandbox.faults.release()
        data, _ = await session.get_json("catalogs/")
        assert data["count"] > 0


def test_bounds_come_from_flag_then_environment_then_default():
    env = {"EDXTUI_TIMEOUT": "30", "EDXTUI_MAX_BODY_MB": "8"}
    assert bounds_from(environ={}) == Bounds(120.0, 256 * MIB)
    assert bounds_from(environ=env) == Bounds(30.0, 8 * MIB)
    assert bounds_from("5", "1", environ=env) == Bounds(5.0, 1 * MIB)
    assert bounds_from(environ={"EDXTUI_TIMEOUT": " "}) == Bounds()  # set but empty: unset
    for bad in ("0", "-1", "abc", "nan", "inf"):
        with pytest.raises(ConfigError) as caught:
            bounds_from(bad, environ={})
        assert caught.value.message == "--timeout must be a number of seconds greater than 0"
        assert "--timeout 30" in caught.value.hint
        with pytest.raises(ConfigError, match="EDXTUI_MAX_BODY_MB must be a number of MiB"):
            bounds_from(environ={"EDXTUI_MAX_BODY_MB": bad})


# --- memory: the body cap, after decompression --------------------------------------------------


async def test_a_decompression_bomb_is_refused_at_the_cap_with_memory_bounded_by_it(sandbox):
    sandbox.faults.update(bomb_mb=256)  # ~260 KB of gzip that inflates to 256 MiB
    async with session_for(sandbox, max_body_bytes=1 * MIB) as session:
        await session.tokens.get_token()
        tracemalloc.start()
        try:
            with pytest.raises(BodyTooLargeError) as caught:
                await session.get("catalogs/")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        message = str(caught.value)
        assert "larger than the 1 MiB limit (counted after decompression)" in message
        assert "--max-body-mb" in message and "EDXTUI_MAX_BODY_MB" in message
        # the cap, a copy of it and a piece: nowhere near the 256 MiB the server sends
        assert peak < 6 * MIB, peak
        assert list(session.log)[-1].error == caught.value.message
        sandbox.faults.update(bomb_mb=0)
        data, _ = await session.get_json("catalogs/")
        assert data["count"] > 0


async def test_a_gzip_body_under_the_cap_is_decoded_exactly(sandbox):
    sandbox.faults.update(bomb_mb=2)  # 2 MiB of JSON whitespace, then {}
    async with session_for(sandbox, max_body_bytes=3 * MIB) as session:
        data, exchange = await session.get_json("catalogs/")
    assert data == {}
    assert exchange.size == 2 * MIB + 2 and exchange.body.endswith(b" {}")


# --- requests: paging bounded by the envelope ---------------------------------------------------


async def test_endless_next_links_stop_when_the_results_pass_the_count(sandbox):
    sandbox.faults.update(endless_next=True)
    async with session_for(sandbox) as session:
        first = await session.get_json("catalogs/")
        count = first[0]["count"]
        sandbox.counters.reset()
        with pytest.raises(ResponseFormatError) as caught:
            await fetch_all(session, "catalogs/")
    assert caught.value.message == (
        f"the API sent more results ({2 * count}) than its count ({count}) says; stopped"
    )
    assert sandbox.counters.api_requests == 2


async def test_endless_empty_pages_stop_at_the_pages_the_count_allows(sandbox):
    sandbox.faults.update(endless_next=True)
    async with session_for(sandbox) as session:
        count = (await session.get_json("catalogs/"))[0]["count"]
        sandbox.counters.reset()
        pages = 0
        with pytest.raises(ResponseFormatError) as caught:
            async for _ in iter_pages(session, "catalogs/", {"offset": 1000}):  # empty pages
                pages += 1
    allowed = count + PAGE_SLACK  # an empty first page: at most one result a page
    assert pages == allowed == sandbox.counters.api_requests
    assert caught.value.message == (
        f"the API's next links go on past what its count allows ({count} results, "
        f"{allowed} pages followed); stopped"
    )


async def test_the_export_pages_by_count_and_ignores_endless_links(sandbox):
    sandbox.faults.update(endless_next=True)
    courses: list = []
    async with session_for(sandbox) as session:
        await session.tokens.get_token()
        sandbox.counters.reset()
        result = await each_page(session, str(CATALOG_ALL), courses.extend, page_size=50)
    assert result.count == len(courses) == len({c["key"] for c in courses})
    assert sandbox.counters.api_requests == math.ceil(result.count / 50) == result.pages


# --- the exchange log: bounded in entries and in bytes, over a real session ---------------------


async def test_the_exchange_log_of_a_session_stays_within_its_entry_and_byte_caps(sandbox):
    async def ten_pages(log: ExchangeLog, byte_cap: float = math.inf) -> int:
        received = 0
        async with Session(sandbox.credentials("openedx"), log=log) as session:
            for offset in range(0, 200, 20):  # ten pages of ~170 KB each (~20 KB compressed)
                response = await session.get("courses/", {"limit": 20, "offset": offset})
                received += len(response.content)
                assert log.body_bytes <= byte_cap and len(log) <= 4
            await session.compressed()
        return received

    cap = 250_000  # < one page as received + nine held compressed: the cap must act
    by_count = ExchangeLog(max_entries=4)
    await ten_pages(by_count)
    assert len(by_count) == 4  # of 11 (the token's and ten pages)
    assert [e.url for e in by_count][-1].endswith("offset=180")  # the newest kept

    by_bytes = ExchangeLog(max_entries=4, max_body_bytes=cap)
    received = await ten_pages(by_bytes, cap)
    assert received > 6 * cap
    assert by_bytes.body_bytes == sum(e.stored_size for e in by_bytes) <= cap
    assert [e.url for e in by_bytes][-1].endswith("offset=180")


# --- tokens: never one that expired waiting for a pooled connection -----------------------------


async def test_no_expired_token_at_concurrency_100_through_a_pool_of_20(make_sandbox):
    server = make_sandbox(expires_in=3)
    server.faults.update(api_latency=1.0)  # the slow pool: 100 requests, 20 connections, 1 s each
    async with Session(server.credentials("openedx"), limits=httpx.Limits(max_connections=20)) as s:
        results = await asyncio.gather(
            *(s.get_json("catalogs/") for _ in range(100)), return_exceptions=True
        )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []  # and so no "refused a freshly fetched token"
    assert server.counters.expired_token_requests == 0
    assert server.counters.unauthorized == 0
    assert server.counters.api_requests == 100
    assert server.counters.peak_concurrency <= 20


# --- a 401 from another origin says nothing about our token -------------------------------------


async def test_a_401_after_a_cross_origin_redirect_does_not_burn_our_token(sandbox):
    with ForeignServer(lambda method, path: json_reply({"detail": "Invalid token."}, 401)) as other:

        def redirect(method: str, path: str) -> Reply:
            return Reply(302, b"", {"Location": other.base_url + "/elsewhere/"})

        with ForeignServer(redirect) as api:
            creds = sandbox.credentials("openedx")
            creds = dataclasses.replace(creds, api_root=api.base_url + "/api/v1/")
            async with Session(creds) as session:
                token = await session.tokens.get_token()
                with pytest.raises(ApiError) as caught:
                    await session.get("catalogs/")
                assert caught.value.status == 401
                assert "freshly fetched" not in caught.value.message
                assert session.tokens.current_token == token  # not invalidated
                assert await session.tokens.get_token() == token
    assert sandbox.counters.token_requests == 1  # no refresh because of the other's 401
    assert len(api.seen) == 1 and len(other.seen) == 1  # no retry with a new token
    assert "authorization" not in other.seen[0].headers


# --- the token's exact expiry, on a frozen server clock -----------------------------------------


def test_a_token_is_expired_exactly_when_the_server_clock_reaches_exp(sandbox):
    frozen = 2_000_000_000.25
    sandbox.faults.update(server_time=frozen, expires_in=60)
    token = sandbox_token(sandbox)
    exp = math.ceil(frozen) + 60  # iat is rounded up (sandbox/tokens.py)
    url = sandbox.api_root("openedx") + "catalogs/"
    headers = {"Authorization": f"JWT {token}"}
    sandbox.faults.update(server_time=exp - 0.001)
    assert http.get(url, headers=headers).status_code == 200
    assert sandbox.counters.expired_token_requests == 0
    sandbox.faults.update(server_time=exp)
    refused = http.get(url, headers=headers)
    assert refused.status_code == 401 and refused.json()["detail"] == "Invalid token."
    assert sandbox.counters.expired_token_requests == 1


def _auth(sandbox) -> dict[str, str]:
    return {"Authorization": f"JWT {sandbox_token(sandbox)}"}
