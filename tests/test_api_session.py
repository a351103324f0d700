"""The Session: the auth flow, retries, error messages, origins, the exchange log, curl."""

from __future__ import annotations

import random
import shlex
import ssl

import httpx
import pytest
from api_fake import API_ROOT, SECRET, TOKEN_URL, FakeClock, FakeEdx, make_session

from edxtui import __version__
from edxtui.api import (
    REDACTED,
    ApiError,
    ConfigError,
    OriginError,
    ResponseFormatError,
    RetryPolicy,
    ThrottledError,
    TransportError,
)


def api_log(session):
    return [(e.kind, e.status, e.attempt) for e in session.log]


# --- the client ----------------------------------------------------------------------------


def test_plain_http_sessions_skip_the_ca_bundle_but_still_verify():
    from edxtui.api.client_settings import tls_context
    from edxtui.api.credentials import Credentials

    def creds(token_url: str, api_root: str) -> Credentials:
        return Credentials(
            token_url=token_url, api_root=api_root, client_id="id", client_secret="s"
        )

    http = tls_context(
        creds("http://127.0.0.1:8000/oauth2/access_token", "http://127.0.0.1:8000/api/")
    )
    # no CA loaded (the start-up saving), yet any https hop is verified, and so refused
    assert isinstance(http, ssl.SSLContext)
    assert http.cert_store_stats()["x509_ca"] == 0
    assert http.verify_mode is ssl.CERT_REQUIRED and http.check_hostname
    # one https URL is enough for httpx's own default (certifi's CAs)
    assert tls_context(creds("HTTPS://edx.example/oauth2/access_token", "http://x/api/")) is True
    assert tls_context(creds("http://x/oauth2/access_token", "https://edx.example/api/")) is True


async def test_one_client_opened_in_the_loop_and_closed_on_exit():
    clock = FakeClock()
    fake = FakeEdx(clock)
    session = make_session(fake, clock)
    with pytest.raises(RuntimeError, match="not open"):
        session.client  # noqa: B018
    async with session:
        client = session.client
        await session.get_json("catalogs/")
        await session.get_json("catalogs/")
        assert session.client is client
    assert client.is_closed


async def test_token_request_follows_api_md():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        await session.get_json("catalogs/")
    form = fake.token_forms[0]
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id"],
        "client_secret": [SECRET],
        "token_type": ["jwt"],
    }
    headers = fake.token_headers[0]
    assert headers["x-token-type"] == "jwt"
    assert "authorization" not in headers  # the secret goes in the body, not Basic auth
    assert headers["user-agent"] == f"edxtui/{__version__}"
    api = fake.api_requests[0]
    assert api.headers["authorization"].startswith("JWT ")
    assert api.headers["user-agent"] == f"edxtui/{__version__}"


async def test_timeouts_are_explicit():
    clock = FakeClock()
    async with make_session(FakeEdx(clock), clock) as session:
        timeout = session.client.timeout
        assert timeout.connect == 5.0 and timeout.read == 60.0  # a cold page may take 30 s


# --- the auth flow -------------------------------------------------------------------------


async def test_401_refreshes_once_and_retries_once():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        await session.get_json("catalogs/")
        fake.revoke_all()
        data, exchange = await session.get_json("catalogs/")
        assert data["count"] == 45
        assert fake.token_posts == 2
        assert api_log(session) == [
            ("token", 200, 1),
            ("api", 200, 1),
            ("api", 401, 1),
            ("token", 200, 1),
            ("api", 200, 2),
        ]
        assert exchange.attempt == 2
        sent = fake.api_auth[1:]
        assert sent[0] != sent[1]  # the retry carried the new token


async def test_second_401_surfaces_as_a_readable_api_error():
    clock = FakeClock()
    fake = FakeEdx(clock)
    refused = httpx.Response(401, json={"detail": "Invalid token."})
    fake.api_responses += [refused, refused, refused]
    async with make_session(fake, clock) as session:
        with pytest.raises(ApiError) as info:
            await session.get_json("catalogs/")
    error = info.value
    assert error.status == 401
    assert "refused a freshly fetched token too" in error.message
    assert "Invalid token." in error.message
    assert "check the client id and secret" in error.hint
    assert fake.token_posts == 2 and len(fake.api_requests) == 2


async def test_cross_origin_redirect_drops_the_token():
    clock = FakeClock()
    fake = FakeEdx(clock)
    seen = {}

    def handler(request):
        if request.url.host == "cdn.example.net":
            seen["cdn"] = request.headers.get("authorization")
            return httpx.Response(200, json={"ok": True})
        if request.url.path.endswith("/moved/"):
            seen["same"] = request.headers.get("authorization")
            return httpx.Response(200, json={"ok": True})
        return None

    async def transport(request):
        return handler(request) or await fake(request)

    fake.api_responses += [
        httpx.Response(302, headers={"location": "https://cdn.example.net/file"}),
        httpx.Response(301, headers={"location": API_ROOT + "moved/"}),
    ]
    session = make_session(fake, clock)
    session._transport = httpx.MockTransport(transport)
    async with session:
        assert (await session.get_json("catalogs/"))[0] == {"ok": True}
        assert (await session.get_json("catalogs/"))[0] == {"ok": True}
    assert seen["cdn"] is None  # another origin never sees the token
    assert seen["same"].startswith("JWT ")  # the same origin does
    hops = [(e.url, e.status, e.attempt) for e in session.log if e.kind == "api"][:2]
    assert hops == [
        (API_ROOT + "catalogs/", 302, 1),
        ("https://cdn.example.net/file", 200, 1),  # a redirect hop is not a new attempt
    ]


# --- origins and URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/api/v1/catalogs/",
        "http://discovery.example.edu/api/v1/catalogs/",  # another scheme
        "https://discovery.example.edu:8443/api/v1/catalogs/",  # another port
        "//evil.example.com/catalogs/",
    ],
)
async def test_foreign_urls_are_refused_before_anything_is_sent(url):
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        with pytest.raises(OriginError, match="refusing to send the token"):
            await session.get(url)
    assert fake.token_posts == 0 and fake.api_requests == [] and len(session.log) == 0


def test_resolve_keeps_paths_under_the_api_root():
    session = make_session(FakeEdx(FakeClock()), FakeClock())
    assert session.resolve("catalogs/") == API_ROOT + "catalogs/"
    assert session.resolve(API_ROOT + "courses/?limit=2") == API_ROOT + "courses/?limit=2"
    assert session.resolve("https://DISCOVERY.example.edu:443/x") == (
        "https://discovery.example.edu/x"
    )


@pytest.mark.parametrize(
    ("field", "url"),
    [("token_url", "http://lms.example.edu/oauth2/access_token"), ("api_root", "http://d.org/")],
)
def test_plain_http_is_refused_for_non_loopback_hosts(field, url):
    with pytest.raises(ConfigError) as info:
        make_session(FakeEdx(FakeClock()), FakeClock(), **{field: url})
    assert "plain http" in info.value.message
    assert "insecure" in info.value.hint
    make_session(FakeEdx(FakeClock()), FakeClock(), insecure=True, **{field: url})


@pytest.mark.parametrize("host", ["127.0.0.1", "127.5.5.5", "localhost", "[::1]", "app.localhost"])
def test_plain_http_is_allowed_on_loopback(host):
    make_session(
        FakeEdx(FakeClock()),
        FakeClock(),
        token_url=f"http://{host}:8000/oauth2/access_token",
        api_root=f"http://{host}:8000/api/v1/",
    )


@pytest.mark.parametrize(
    ("creds", "words"),
    [
        ({"token_url": "ftp://x/"}, "token URL must be an http\\(s\\) URL"),
        ({"api_root": "catalogs"}, "API root must be an http\\(s\\) URL"),
        ({"client_id": ""}, "no client id"),
        ({"client_secret": ""}, "no client secret"),
    ],
)
def test_bad_credentials_are_config_errors(creds, words):
    with pytest.raises(ConfigError, match=words):
        make_session(FakeEdx(FakeClock()), FakeClock(), **creds)


# --- retries -------------------------------------------------------------------------------


def policy(**kw):
    return RetryPolicy(rng=random.Random(1), **kw)


async def test_503_is_retried_with_backoff_then_succeeds():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses += [httpx.Response(503), httpx.Response(502)]
    async with make_session(fake, clock, retry=policy()) as session:
        data, exchange = await session.get_json("catalogs/")
    assert data["count"] == 45 and exchange.attempt == 3
    assert [e.status for e in session.log if e.kind == "api"] == [503, 502, 200]
    assert len(clock.sleeps) == 2
    assert 0.25 <= clock.sleeps[0] <= 0.5 and 0.25 <= clock.sleeps[1] <= 1.0


async def test_retries_are_bounded():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses += [httpx.Response(504)] * 10
    async with make_session(fake, clock, retry=policy()) as session:
        with pytest.raises(ApiError) as info:
            await session.get_json("catalogs/")
    assert info.value.status == 504 and "timed out" in info.value.hint
    assert len(fake.api_requests) == 4  # the first try and 3 retries
    assert len(clock.sleeps) == 3


async def test_429_past_the_give_up_limit_ends_the_work_at_once():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses += [
        httpx.Response(429, headers={"retry-after": "3"}),
        httpx.Response(429, headers={"retry-after": "3600"}),
    ]
    async with make_session(fake, clock, retry=policy(retry_after_cap=20)) as session:
        with pytest.raises(ThrottledError) as info:
            await session.get_json("catalogs/")
        # a wait past the cap is not waited for: the work ends at once, with the time
        assert clock.sleeps == [3.0]
        assert info.value.retry_at == pytest.approx(clock.time() + 3600)
        assert info.value.message.startswith("throttled: the server allows more requests at ")
        assert "(in 60 min)" in info.value.message
        sent = len(fake.api_requests)
        with pytest.raises(ThrottledError):  # and nothing more is sent until then
            await session.get_json("catalogs/")
        assert len(fake.api_requests) == sent == 2
        assert session.budget.blocked_until == info.value.retry_at
        assert session.budget.last_throttle is not None
        assert session.budget.last_throttle.retry_at == info.value.retry_at


async def test_a_retry_after_under_the_give_up_limit_is_waited_capped():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses += [
        httpx.Response(429, headers={"retry-after": "3"}),
        httpx.Response(429, headers={"retry-after": "50"}),
    ]
    retry = policy(retry_after_cap=20, give_up_after=60)
    async with make_session(fake, clock, retry=retry) as session:
        await session.get_json("catalogs/")
    assert clock.sleeps == [3.0, 20.0]


async def test_429_without_retry_after_backs_off_with_jitter():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses += [httpx.Response(429)] * 2
    async with make_session(fake, clock, retry=policy()) as session:
        await session.get_json("catalogs/")
    assert len(clock.sleeps) == 2 and all(0 < s <= 1.0 for s in clock.sleeps)


async def test_429_that_persists_says_when_to_retry():
    clock = FakeClock()
    fake = FakeEdx(clock)
    body = {"detail": "Request was throttled. Expected available in 22 seconds."}
    fake.api_responses += [httpx.Response(429, json=body, headers={"retry-after": "22"})] * 4
    async with make_session(fake, clock, retry=policy()) as session:  # under the 30 s cap
        with pytest.raises(ApiError) as info:
            await session.get_json("catalogs/")
    assert "throttled" in info.value.message and "retry after 22 s" in info.value.hint


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (400, "parameters"),
        (403, "no permission on this resource"),
        (404, "not available on this server"),
        (500, "the server failed"),
    ],
)
async def test_other_errors_are_not_retried(status, hint):
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses.append(httpx.Response(status, json={"detail": "Not found."}))
    async with make_session(fake, clock, retry=policy()) as session:
        with pytest.raises(ApiError) as info:
            await session.get_json("catalogs/")
    assert len(fake.api_requests) == 1 and clock.sleeps == []
    assert info.value.status == status and hint in info.value.hint
    assert info.value.detail == "Not found."
    assert f"HTTP {status}" in info.value.message and "Not found." in info.value.message


async def test_server_detail_is_made_visible_and_truncated():
    clock = FakeClock()
    fake = FakeEdx(clock)
    detail = "\x1b]52;c;aGk=\x07[bold]x[/bold]" + "y" * 500
    fake.api_responses.append(httpx.Response(403, json={"detail": detail}))
    async with make_session(fake, clock) as session:
        with pytest.raises(ApiError) as info:
            await session.get_json("catalogs/")
    text = str(info.value)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\e]52;c;aGk=\\x07[bold]x[/bold]" in text
    assert len(info.value.detail) <= 200


def raising(exc_factory):
    """A transport that fails every API request with a fresh exception, tokens pass."""

    def build(fake):
        async def handler(request):
            if request.url.path.startswith("/oauth2/"):
                return await fake(request)
            fake.api_requests.append(request)
            raise exc_factory(request)

        return handler

    return build


def tls_error(request):
    try:
        raise ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")
    except ssl.SSLError as cause:
        try:
            raise httpx.ConnectError(str(cause), request=request) from cause
        except httpx.ConnectError as exc:
            return exc


@pytest.mark.parametrize(
    ("factory", "words", "attempts"),
    [
        (
            lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r),
            "connection refused by discovery.example.edu",
            4,
        ),
        (
            lambda r: httpx.ConnectError("[Errno -2] Name or service not known", request=r),
            "the host name discovery.example.edu does not resolve",
            1,
        ),
        (tls_error, "TLS connection to discovery.example.edu failed", 1),
        (lambda r: httpx.ConnectTimeout("timed out", request=r), "timed out connecting", 4),
        # a GET's read timeout is asked once more (a cold page is slow once), no more
        (lambda r: httpx.ReadTimeout("timed out", request=r), "did not answer in time", 2),
        (
            lambda r: httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=r
            ),
            "closed the connection without answering",
            4,
        ),
    ],
)
async def test_transport_failures_have_clear_messages(factory, words, attempts):
    clock = FakeClock()
    fake = FakeEdx(clock)
    session = make_session(fake, clock, retry=policy())
    session._transport = httpx.MockTransport(raising(factory)(fake))
    async with session:
        with pytest.raises(TransportError) as info:
            await session.get_json("catalogs/")
    assert words in info.value.message and info.value.hint
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert len(fake.api_requests) == attempts
    failed = [e for e in session.log if e.kind == "api"]
    assert len(failed) == attempts
    assert all(e.status is None and words in e.error for e in failed)
    assert [e.attempt for e in failed] == list(range(1, attempts + 1))


class CutShort(httpx.AsyncByteStream):
    async def __aiter__(self):
        yield b'{"count": 45, "res'
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: incomplete chunked read"
        )


async def test_truncated_body_is_named_as_such():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses += [lambda r: httpx.Response(200, stream=CutShort())] * 4
    async with make_session(fake, clock, retry=policy()) as session:
        with pytest.raises(TransportError) as info:
            await session.get_json("catalogs/")
    assert "closed the connection before the response was complete" in info.value.message
    assert len(fake.api_requests) == 4


async def test_non_json_2xx_is_a_response_format_error():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses.append(
        httpx.Response(200, content=b"<html>login</html>", headers={"content-type": "text/html"})
    )
    async with make_session(fake, clock) as session:
        with pytest.raises(ResponseFormatError) as info:
            await session.get_json("catalogs/")
    assert "not JSON (text/html, 18 bytes)" in info.value.message
    assert "API root" in info.value.hint


async def test_deeply_nested_json_is_a_clear_error_not_a_crash():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses.append(httpx.Response(200, content=b"[" * 200_000 + b"]" * 200_000))
    async with make_session(fake, clock) as session:
        with pytest.raises(ResponseFormatError):
            await session.get_json("catalogs/")


async def test_token_endpoint_errors_surface_through_requests():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.token_responses.append(httpx.Response(401, json={"error": "invalid_client"}))
    async with make_session(fake, clock) as session:
        from edxtui.api import AuthError

        with pytest.raises(AuthError, match="invalid_client"):
            await session.get_json("catalogs/")
    assert fake.api_requests == []
    assert api_log(session) == [("token", 401, 1)]


async def test_token_post_retries_on_503_but_not_on_a_redirect():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.token_responses += [httpx.Response(503), httpx.Response(503)]
    async with make_session(fake, clock, retry=policy()) as session:
        await session.tokens.get_token()
    assert fake.token_posts == 3
    clock2 = FakeClock()
    fake2 = FakeEdx(clock2)
    fake2.token_responses.append(
        httpx.Response(307, headers={"location": "https://evil.example.com/steal"})
    )
    async with make_session(fake2, clock2) as session:
        from edxtui.api import AuthError

        with pytest.raises(AuthError, match="redirected"):
            await session.tokens.get_token()
    assert fake2.token_posts == 1 and len(session.log) == 1  # the secret went nowhere else


# --- the exchange log and curl ------------------------------------------------------------


async def test_exchange_records_everything_with_secrets_redacted():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        response = await session.get("catalogs/", {"limit": 5})
        exchange = session.exchange_for(response)
        token = session.tokens.current_token
    token_ex, api_ex = list(session.log)
    assert api_ex is exchange
    assert (exchange.method, exchange.url) == ("GET", API_ROOT + "catalogs/?limit=5")
    assert (exchange.status, exchange.reason, exchange.http_version) == (200, "OK", "HTTP/1.1")
    assert exchange.body == response.content and exchange.size == len(response.content)
    assert exchange.started_at == clock.time() and exchange.elapsed >= 0
    assert exchange.content_type == "application/json"
    assert ("authorization", f"JWT {REDACTED}") in exchange.request_headers
    assert token_ex.kind == "token" and token_ex.url == TOKEN_URL
    assert b"client_secret=<redacted>" in token_ex.request_body
    assert SECRET.encode() not in token_ex.request_body
    assert b'"access_token":"<redacted>"' in token_ex.body
    assert token.encode() not in token_ex.body
    assert b'"expires_in":3600' in token_ex.body  # the rest is exact


async def test_cookies_are_redacted():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses.append(
        httpx.Response(200, json={}, headers={"set-cookie": "sessionid=abc123; HttpOnly"})
    )
    async with make_session(fake, clock) as session:
        _, exchange = await session.get_json("catalogs/")
    assert ("set-cookie", REDACTED) in exchange.response_headers


async def test_curl_hides_the_token_unless_revealed():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        _, exchange = await session.get_json("catalogs/", {"q": "it's a test"})
        token = session.tokens.current_token
        hidden = session.curl(exchange)
        shown = session.curl(exchange, reveal_token=True)
        token_cmd = session.curl(next(iter(session.log)), reveal_token=True)
    assert token not in hidden and "$EDXTUI_TOKEN" in hidden
    assert shlex.split(hidden) == [
        "curl",
        "-sS",
        "-H",
        "Authorization: JWT $EDXTUI_TOKEN",
        API_ROOT + "catalogs/?q=it%27s+a+test",
    ]
    assert shlex.split(shown)[3] == f"Authorization: JWT {token}"
    assert SECRET not in token_cmd and "$EDXTUI_CLIENT_SECRET" in token_cmd
    assert "token_type=jwt" in shlex.split(token_cmd)


async def test_log_is_bounded():
    clock = FakeClock()
    fake = FakeEdx(clock)
    from edxtui.api import ExchangeLog

    session = make_session(fake, clock)
    session.log = ExchangeLog(max_entries=3)
    async with session:
        for _ in range(5):
            await session.get_json("catalogs/")
    assert len(session.log) == 3


async def test_cookies_are_never_stored_or_sent():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.token_responses.append(
        lambda r: httpx.Response(
            200,
            json={"access_token": "a.b.c", "expires_in": 60, "token_type": "JWT"},
            headers={"set-cookie": "sessionid=lms-session; Domain=example.org; Path=/"},
        )
    )
    fake.api_responses.append(
        httpx.Response(200, json={}, headers={"set-cookie": "csrftoken=x; Path=/"})
    )
    async with make_session(fake, clock) as session:
        await session.get_json("catalogs/")
        await session.get_json("catalogs/")
        assert len(session.client.cookies.jar) == 0
    assert all("cookie" not in r.headers for r in fake.api_requests)


async def test_a_failing_log_subscriber_does_not_break_requests():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        session.log.subscribe(lambda exchange: 1 / 0)
        data, _ = await session.get_json("catalogs/")
    assert data["count"] == 45 and len(session.log) == 2


async def test_a_403_invalid_token_is_treated_like_a_401():
    """Some views answer a refused token with 403 (API.md): refresh and retry once."""
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses.append(httpx.Response(403, json={"detail": "Invalid token."}))
    async with make_session(fake, clock) as session:
        data, exchange = await session.get_json("catalogs/")
    assert data["count"] == 45 and exchange.attempt == 2 and fake.token_posts == 2


async def test_a_403_without_permission_is_not_retried():
    clock = FakeClock()
    fake = FakeEdx(clock)
    body = {"detail": "You do not have permission to perform this action."}
    fake.api_responses.append(httpx.Response(403, json=body))
    async with make_session(fake, clock) as session:
        with pytest.raises(ApiError) as info:
            await session.get_json("catalogs/")
    assert info.value.status == 403 and fake.token_posts == 1 and len(fake.api_requests) == 1
    assert "refused" not in info.value.message
