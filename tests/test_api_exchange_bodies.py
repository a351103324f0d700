"""Big response bodies are held compressed in the exchange log, and read back exact.

Unit tests build Exchanges directly; the session tests talk to the real sandbox over
loopback (tests/sandbox_fixtures.py), where a page of 20 courses is ~170 KB.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from api_fake import FakeClock, FakeEdx, make_session

import edxtui.api.session as session_module
from edxtui.api import Session
from edxtui.api.exchange import COMPRESS_OVER, Exchange, ExchangeLog, compress_body
from edxtui.api.redaction import REDACTED
from edxtui.sandbox.config import SandboxConfig


def exchange(body: bytes, ident: int = 1) -> Exchange:
    return Exchange(
        id=ident,
        kind="api",
        method="GET",
        url="http://127.0.0.1/api/v1/courses/",
        request_headers=[],
        request_body=b"",
        started_at=0.0,
        status=200,
        body=body,
    )


def json_page(size: int) -> bytes:
    """A compressible JSON body of exactly `size` bytes."""
    head, tail = b'{"results": ["', b'"]}'
    filler = b"course-v1:edX+CS50x+2026 " * (size // 25 + 1)
    return head + filler[: size - len(head) - len(tail)] + tail


def token_free(body: bytes, token: str) -> bool:
    return token.encode() not in body and REDACTED.encode() in body


def held_bytes(ex: Exchange) -> list[int]:
    """Sizes of the bytes objects the exchange itself references (its slots)."""
    return [sys.getsizeof(v) for v in gc.get_referents(ex) if isinstance(v, bytes)]


# --- the Exchange record ----------------------------------------------------------------------

NOT_UTF8 = bytes(range(256)) * 2 + b"\xff\xfe\xc3\x28"  # invalid UTF-8 sequences included


@pytest.mark.parametrize(
    ("body", "compressed"),
    [
        (b"", False),
        (NOT_UTF8, False),  # small: as is
        (json_page(COMPRESS_OVER), False),  # at the threshold: as is
        (json_page(COMPRESS_OVER + 1), True),  # just over: compressed
        (NOT_UTF8 * 1000, True),  # binary, big, repetitive
        (os.urandom(COMPRESS_OVER * 2), False),  # big but incompressible: as is
        (json_page(2_000_000), True),
    ],
    ids=["empty", "binary-small", "at-threshold", "over-threshold", "binary-big", "random", "2MB"],
)
def test_bodies_round_trip_exactly(body, compressed):
    ex = exchange(body)
    assert ex.compressed is compressed
    assert ex.body == body and ex.body == body  # twice: the cached read is exact too
    assert ex.size == len(body)
    assert ex.stored_size < len(body) // 4 if compressed else ex.stored_size == len(body)


def test_a_big_body_is_really_held_compressed():
    body = json_page(900_000)
    ex = exchange(body)
    # nothing the exchange references is anywhere near the body's size
    assert max(held_bytes(ex)) < len(body) // 4
    assert ex.size == 900_000  # the real length, not the held one


def test_size_is_the_real_length_after_setting_a_new_body():
    ex = exchange(b"short")
    ex.body = json_page(200_000)
    assert (ex.size, ex.compressed) == (200_000, True)
    ex.body = b"tiny again"
    assert (ex.size, ex.compressed, ex.body) == (10, False, b"tiny again")


def test_set_body_takes_a_compression_made_elsewhere():
    body = json_page(300_000)
    ex = exchange(b"")
    ex.set_body(body, compress_body(body))
    assert ex.compressed and ex.body == body and ex.size == len(body)
    ex.set_body(body, None)  # held as received, e.g. until a worker thread has compressed it
    assert not ex.compressed and ex.stored_size == len(body) and ex.body == body


def test_a_later_compression_is_swapped_in_only_for_the_same_body():
    body, other = json_page(300_000), json_page(300_001)
    ex = exchange(b"")
    ex.set_body(body, None)
    assert not ex.hold_compressed(other, compress_body(other))  # not what it holds: ignored
    assert not ex.hold_compressed(body, None)  # nothing to swap in
    assert not ex.compressed and ex.body == body
    assert ex.hold_compressed(body, compress_body(body))
    assert ex.compressed and ex.body == body and ex.size == len(body)
    assert max(held_bytes(ex)) < len(body) // 4


def test_compress_body_declines_small_and_incompressible_bodies():
    assert compress_body(json_page(COMPRESS_OVER)) is None
    assert compress_body(os.urandom(COMPRESS_OVER + 1000)) is None
    assert compress_body(json_page(COMPRESS_OVER + 1)) is not None


def test_repr_does_not_carry_the_body():
    ex = exchange(json_page(500_000))
    text = repr(ex)
    assert len(text) < 1000 and "size=500000" in text and "course-v1" not in text


def test_reads_from_many_threads_are_exact():
    """The small cache of decompressed bodies is shared: interleaved reads stay exact."""
    bodies = [json_page(100_000 + n) for n in range(5)]
    exchanges = [exchange(b, ident=n) for n, b in enumerate(bodies)]

    def read(n: int) -> bool:
        return exchanges[n % 5].body == bodies[n % 5]

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(read, range(400)))


# --- the log's byte cap -------------------------------------------------------------------------


def test_the_log_cap_counts_bytes_really_held():
    # 10 compressible bodies of 900 KB are ~9 MB as received but a few KB held: all stay
    log = ExchangeLog(max_body_bytes=1024 * 1024)
    for n in range(10):
        log.add(exchange(json_page(900_000), ident=n))
    assert len(log) == 10
    assert log.body_bytes == sum(e.stored_size for e in log) < 1024 * 1024
    # incompressible bodies are held as is and count in full: the oldest go
    for n in range(3):
        log.add(exchange(os.urandom(400_000), ident=100 + n))
    assert log.body_bytes <= 1024 * 1024
    assert [e.id for e in log][-2:] == [101, 102] and 0 not in [e.id for e in log]
    assert log.body_bytes == sum(e.stored_size for e in log)


def test_the_log_counts_a_body_compressed_after_it_was_logged():
    log = ExchangeLog()
    body = json_page(500_000)
    ex = exchange(b"")
    ex.set_body(body, None)
    log.add(ex)
    assert log.body_bytes == 500_000
    ex.hold_compressed(body, compress_body(body))
    assert log.body_bytes == ex.stored_size < 50_000


def test_a_single_body_over_the_cap_is_still_kept():
    log = ExchangeLog(max_body_bytes=1000)
    log.add(exchange(os.urandom(5000)))
    assert len(log) == 1 and log.body_bytes == 5000


# --- the session, against the real sandbox --------------------------------------------------------

PAGE = ("courses/", {"limit": 20})  # ~170 KB


async def test_a_big_page_is_logged_compressed_and_exact(sandbox):
    async with Session(sandbox.credentials("openedx")) as session:
        response = await session.get(*PAGE)
        ex = session.exchange_for(response)
        assert ex.body == response.content  # exact at once, compressed or not yet
        _, small = await session.get_json("catalogs/")
        await session.compressed()
    assert len(response.content) > COMPRESS_OVER
    assert ex.compressed and ex.body == response.content and ex.size == len(response.content)
    assert max(held_bytes(ex)) < len(response.content) // 4
    assert json.loads(ex.body)["results"][0]["key"]
    assert not small.compressed and small.size < COMPRESS_OVER


async def test_compression_runs_off_the_event_loop(sandbox, monkeypatch):
    threads: list[tuple[int, int]] = []  # (length, thread ident) of each compression

    def recording(data: bytes) -> bytes | None:
        threads.append((len(data), threading.get_ident()))
        return compress_body(data)

    monkeypatch.setattr(session_module, "compress_body", recording)
    loop_thread = threading.get_ident()
    async with Session(sandbox.credentials("openedx")) as session:
        await session.get_json(*PAGE)
        await session.get_json("catalogs/")
    assert len(threads) == 1  # only the big body; the token and catalogs stay inline
    length, ident = threads[0]
    assert length > COMPRESS_OVER and ident != loop_thread


async def test_a_token_echoed_in_a_big_body_is_scrubbed_before_compression(
    make_sandbox, monkeypatch
):
    """A server that puts the caller's token into a big page: the log holds no trace of it."""
    server = make_sandbox(SandboxConfig())
    issued: list[str] = []
    real_issue = server.app.authority.issue

    def issue(*args, **kwargs):
        issued.append(real_issue(*args, **kwargs))
        return issued[-1]

    monkeypatch.setattr(server.app.authority, "issue", issue)
    real_course_json = server.app.data.course_json

    def course_json(i: int) -> bytes:  # every course carries the latest token
        return b'{"echo": "' + issued[-1].encode() + b'", ' + real_course_json(i)[1:]

    monkeypatch.setattr(server.app.data, "course_json", course_json)
    async with Session(server.credentials("openedx")) as session:
        response = await session.get(*PAGE)
        ex = session.exchange_for(response)
        assert token_free(ex.body, issued[-1])  # scrubbed before it is held at all...
        await session.compressed()
    token = issued[-1].encode()
    assert response.content.count(token) == 20  # the caller gets the real body
    assert ex.compressed  # the log's copy, compressed now, holds no token either:
    assert token not in ex.body and ex.body.count(REDACTED.encode()) == 20
    assert ex.body == response.content.replace(token, REDACTED.encode())
    assert ex.size == len(ex.body)


async def test_a_response_is_freed_without_the_cyclic_gc(sandbox):
    """A read response must not sit in a reference cycle: the TUI freezes the GC while big
    lists load, and each page's body would otherwise live on beside its compressed copy."""
    async with Session(sandbox.credentials("openedx")) as session:
        gc.disable()
        try:
            response = await session.get(*PAGE)
            ref = weakref.ref(response)
            del response
            assert ref() is None
        finally:
            gc.enable()


async def test_the_response_does_not_wait_for_its_compression(monkeypatch):
    """The caller gets the response while the worker thread still compresses the body; the
    exchange holds it as received until then, compressed after, exact throughout."""
    release = threading.Event()

    def blocking(data: bytes) -> bytes | None:
        release.wait(10)
        return compress_body(data)

    monkeypatch.setattr(session_module, "compress_body", blocking)
    clock = FakeClock()
    fake = FakeEdx(clock)
    big = json_page(200_000)
    fake.api_responses.append(httpx.Response(200, content=big))
    async with make_session(fake, clock) as session:
        try:
            response = await session.get("courses/")  # (10 s and compressed, if it waited)
            ex = session.exchange_for(response)
            assert not ex.compressed and ex.body == big
            assert any(logged is ex for logged in session.log)
        finally:
            release.set()
        await session.compressed()
        assert ex.compressed and ex.body == big and ex.size == len(big)
        assert session.log.body_bytes == sum(e.stored_size for e in session.log)
