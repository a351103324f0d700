"""The fault matrix through the command line, against the real sandbox with its faults on.

Each case runs `edxtui.cli.main(argv)` in-process against the sandbox over loopback HTTP,
switches one fault on, and checks what a person sees and what the server saw:

- the exit code and a clear message naming the cause and the next step (text fragments),
- the number of attempts, read from the sandbox's counters (none repeated for permanent errors),
- the same process still works once the fault is cleared (a second command succeeds),
- no partial export file, and an older file left intact.

The CLI has no flag for timeouts or retry pauses, so the `cli` fixture sets the Session's
defaults for the test: a 1 s timeout and a sleep that records each pause and returns at once
(retry counts and Retry-After values are real, the waiting is not). A few subprocess cases
check the real entry point end to end.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fault_servers import (
    UNRESOLVABLE_HOST,
    ForeignServer,
    Reply,
    closed_port,
    json_reply,
    self_signed_context,
)

from edxtui import cli
from edxtui.api import AuthError, Session
from edxtui.api.tokens import TokenManager
from edxtui.sandbox.catalogs import CATALOG_ALL

TIMEOUT = httpx.Timeout(1.0)
SLOW = 3.0  # sandbox latency for the timeout cases: well above TIMEOUT


class Pauses:
    """Session's sleep for tests: records each requested pause, never waits."""

    def __init__(self) -> None:
        self.requested: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.requested.append(seconds)
        await asyncio.sleep(0)


@dataclass
class Run:
    code: int
    out: str
    err: str
    pauses: list[float] = field(default_factory=list)

    @property
    def said(self) -> str:
        return self.err.lower()


class Cli:
    """Runs `edxtui ...` in this process against a sandbox, one fresh Pauses per run."""

    def __init__(self, sandbox, monkeypatch, capsys) -> None:
        self.sandbox = sandbox
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        self.use(sandbox.token_url("openedx"), sandbox.api_root("openedx"))
        monkeypatch.setenv("EDXTUI_CLIENT_ID", sandbox.client_id)
        monkeypatch.setenv("EDXTUI_CLIENT_SECRET", sandbox.client_secret)
        monkeypatch.setitem(Session.__init__.__kwdefaults__, "timeout", TIMEOUT)

    def use(self, token_url: str, api_url: str) -> None:
        self._monkeypatch.setenv("EDXTUI_TOKEN_URL", token_url)
        self._monkeypatch.setenv("EDXTUI_API_URL", api_url)

    def set(self, name: str, value: str) -> None:
        self._monkeypatch.setenv(name, value)

    def __call__(self, *argv: str) -> Run:
        pauses = Pauses()
        self._monkeypatch.setitem(Session.__init__.__kwdefaults__, "sleep", pauses)
        self._capsys.readouterr()
        code = cli.main(list(argv))
        captured = self._capsys.readouterr()
        assert "Traceback" not in captured.err
        assert "internal error" not in captured.err, captured.err
        return Run(code, captured.out, captured.err, pauses.requested)

    def still_works(self) -> None:
        """The fault cleared, the same process serves the next command."""
        self.sandbox.reset()
        run = self("get", "catalogs/")
        assert run.code == 0, run.err
        assert json.loads(run.out)["count"] >= 1


@pytest.fixture
def run(sandbox, monkeypatch, capsys) -> Cli:
    return Cli(sandbox, monkeypatch, capsys)


def assert_says(run: Run, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment.lower() in run.said, f"{fragment!r} not in {run.err!r}"
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, f"want a one- or two-line message, got {run.err!r}"


# --- the token endpoint ---------------------------------------------------------------------

ALWAYS = -1
RETRIES = 3  # RetryPolicy.max_retries: a retryable failure is tried 1 + 3 times

TOKEN_FAULTS = [
    # id, faults, exit code, token requests, words the message must hold
    ("throttle-403-html", {"token_throttle": 1}, 1, 1, ["rate limiting", "403", "wait"]),
    ("429-retry-after", {"rate_limit": {"count": ALWAYS, "scope": "token", "retry_after": 7}},
     1, 1 + RETRIES, ["throttling", "429", "wait 7 s"]),
    ("429-no-retry-after", {"rate_limit": {"count": ALWAYS, "scope": "token"}},
     1, 1 + RETRIES, ["throttling", "429", "wait a minute"]),
    ("429-burst", {"rate_limit": {"count": 2, "scope": "token", "retry_after": 1}}, 0, 3, []),
    ("500", {"errors": {"count": ALWAYS, "scope": "token", "status": 500}},
     1, 1, ["token endpoint failed", "500"]),
    ("502-burst", {"errors": {"count": 3, "scope": "token", "status": 502}}, 0, 4, []),
    ("503-always", {"errors": {"count": ALWAYS, "scope": "token", "status": 503}},
     1, 1 + RETRIES, ["token endpoint failed", "503"]),
    ("not-json", {"not_json": {"count": 1, "scope": "token"}},
     1, 1, ["html page instead of a json token", "check that the token url"]),
    ("truncated-once", {"truncate": {"count": 1, "scope": "token"}}, 0, 2, []),
    ("truncated-always", {"truncate": {"count": ALWAYS, "scope": "token"}},
     1, 1 + RETRIES, ["before the response was complete", "try again"]),
    ("truncated-json", {"truncate": {"count": 1, "scope": "token", "mode": "json"}},
     1, 1, ["not json", "check that the token url"]),
    ("dropped-once", {"drop": {"count": 1, "scope": "token"}}, 0, 2, []),
    ("dropped-always", {"drop": {"count": ALWAYS, "scope": "token"}},
     1, 1 + RETRIES, ["closed the connection without answering", "try again"]),
    ("timeout", {"token_latency": SLOW}, 1, 1, ["did not answer in time", "try again later"]),
    ("expires-in-1s", {"expires_in": 1}, 0, 1, []),
    ("expires-in-0", {"expires_in": 0}, 1, 1, ["already expired", "expires_in = 0", "operators"]),
    ("expires-in-negative", {"expires_in": -30}, 1, 1, ["already expired", "= -30", "operators"]),
    ("expires-in-missing", {"expires_in_format": "missing"},
     1, 1, ["lacks expires_in", "check that the token url"]),
    ("expires-in-null", {"expires_in_format": "null"}, 1, 1, ["lacks expires_in"]),
    ("expires-in-string", {"expires_in_format": "string"}, 0, 1, []),  # "3600" reads as 3600
    ("expires-in-ten-years", {"expires_in": 10 * 365 * 24 * 3600},
     1, 1, ["not believable", "check the token url"]),
    ("clock-skew-plus-1h", {"clock_skew": 3600}, 0, 1, []),
    ("clock-skew-minus-1h", {"clock_skew": -3600}, 0, 1, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("faults", "code", "token_requests", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in TOKEN_FAULTS],
)
def test_token_endpoint_fault(run, sandbox, faults, code, token_requests, fragments):
    sandbox.faults.update(**faults)
    result = run("get", "catalogs/")
    assert result.code == code, result.err
    assert sandbox.counters.token_requests == token_requests
    if code == 0:
        assert json.loads(result.out)["count"] >= 1
        assert sandbox.counters.expired_token_requests == 0
    else:
        assert_says(result, *fragments)
        assert sandbox.counters.api_requests == 0  # no API call without a token
        assert result.out == ""
    run.still_works()


def test_token_429_waits_as_long_as_retry_after_says(run, sandbox):
    sandbox.faults.update(rate_limit={"count": 2, "scope": "token", "retry_after": 4})
    result = run("token")
    assert result.code == 0
    assert result.pauses == [4.0, 4.0]
    assert sandbox.counters.token_requests == 3


@pytest.mark.parametrize(
    "faults",
    [
        {"token_throttle": 1},
        {"errors": {"count": ALWAYS, "scope": "token", "status": 500}},
        {"errors": {"count": ALWAYS, "scope": "token", "status": 503}},
    ],
    ids=["403-html", "500", "503"],
)
def test_cli_token_error_does_not_promise_a_retry_it_will_not_make(run, sandbox, faults):
    sandbox.faults.update(**faults)
    result = run("token")
    assert result.code == 1
    assert "retries" not in result.said, result.err
    assert "try again" in result.said or "retry" in result.said


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("edxtui-sandbox", "not-the-secret"), ("nobody-knows-me", "sandbox-secret")],
    ids=["wrong-secret", "unknown-client"],
)
def test_rejected_credentials_are_not_retried(run, sandbox, client_id, secret):
    run.set("EDXTUI_CLIENT_ID", client_id)
    run.set("EDXTUI_CLIENT_SECRET", secret)
    result = run("token")
    assert result.code == 1 and result.out == ""
    assert_says(result, "invalid_client", "check the client id and secret")
    assert secret not in result.err
    assert sandbox.counters.token_requests == 1 and result.pauses == []
    run.set("EDXTUI_CLIENT_ID", sandbox.client_id)
    run.set("EDXTUI_CLIENT_SECRET", sandbox.client_secret)
    run.still_works()


async def test_unsupported_grant_is_permanent_until_refresh(sandbox):
    """The CLI always sends client_credentials; drive the core TokenManager with another grant."""
    grant = {"value": "password"}
    async with httpx.AsyncClient() as client:

        async def post() -> httpx.Response:
            form = {
                "grant_type": grant["value"],
                "client_id": sandbox.client_id,
                "client_secret": sandbox.client_secret,
                "token_type": "jwt",
            }
            return await client.post(sandbox.token_url("openedx"), data=form)

        tokens = TokenManager(post)
        with pytest.raises(AuthError) as caught:
            await tokens.get_token()
        err = caught.value
        assert err.permanent and err.oauth_error == "unsupported_grant_type"
        assert "unsupported_grant_type" in str(err) and "check the token URL" in err.hint
        with pytest.raises(AuthError):  # permanent: asking again sends nothing
            await tokens.get_token()
        assert sandbox.counters.token_requests == 1
        grant["value"] = "client_credentials"  # the person fixed it and asks explicitly
        await tokens.refresh()
        assert await tokens.get_token()
        assert sandbox.counters.token_requests == 2
        await tokens.aclose()


async def test_throttled_token_endpoint_is_not_hammered(sandbox):
    """With no token yet, calls during a token-endpoint failure wait for the scheduled retry
    instead of each sending a new POST (the 403 page means: slow down)."""
    sandbox.faults.update(token_throttle=ALWAYS)
    async with Session(sandbox.credentials()) as session:
        for _ in range(3):
            with pytest.raises(AuthError, match="rate limiting"):
                await session.get_json("catalogs/")
        state = session.tokens.state()
        assert sandbox.counters.token_requests == 1
        assert state.next_retry_at is not None and state.next_retry_at > state.now


# --- resource calls -------------------------------------------------------------------------

API_FAULTS = [
    # id, faults, exit code, API requests, words the message must hold
    ("403-html", {"errors": {"count": 1, "status": 403}}, 1, 1, ["http 403", "no permission"]),
    ("429-retry-after", {"rate_limit": {"count": ALWAYS, "retry_after": 9}},
     1, 1 + RETRIES, ["429", "throttling", "retry after 9 s"]),
    ("429-no-retry-after", {"rate_limit": ALWAYS},
     1, 1 + RETRIES, ["429", "throttling", "wait a minute"]),
    ("429-burst", {"rate_limit": {"count": 2, "retry_after": 1}}, 0, 3, []),
    ("500", {"errors": {"count": ALWAYS, "status": 500}}, 1, 1, ["http 500", "try again later"]),
    ("502-burst", {"errors": {"count": 3, "status": 502}}, 0, 4, []),
    ("502-always", {"errors": {"count": ALWAYS, "status": 502}},
     1, 1 + RETRIES, ["http 502", "gateway", "try again later"]),
    ("503-always", {"errors": {"count": ALWAYS, "status": 503}},
     1, 1 + RETRIES, ["http 503", "unavailable", "try again later"]),
    ("truncated-once", {"truncate": 1}, 0, 2, []),
    ("truncated-always", {"truncate": ALWAYS},
     1, 1 + RETRIES, ["before the response was complete", "try again"]),
    ("dropped-once", {"drop": 1}, 0, 2, []),
    ("dropped-always", {"drop": ALWAYS},
     1, 1 + RETRIES, ["closed the connection without answering", "try again"]),
    # a GET's read timeout is asked once more (a cold page is slow only once)
    ("timeout", {"api_latency": SLOW}, 1, 2, ["did not answer in time", "try again later"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("faults", "code", "api_requests", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in API_FAULTS],
)
def test_resource_fault(run, sandbox, faults, code, api_requests, fragments):
    sandbox.faults.update(**faults)
    result = run("get", "catalogs/")
    assert result.code == code, result.err
    assert sandbox.counters.api_requests == api_requests
    assert sandbox.counters.token_requests == 1  # one token, whatever the retries
    if code == 0:
        assert json.loads(result.out)["count"] >= 1
    else:
        assert_says(result, *fragments)
        assert result.out == ""
    run.still_works()


def test_resource_429_waits_as_long_as_retry_after_says(run, sandbox):
    sandbox.faults.update(rate_limit={"count": 3, "retry_after": 2})
    result = run("get", "catalogs/")
    assert result.code == 0
    assert result.pauses == [2.0, 2.0, 2.0]


@pytest.mark.parametrize(
    "faults",
    [{"not_json": 1}, {"truncate": {"count": 1, "mode": "json"}}],
    ids=["not-json", "truncated-json"],
)
def test_all_pages_with_a_body_that_is_not_json(run, sandbox, faults):
    """The server's fault, not the user's: exit 1 and no advice to change the command line."""
    sandbox.faults.update(**faults)
    result = run("get", "catalogs/", "--all-pages")
    assert result.code == 1, result.err
    assert_says(result, "not json", "check that the api root")
    assert "--all-pages" not in result.err
    assert sandbox.counters.api_requests == 1
    run.still_works()


def test_all_pages_of_a_single_resource_still_says_drop_all_pages(run, sandbox):
    result = run("get", f"catalogs/{CATALOG_ALL}/", "--all-pages")
    assert result.code == 2
    assert_says(result, "drop --all-pages")


# --- export: never a partial file -----------------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "fragments"),
    [
        ({"not_json": 1}, ["not json"]),
        ({"truncate": {"count": 1, "mode": "json"}}, ["not json"]),
        ({"errors": {"count": ALWAYS, "status": 500}}, ["http 500"]),
        ({"errors": {"count": ALWAYS, "status": 503}}, ["http 503"]),
        ({"drop": ALWAYS}, ["without answering"]),
        ({"rate_limit": ALWAYS}, ["429"]),
        ({"token_throttle": 1}, ["rate limiting"]),
        ({"expires_in": 0}, ["already expired"]),
    ],
    ids=["not-json", "truncated-json", "500", "503", "dropped", "429", "token-403", "expires-0"],
)
def test_failed_export_leaves_no_file_and_the_old_one_intact(
    run, sandbox, tmp_path, faults, fragments
):
    fresh, old = tmp_path / "fresh.jsonl", tmp_path / "old.jsonl"
    old.write_text("the previous export\n")
    for target in (fresh, old):
        sandbox.reset()
        sandbox.faults.update(**faults)
        result = run("export", str(CATALOG_ALL), "-o", str(target), "--no-progress")
        assert result.code == 1, result.err
        assert_says(result, *fragments)
    assert not fresh.exists()
    assert old.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.jsonl"]  # no temp file left
    run.still_works()


def _after_requests(sandbox, n: int, action) -> threading.Thread:
    """Run `action` in a thread as soon as the sandbox has seen `n` API requests."""

    def watch() -> None:
        if sandbox.counters.wait_until(lambda c: c.api_requests >= n, timeout=20):
            action()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_export_failing_midway_leaves_no_file(run, sandbox, tmp_path):
    target = tmp_path / "courses.json"
    target.write_text("[]")
    sandbox.faults.update(api_latency=0.05)  # keep the export running while the fault lands
    watcher = _after_requests(
        sandbox, 5, lambda: sandbox.faults.update(errors={"count": ALWAYS, "status": 500})
    )
    result = run(
        "export", str(CATALOG_ALL), "-o", str(target), "--page-size", "5", "--concurrency", "2"
    )
    watcher.join(timeout=5)
    assert result.code == 1
    assert_says(result, "http 500")
    pages = -(-sandbox.app.config.courses // 5)
    assert 5 <= sandbox.counters.api_requests < pages  # it stopped early, mid-way
    assert target.read_text() == "[]"
    assert [p.name for p in tmp_path.iterdir()] == ["courses.json"]


def test_token_revoked_mid_export_is_replaced_once(run, sandbox, tmp_path):
    target = tmp_path / "courses.jsonl"
    sandbox.faults.update(api_latency=0.05)
    watcher = _after_requests(sandbox, 4, sandbox.revoke_tokens)
    result = run(
        "export", str(CATALOG_ALL), "-o", str(target), "--page-size", "10", "--concurrency", "3"
    )
    watcher.join(timeout=5)
    assert result.code == 0, result.err
    keys = [json.loads(line)["key"] for line in target.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == sandbox.app.config.courses
    assert sandbox.counters.invalid_token_requests >= 1  # the revoke did bite mid-way
    assert sandbox.counters.token_requests == 2  # one replacement, shared by every request
    assert sandbox.counters.expired_token_requests == 0


# --- hosts that cannot be reached ----------------------------------------------------------


def _attempts(result: Run, method: str) -> int:
    return sum(1 for line in result.err.splitlines() if f": {method} " in line)


@pytest.mark.parametrize("where", ["token", "api"])
def test_connection_refused(run, sandbox, where):
    port = closed_port()
    if where == "token":
        run.use(f"http://127.0.0.1:{port}/oauth2/access_token", sandbox.api_root("openedx"))
    else:
        run.use(sandbox.token_url("openedx"), f"http://127.0.0.1:{port}/api/v1/")
    result = run("get", "catalogs/", "-v")
    assert result.code == 1
    message = [line for line in result.err.splitlines() if " -> " not in line]
    assert f"connection refused by 127.0.0.1:{port}" in message[0]
    assert "not running" in message[1]
    # refused before anything was sent: safe to retry, with growing pauses
    assert _attempts(result, "POST" if where == "token" else "GET") == 1 + RETRIES
    assert len(result.pauses) == RETRIES
    assert all(0 < pause <= 0.5 * 2**i for i, pause in enumerate(result.pauses))  # backoff
    assert sandbox.counters.token_requests == (0 if where == "token" else 1)
    run.use(sandbox.token_url("openedx"), sandbox.api_root("openedx"))
    run.still_works()


@pytest.mark.parametrize("where", ["token", "api"])
def test_host_that_does_not_resolve(run, sandbox, where):
    if where == "token":
        run.use(f"https://{UNRESOLVABLE_HOST}/oauth2/access_token", sandbox.api_root("openedx"))
    else:
        run.use(sandbox.token_url("openedx"), f"https://{UNRESOLVABLE_HOST}/api/v1/")
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, f"host name {UNRESOLVABLE_HOST}", "does not resolve", "check the url")
    assert result.pauses == []  # a name that does not resolve is not retried
    assert sandbox.counters.token_requests == (0 if where == "token" else 1)
    run.use(sandbox.token_url("openedx"), sandbox.api_root("openedx"))
    run.still_works()


@pytest.mark.parametrize("where", ["token", "api"])
def test_tls_to_a_plain_http_port(run, sandbox, where):
    https = sandbox.base_url.replace("http://", "https://")
    if where == "token":
        run.use(f"{https}/oauth2/access_token", sandbox.api_root("openedx"))
    else:
        run.use(sandbox.token_url("openedx"), f"{https}/api/v1/")
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, "tls connection", "failed", "certificate")
    assert result.pauses == []
    assert sandbox.counters.token_requests == (0 if where == "token" else 1)
    assert sandbox.counters.api_requests == 0
    run.use(sandbox.token_url("openedx"), sandbox.api_root("openedx"))
    run.still_works()


def test_tls_self_signed_certificate(run, sandbox, tmp_path):
    context = self_signed_context(tmp_path)
    if context is None:
        pytest.skip("openssl is not installed")
    with ForeignServer(lambda method, path: json_reply({}), tls=context) as server:
        run.use(sandbox.token_url("openedx"), f"{server.base_url}/api/v1/")
        result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, "tls connection to 127.0.0.1", "certificate")
    assert result.pauses == [] and server.seen == []  # nothing got past the handshake


# --- links and redirects to another origin ---------------------------------------------------


def test_pagination_next_to_another_host_is_not_followed(run, sandbox):
    """A page served by server A whose `next` points to server B (the sandbox, which would
    accept the token): B must receive nothing."""

    def page(method: str, path: str) -> Reply:
        return json_reply(
            {"count": 40, "next": sandbox.api_root("openedx") + "catalogs/?offset=20",
             "previous": None, "results": [{"id": n} for n in range(20)]}
        )  # fmt: skip

    with ForeignServer(page) as server:
        run.use(sandbox.token_url("openedx"), f"{server.base_url}/api/v1/")
        result = run("get", "catalogs/", "--all-pages")
    assert result.code == 1
    assert_says(result, "refusing to send the token to http://127.0.0.1", "own server")
    assert len(server.seen) == 1
    assert sandbox.counters.api_requests == 0


def test_sandbox_links_to_another_origin_are_not_followed(run, sandbox):
    """The same, with the sandbox itself writing next/previous on another origin."""
    with ForeignServer(lambda m, p: json_reply({})) as elsewhere:
        sandbox.faults.update(links_origin=elsewhere.base_url)
        result = run("get", "catalogs/", "--param", "limit=2", "--all-pages")
    assert result.code == 1
    assert_says(result, f"refusing to send the token to {elsewhere.base_url}")
    assert elsewhere.seen == [] and sandbox.counters.api_requests == 1
    run.still_works()


def test_redirect_to_another_origin_drops_the_token(run, sandbox):
    with ForeignServer(lambda m, p: json_reply({"count": 0, "results": []})) as target:
        redirect = Reply(302, b"", {"Location": f"{target.base_url}/elsewhere/"})
        with ForeignServer(lambda m, p: redirect) as origin:
            run.use(sandbox.token_url("openedx"), f"{origin.base_url}/api/v1/")
            run("get", "catalogs/")
    assert origin.seen and all("authorization" in s.headers for s in origin.seen)
    assert target.seen, "the redirect was not followed at all"
    assert all("authorization" not in s.headers for s in target.seen)
    run.use(sandbox.token_url("openedx"), sandbox.api_root("openedx"))
    run.still_works()


def test_token_endpoint_redirect_never_resends_the_secret(run, sandbox):
    redirect = Reply(307, b"", {"Location": sandbox.token_url("openedx")})
    with ForeignServer(lambda m, p: redirect) as origin:
        run.use(f"{origin.base_url}/oauth2/access_token", sandbox.api_root("openedx"))
        result = run("token")
    assert result.code == 1
    assert_says(result, "redirected (http 307)", "set the token url to the final address")
    assert sandbox.counters.token_requests == 0
    assert len(origin.seen) == 1


# --- the real entry point, as a separate process --------------------------------------------


def _subprocess(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "edxtui", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("case", "fragments"),
    [
        ("wrong-secret", ["invalid_client"]),
        ("unresolvable", ["does not resolve"]),
        ("server-500", ["http 500"]),
    ],
)
def test_subprocess_fails_cleanly(sandbox, case, fragments):
    env = {
        "EDXTUI_TOKEN_URL": sandbox.token_url("openedx"),
        "EDXTUI_API_URL": sandbox.api_root("openedx"),
        "EDXTUI_CLIENT_ID": sandbox.client_id,
        "EDXTUI_CLIENT_SECRET": sandbox.client_secret,
    }
    if case == "wrong-secret":
        env["EDXTUI_CLIENT_SECRET"] = "wrong-secret-value"
    elif case == "unresolvable":
        env["EDXTUI_API_URL"] = f"https://{UNRESOLVABLE_HOST}/api/v1/"
    else:
        sandbox.faults.update(errors={"count": ALWAYS, "status": 500})
    proc = _subprocess(["get", "catalogs/"], env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2 and all(line.startswith("edxtui: ") for line in lines)
    for fragment in fragments:
        assert fragment in proc.stderr.lower()
    assert env["EDXTUI_CLIENT_SECRET"] not in proc.stderr
    sandbox.reset()
    env["EDXTUI_CLIENT_SECRET"] = sandbox.client_secret
    env["EDXTUI_API_URL"] = sandbox.api_root("openedx")
    proc = _subprocess(["get", "catalogs/"], env)
    assert proc.returncode == 0 and json.loads(proc.stdout)["count"] >= 1, proc.stderr


def test_config_file_untouched_by_failures(run, sandbox, isolated_config: Path):
    """No failing command writes the config (it holds the secret in file mode)."""
    sandbox.faults.update(errors={"count": ALWAYS, "status": 500, "scope": "any"})
    run("get", "catalogs/")
    run("token")
    assert not isolated_config.exists() or not any(isolated_config.iterdir())
