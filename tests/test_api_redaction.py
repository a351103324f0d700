"""The secret and the token never appear in the exchange log, errors, reprs or logs.

One session runs through successes and every kind of failure with sentinel values for the
secret and the token (tests/api_fake.py), and everything it produced is searched.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from api_fake import SECRET, TOKEN_MARK, FakeClock, FakeEdx, make_session

from edxtui.api import EdxError, RetryPolicy


async def test_no_secret_or_token_anywhere(caplog):
    caplog.set_level(logging.DEBUG)  # every logger: edxtui, httpx, httpcore
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=5)
    errors: list[BaseException] = []
    states = []
    session = make_session(fake, clock, retry=RetryPolicy(max_retries=1))
    async with session:
        session.tokens.subscribe(states.append)
        await session.get_json("catalogs/")
        fake.revoke_all()
        await session.get_json("catalogs/")  # 401 -> refresh -> retry
        clock.advance(10)
        await session.get_json("catalogs/")  # expired -> refresh
        refused = httpx.Response(401, json={"detail": "Invalid token."})
        failures = [
            ("api", [refused, refused]),  # the retry after the refresh is refused too
            ("api", [httpx.Response(500, content=b"<html>oops</html>")]),
            ("api", [httpx.Response(200, content=b"not json")]),
            ("token", [httpx.Response(401, json={"error": "invalid_client"})]),
        ]
        for kind, responses in failures:
            (fake.api_responses if kind == "api" else fake.token_responses).extend(responses)
            if kind == "token":
                session.tokens.invalidate(session.tokens.current_token)
            try:
                await session.get_json("catalogs/")
            except EdxError as exc:
                errors.append(exc)
        try:
            await session.get("https://evil.example.com/")
        except EdxError as exc:
            errors.append(exc)
        token = session.tokens.current_token
        curl_hidden = [session.curl(e) for e in session.log]
        texts = [
            repr(session),
            repr(session.tokens),
            repr(session.credentials),
            repr(session.tokens.state()),
            *curl_hidden,
            *(repr(s) for s in states),
            *(str(e) for e in errors),
            *(repr(e) for e in errors),
        ]
        for exchange in session.log:
            texts += [repr(exchange), exchange.url, exchange.error or ""]
            texts += [f"{k}: {v}" for k, v in exchange.request_headers + exchange.response_headers]
            texts += [
                exchange.body.decode("utf-8", "replace"),
                exchange.request_body.decode("utf-8", "replace"),
            ]
    assert len(errors) == 5 and fake.token_posts >= 3
    assert token is None  # the last fetch was refused: nothing to hand out
    texts.append(caplog.text)
    blob = "\n".join(texts)
    assert SECRET not in blob
    assert TOKEN_MARK not in blob
    assert "<redacted>" in blob  # the redaction did happen (not just empty logs)
    assert "catalogs/" in caplog.text  # and the debug log did record the requests


@pytest.mark.parametrize("status", [400, 401, 403, 500])
async def test_token_endpoint_echoing_the_secret_does_not_leak_it(status):
    """A misbehaving token endpoint that echoes the request back: the log still hides it."""
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.token_responses.append(
        lambda request: httpx.Response(
            status, json={"error": "invalid_request", "error_description": "see body"}
        )
    )
    async with make_session(fake, clock) as session:
        with pytest.raises(EdxError) as info:
            await session.tokens.get_token()
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    (exchange,) = list(session.log)
    assert SECRET.encode() not in exchange.request_body


async def test_token_response_redaction_touches_only_the_token_value():
    clock = FakeClock()
    fake = FakeEdx(clock)
    raw = b'{"access_token" : "a", "expires_in": 3600, "token_type": "JWT", "note": "a banana"}'
    fake.token_responses.append(httpx.Response(200, content=raw))
    async with make_session(fake, clock) as session:
        assert await session.tokens.get_token() == "a"
    (exchange,) = list(session.log)
    assert exchange.body == raw.replace(b'"a",', b'"<redacted>",')


async def test_escaped_key_still_gets_its_value_scrubbed():
    clock = FakeClock()
    fake = FakeEdx(clock)
    raw = (
        b'{"access\\u005ftoken": "tok.en.'
        + TOKEN_MARK.encode()
        + b'", "expires_in": 60, "token_type": "JWT"}'
    )
    fake.token_responses.append(httpx.Response(200, content=raw))
    async with make_session(fake, clock) as session:
        await session.tokens.get_token()
    (exchange,) = list(session.log)
    assert TOKEN_MARK.encode() not in exchange.body and b'"expires_in": 60' in exchange.body


async def test_an_api_that_echoes_the_token_does_not_leak_it_into_the_log():
    clock = FakeClock()
    fake = FakeEdx(clock)

    def echo(request):
        auth = request.headers["authorization"]
        return httpx.Response(200, json={"you_sent": auth}, headers={"x-debug": auth})

    fake.api_responses.append(echo)
    async with make_session(fake, clock) as session:
        data, exchange = await session.get_json("catalogs/")
    assert TOKEN_MARK in data["you_sent"]  # the caller gets the real body...
    assert TOKEN_MARK.encode() not in exchange.body  # ...the log does not keep the token
    assert all(TOKEN_MARK not in v for _, v in exchange.response_headers)


async def test_a_cancelled_request_is_logged_as_such():
    import asyncio

    clock = FakeClock()
    fake = FakeEdx(clock)
    gate = asyncio.Event()

    async def stuck(request):
        if request.url.path.startswith("/oauth2/"):
            return await fake(request)
        await gate.wait()

    session = make_session(fake, clock)
    session._transport = httpx.MockTransport(stuck)
    async with session:
        task = asyncio.create_task(session.get_json("catalogs/"))
        while len(session.log) < 1:  # the token exchange is logged; the GET is on its way
            await asyncio.sleep(0)
        for _ in range(5):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    api = [e for e in session.log if e.kind == "api"]
    assert len(api) == 1 and api[0].status is None and "cancelled" in api[0].error
