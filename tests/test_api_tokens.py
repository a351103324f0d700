"""The token lifecycle: parsing, expiry arithmetic, single flight, background refresh.

Time is a FakeClock (wall and monotonic move only when told), the server a MockTransport
handler (tests/api_fake.py), so every assertion is exact and nothing sleeps for real.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from api_fake import FakeClock, FakeEdx, make_session
from hypothesis import given
from hypothesis import strategies as st

from edxtui.api import AuthError, TokenStatus
from edxtui.api.token_response import MAX_LIFETIME, parse_token_response
from edxtui.api.tokens import refresh_margin


def resp(status: int = 200, *, json=None, content: bytes | None = None, headers=None):
    if json is not None:
        return httpx.Response(status, json=json, headers=headers)
    return httpx.Response(status, content=content or b"", headers=headers)


GOOD = {"access_token": "a.b.c", "expires_in": 3600, "token_type": "JWT", "scope": "read"}


# --- parsing every kind of token response ---------------------------------------------------


def test_good_response_parses():
    grant = parse_token_response(resp(json=GOOD))
    assert (grant.access_token, grant.expires_in, grant.token_type, grant.scope) == (
        "a.b.c",
        3600.0,
        "JWT",
        "read",
    )
    assert "a.b.c" not in repr(grant)


def test_numeric_string_expires_in_is_accepted():
    assert parse_token_response(resp(json={**GOOD, "expires_in": "180"})).expires_in == 180.0


def test_scope_is_optional():
    body = {k: v for k, v in GOOD.items() if k != "scope"}
    assert parse_token_response(resp(json=body)).scope is None


RATELIMIT_PAGE = (
    b'<!doctype html>\n<html lang="en">\n<head>\n  <title>403 Forbidden</title>\n</head>\n'
    b"<body>\n  <h1>403 Forbidden</h1><p></p>\n</body>\n</html>\n"
)

BAD = [
    # (response, words in the message, permanent)
    (resp(json={**GOOD, "access_token": None}), "lacks access_token", True),
    (resp(json={k: v for k, v in GOOD.items() if k != "expires_in"}), "lacks expires_in", True),
    (resp(json={k: v for k, v in GOOD.items() if k != "token_type"}), "lacks token_type", True),
    (resp(json={}), "lacks access_token, expires_in, token_type", True),
    (resp(json={**GOOD, "expires_in": "soon"}), "expires_in is not a number", True),
    (resp(json={**GOOD, "expires_in": True}), "expires_in is not a number", True),
    (resp(json={**GOOD, "expires_in": [1]}), "expires_in is not a number", True),
    (resp(content=b'{"access_token":"a","expires_in":NaN,"token_type":"JWT"}'), "finite", True),
    (resp(json={**GOOD, "expires_in": 0}), "already expired (expires_in = 0)", True),
    (resp(json={**GOOD, "expires_in": -30}), "already expired (expires_in = -30)", True),
    (resp(json={**GOOD, "expires_in": 10 * 365 * 86400}), "over a year", True),
    (resp(json={**GOOD, "expires_in": 0.2}), "lives 0.2 s, too short to use", True),
    (resp(json={**GOOD, "token_type": "Bearer"}), "'Bearer' token, not a JWT", True),
    (resp(json={**GOOD, "access_token": 12}), "not a printable ASCII string", True),
    (resp(json=[GOOD]), "JSON that is not an object", True),
    (resp(content=b"not json at all"), "a body that is not JSON", False),
    (
        resp(content=b"<html>hi</html>", headers={"content-type": "text/html"}),
        "an HTML page instead of a JSON token",
        False,
    ),
    (  # django-ratelimit's page (Django's generic 403): the only 403 that means "slow down"
        resp(403, content=RATELIMIT_PAGE, headers={"content-type": "text/html"}),
        "the token endpoint is rate limiting (403 HTML page); wait and retry",
        False,
    ),
    # any other 403 is a wrong (or blocked) token URL: permanent, the message says to check it
    (
        resp(
            403,
            content=b"<p>CSRF verification failed. Request aborted.</p>",
            headers={"content-type": "text/html"},
        ),
        "the token URL answered 403 and Django's CSRF failure page",
        True,
    ),
    (
        resp(
            403,
            content=b"<H2>The request could not be satisfied.</H2>",
            headers={"content-type": "text/html"},
        ),
        "the token URL answered 403 and a WAF or CDN block page",
        True,
    ),
    (
        resp(
            403, content=b"<html><h1>Forbidden</h1></html>", headers={"content-type": "text/html"}
        ),
        "the token URL answered 403 and an HTML page that is not the token endpoint's",
        True,
    ),
    (
        resp(403, json={"message": "Missing Authentication Token"}),
        "the token URL answered 403: Missing Authentication Token",
        True,
    ),
    (
        resp(401, json={"error": "invalid_client"}, headers={"www-authenticate": "Bearer"}),
        "rejected the client id or secret (invalid_client)",
        True,
    ),
    (resp(400, json={"error": "unsupported_grant_type"}), "unsupported_grant_type", True),
    (
        resp(400, json={"error": "invalid_request", "error_description": "Missing x\x1b[2J"}),
        "invalid_request): Missing x\\e[2J",
        True,
    ),
    (resp(400, json={"error": "invalid_grant"}), "invalid_grant", True),
    (resp(400, json={"error": "invalid_scope"}), "invalid_scope", True),
    (resp(401, content=b""), "refused the credentials (HTTP 401)", True),
    (resp(404, content=b"nope"), "token URL was not found (HTTP 404)", True),
    (resp(429, content=b"", headers={"retry-after": "7"}), "throttling", False),
    (resp(500, content=b"oops"), "failed (HTTP 500)", False),
    (resp(502, content=b"bad gateway"), "failed (HTTP 502)", False),
    (resp(503, json={"detail": "down"}), "failed (HTTP 503)", False),
    (resp(302, headers={"location": "https://elsewhere.example/"}), "redirected (HTTP 302)", True),
]


@pytest.mark.parametrize(("response", "words", "permanent"), BAD)
def test_bad_token_responses_become_clear_auth_errors(response, words, permanent):
    with pytest.raises(AuthError) as info:
        parse_token_response(response)
    error = info.value
    assert words in error.message
    assert error.permanent is permanent
    assert error.hint, "every error says what to do next"
    assert len(str(error).splitlines()) <= 2
    assert "\x1b" not in str(error)


def test_retry_after_is_kept_for_the_backoff():
    with pytest.raises(AuthError) as info:
        parse_token_response(resp(429, headers={"retry-after": "7"}))
    assert info.value.retry_after == 7.0


# --- expiry arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [(1, 0.5), (5, 2.5), (10, 5), (119, 59.5), (120, 60), (3600, 60), (MAX_LIFETIME, 60)],
)
def test_margin_is_at_most_60_s_and_half_the_lifetime(lifetime, margin):
    assert refresh_margin(lifetime) == margin


@pytest.mark.parametrize("lifetime", [1, 5, 10, 3600])
async def test_token_is_reused_until_the_margin_then_replaced(lifetime):
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=lifetime)
    async with make_session(fake, clock) as session:
        tm = session.tokens
        first = await tm.get_token()
        state = tm.state()
        assert state.issued_at == clock.time()
        assert state.expires_at == clock.time() + lifetime
        assert state.refresh_at == state.expires_at - refresh_margin(lifetime)
        assert state.status is TokenStatus.VALID

        clock.advance(lifetime - refresh_margin(lifetime) - 0.01)  # just before the margin
        assert await tm.get_token() == first
        assert fake.token_posts == 1

        clock.advance(0.02)  # inside the margin: the caller waits for a new token
        assert tm.state().status is TokenStatus.EXPIRING
        second = await tm.get_token()
        assert second != first
        assert fake.token_posts == 2
        assert tm.state().refresh_count == 1


async def test_ten_year_lifetime_is_refused_and_never_retried():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=10 * 365 * 86400)
    async with make_session(fake, clock) as session:
        with pytest.raises(AuthError, match="over a year"):
            await session.tokens.get_token()
        with pytest.raises(AuthError, match="over a year"):
            await session.tokens.get_token()
        assert fake.token_posts == 1
        state = session.tokens.state()
        assert state.status is TokenStatus.ERROR and state.extra["permanent"]


async def test_expiry_is_measured_from_just_before_the_post():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=100)

    def slow_token(request):  # the POST takes 30 s: expiry still counts from its start
        clock.advance(30)
        return httpx.Response(200, json={**GOOD, "expires_in": 100})

    fake.token_responses.append(slow_token)
    start = clock.time()
    async with make_session(fake, clock) as session:
        await session.tokens.get_token()
        assert session.tokens.state().expires_at == start + 100


async def test_wall_clock_jump_forward_is_noticed():
    """A laptop that slept: the monotonic clock stood still, the wall clock moved on."""
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=3600)
    async with make_session(fake, clock) as session:
        first = await session.tokens.get_token()
        clock.wall += 2 * 3600
        assert session.tokens.state().status is TokenStatus.EXPIRED
        assert session.tokens.current_token is None
        assert await session.tokens.get_token() != first
        assert fake.token_posts == 2


async def test_wall_clock_jump_backward_does_not_stretch_the_token():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=3600)
    async with make_session(fake, clock) as session:
        first = await session.tokens.get_token()
        clock.wall -= 2 * 3600  # NTP steps the clock back two hours
        clock.advance(3600 - 30)  # half a minute before the real expiry
        state = session.tokens.state()
        assert state.status is TokenStatus.EXPIRING
        assert state.seconds_left == pytest.approx(30)
        assert await session.tokens.get_token() != first
        assert fake.token_posts == 2


async def test_expired_token_is_never_handed_out_even_when_refresh_fails():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=60)
    async with make_session(fake, clock) as session:
        await session.tokens.get_token()
        clock.advance(61)
        fake.token_responses.append(httpx.Response(400, json={"error": "invalid_grant"}))
        with pytest.raises(AuthError, match="invalid_grant"):
            await session.tokens.get_token()
        assert session.tokens.current_token is None


async def test_failed_refresh_inside_the_margin_keeps_the_old_token_and_backs_off():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=600)
    async with make_session(fake, clock) as session:
        tm = session.tokens
        first = await tm.get_token()
        clock.advance(600 - 50)  # inside the 60 s margin, 50 s left
        fake.token_responses.append(httpx.Response(500, content=b"boom"))
        assert await tm.get_token() == first  # the refresh failed; the old token still works
        state = tm.state()
        assert state.status is TokenStatus.ERROR
        assert "HTTP 500" in state.last_error.message
        assert state.next_retry_at is not None and state.next_retry_at > clock.time()
        # while backing off, callers get the old token without hammering the endpoint
        assert await tm.get_token() == first
        assert fake.token_posts == 2
        # once the retry is due, the next caller fetches, and the error clears
        clock.advance(state.next_retry_at - clock.time())
        assert await tm.get_token() != first
        assert tm.state().status is TokenStatus.VALID and tm.state().last_error is None


async def test_invalidate_only_the_token_that_was_refused():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        tm = session.tokens
        first = await tm.get_token()
        tm.invalidate("some.other.token")
        assert await tm.get_token() == first
        tm.invalidate(first)
        assert tm.state().status is TokenStatus.EXPIRED
        second = await tm.get_token()
        tm.invalidate(first)  # a late 401 for the old token must not drop the new one
        assert await tm.get_token() == second
        assert fake.token_posts == 2


async def test_clock_skew_and_claims_are_shown():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=300)
    clock.wall += 0  # the fake server shares the clock; shift the client's view instead
    async with make_session(fake, clock) as session:
        await session.tokens.get_token()
        state = session.tokens.state()
        assert state.jwt_header == {"alg": "HS256", "typ": "JWT"}
        assert state.jwt_claims["exp"] == int(clock.time() + 300)
        assert state.clock_skew == pytest.approx(int(clock.time() + 300) - state.expires_at)
        assert state.jwt_error is None


async def test_malformed_jwt_is_shown_as_such_but_still_used():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.token_responses.append(httpx.Response(200, json={**GOOD, "access_token": "opaque"}))
    async with make_session(fake, clock) as session:
        assert await session.tokens.get_token() == "opaque"
        state = session.tokens.state()
        assert state.jwt_claims is None and "1 dot-separated parts" in state.jwt_error
        assert state.clock_skew is None


# --- single flight -------------------------------------------------------------------------


async def test_concurrent_callers_share_one_post():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.token_gate = asyncio.Event()
    async with make_session(fake, clock) as session:
        waiters = [asyncio.create_task(session.tokens.get_token()) for _ in range(100)]
        while fake.token_posts == 0:  # the one POST reached the server
            await asyncio.sleep(0)
        for _ in range(10):
            await asyncio.sleep(0)  # give every waiter a chance to start a second POST
        assert session.tokens.state().status is TokenStatus.FETCHING
        fake.token_gate.set()
        tokens = await asyncio.gather(*waiters)
        assert len(set(tokens)) == 1
        assert fake.token_posts == 1


async def test_hundred_concurrent_requests_on_an_expired_token_make_one_post():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=300)
    async with make_session(fake, clock) as session:
        await session.get_json("catalogs/")
        clock.advance(301)
        results = await asyncio.gather(*(session.get_json("catalogs/") for _ in range(100)))
        assert all(data["count"] == 45 for data, _ in results)
        assert fake.token_posts == 2  # the first token, then exactly one refresh
        assert fake.expired_seen == 0


async def test_a_cancelled_waiter_does_not_cancel_the_fetch_for_others():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.token_gate = asyncio.Event()
    async with make_session(fake, clock) as session:
        first = asyncio.create_task(session.tokens.get_token())
        second = asyncio.create_task(session.tokens.get_token())
        while fake.token_posts == 0:
            await asyncio.sleep(0)
        first.cancel()
        fake.token_gate.set()
        assert await second
        assert first.cancelled()
        assert fake.token_posts == 1


# --- subscribers and background refresh ---------------------------------------------------


async def test_subscribers_see_every_change():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        seen = []
        unsubscribe = session.tokens.subscribe(lambda s: seen.append(s.status))
        await session.tokens.get_token()
        await session.tokens.refresh()
        assert seen == [
            TokenStatus.FETCHING,
            TokenStatus.VALID,
            TokenStatus.REFRESHING,
            TokenStatus.VALID,
        ]
        unsubscribe()
        await session.tokens.refresh()
        assert len(seen) == 4


async def test_a_failing_subscriber_does_not_break_the_token_flow():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        session.tokens.subscribe(lambda s: 1 / 0)
        assert await session.tokens.get_token()


async def wait_for(tm, predicate):
    """Wait (on state changes, not on time) until predicate(state) holds."""
    done = asyncio.Event()
    unsubscribe = tm.subscribe(lambda s: predicate(s) and done.set())
    try:
        if not predicate(tm.state()):
            await done.wait()
    finally:
        unsubscribe()


async def test_background_refresh_keeps_a_live_token_while_idle():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=5)
    post_times: list[float] = []
    original = fake.token

    async def timed(request):
        post_times.append(clock.time())
        return await original(request)

    fake.token = timed
    async with make_session(fake, clock) as session:
        session.tokens.start_background()
        await wait_for(session.tokens, lambda s: s.refresh_count >= 3)
        # the first fetch at once, then one every lifetime - margin = 2.5 s, never late
        gaps = [b - a for a, b in zip(post_times, post_times[1:], strict=False)]
        assert gaps == pytest.approx([2.5] * len(gaps))
        assert max(clock.sleeps) <= 1.0  # short steps: clock jumps are noticed quickly


async def test_background_notices_a_wall_clock_jump():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=3600)
    async with make_session(fake, clock) as session:
        tm = session.tokens
        first = await tm.get_token()
        tm.start_background()
        while len(clock.sleeps) < 3:  # the loop is sleeping towards a refresh an hour away
            await asyncio.sleep(0)
        clock.wall += 4000  # the laptop slept past the token's expiry
        jumped_to = clock.wall
        await wait_for(tm, lambda s: s.refresh_count == 1 and s.status is TokenStatus.VALID)
        assert tm.current_token != first
        assert clock.wall - jumped_to <= 1.0  # noticed within one short step


async def test_background_retries_transient_failures_with_backoff():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=10)
    async with make_session(fake, clock) as session:
        tm = session.tokens
        await tm.get_token()
        fake.token_responses += [
            httpx.Response(500),
            httpx.Response(500),
        ]  # 500: not retried inline
        errors = []
        tm.subscribe(lambda s: s.status is TokenStatus.ERROR and errors.append(s))
        tm.start_background()
        await wait_for(tm, lambda s: s.refresh_count == 1)
        assert len(errors) == 2
        waits = [e.next_retry_at - e.now for e in errors]
        assert 0.8 <= waits[0] <= 1.2 and 1.6 <= waits[1] <= 2.4  # doubling, with jitter
        assert fake.token_posts == 4


async def test_background_stops_on_a_permanent_error():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=10)
    async with make_session(fake, clock) as session:
        tm = session.tokens
        await tm.get_token()
        fake.token_responses.append(httpx.Response(401, json={"error": "invalid_client"}))
        tm.start_background()
        await wait_for(tm, lambda s: s.status is TokenStatus.ERROR)
        steps = len(clock.sleeps)
        while len(clock.sleeps) < steps + 100:  # let the loop run 100 more steps (fake time)
            await asyncio.sleep(0)
        assert fake.token_posts == 2
        state = tm.state()
        assert state.extra["permanent"] and "invalid_client" in state.last_error.message
        assert "check the client id and secret" in state.last_error.hint
        with pytest.raises(AuthError, match="invalid_client"):
            await tm.get_token()  # no POST: it would fail the same way
        assert fake.token_posts == 2
        await tm.refresh()  # the person asked: try again
        assert fake.token_posts == 3 and tm.state().status is TokenStatus.VALID


async def test_closing_the_session_stops_the_background_task():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=5)
    async with make_session(fake, clock) as session:
        session.tokens.start_background()
        await wait_for(session.tokens, lambda s: s.status is TokenStatus.VALID)
        task = session.tokens._background
    assert task is not None and task.done()


async def test_permanent_refresh_error_keeps_using_the_old_token_until_it_expires():
    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=600)
    async with make_session(fake, clock) as session:
        tm = session.tokens
        first = await tm.get_token()
        clock.advance(600 - 30)  # inside the margin
        fake.token_responses.append(httpx.Response(401, json={"error": "invalid_client"}))
        assert await tm.get_token() == first  # the refresh was refused; the old one still works
        assert await tm.get_token() == first
        assert fake.token_posts == 2  # and the refused refresh is not repeated
        clock.advance(30)
        with pytest.raises(AuthError, match="invalid_client"):
            await tm.get_token()
        assert fake.token_posts == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=12), c, max_size=4),
    max_leaves=10,
)
token_like = st.fixed_dictionaries(
    {},
    optional={
        "access_token": json_values,
        "expires_in": json_values,
        "token_type": st.sampled_from(["JWT", "jwt", "Bearer", ""]) | json_values,
        "scope": json_values,
        "error": json_values,
        "error_description": json_values,
    },
)


@given(status=st.sampled_from([200, 400, 401, 403, 404, 429, 500, 503]), body=token_like)
def test_any_token_response_parses_or_fails_with_auth_error(status, body):
    import json as _json

    response = httpx.Response(status, content=_json.dumps(body).encode())
    try:
        grant = parse_token_response(response)
    except AuthError as exc:
        assert exc.message and exc.hint and "\x1b" not in str(exc)
    else:
        assert status == 200 and 1 <= grant.expires_in <= MAX_LIFETIME


async def test_a_faked_wall_clock_alone_also_drives_the_expiry():
    """Session(clock=frozen) without monotonic=: the token's time left follows the fake
    clock only (a TUI snapshot with a frozen clock must not drift with real time)."""
    from api_fake import API_ROOT, TOKEN_URL

    from edxtui.api import Credentials, Session

    clock = FakeClock()
    fake = FakeEdx(clock, expires_in=60)
    creds = Credentials(TOKEN_URL, API_ROOT, "id", "secret")
    async with Session(creds, transport=httpx.MockTransport(fake), clock=clock.time) as session:
        await session.tokens.get_token()
        # exactly 60: real time has passed meanwhile, but only the fake clock counts
        assert session.tokens.state().seconds_left == 60
        clock.wall += 30
        assert session.tokens.state().seconds_left == 30


async def test_a_throttled_token_endpoint_is_not_asked_again_until_its_wait_is_over():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.token_responses.append(
        httpx.Response(403, content=RATELIMIT_PAGE, headers={"content-type": "text/html"})
    )
    async with make_session(fake, clock) as session:
        tm = session.tokens
        for _ in range(3):
            with pytest.raises(AuthError, match="rate limiting"):
                await tm.get_token()
        assert fake.token_posts == 1
        clock.advance(tm.state().next_retry_at - clock.time())
        assert await tm.get_token()
        assert fake.token_posts == 2


def test_sent_token_names_recent_tokens_only_by_fingerprint():
    from edxtui.api.token_response import TokenGrant
    from edxtui.api.tokens import RECENT_TOKENS, TokenManager, fingerprint

    async def never(*_args, **_kwargs):
        raise AssertionError("no request")

    manager = TokenManager(never)
    values = [f"token-{n}" for n in range(RECENT_TOKENS + 2)]
    for value in values:
        grant = TokenGrant(access_token=value, expires_in=3600.0, token_type="JWT", scope="")
        manager._succeeded(grant, 0.0, 0.0)
    assert fingerprint(values[-1]) != values[-1] and values[-1] not in fingerprint(values[-1])
    assert manager.sent_token(fingerprint(values[-1])) == values[-1]
    assert manager.sent_token(fingerprint(values[2])) == values[2]
    assert manager.sent_token(fingerprint(values[1])) is None  # older than the last 8
    assert manager.sent_token(None) is None
