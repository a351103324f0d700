"""How real deployments differ (issue 16, API.md), through the command line and the core,
against the real sandbox over loopback HTTP(S) with its deployment switches on.

Each case checks what a person sees (a one- or two-line message), how many requests the
sandbox counted, and that nothing was lost (every course once, or no file at all). The CLI
runs in-process with the Session defaults test_faults_cli.py sets (a 1 s timeout, pauses
recorded and skipped).
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from sandbox_fixtures import HTTPS_COURSES
from test_faults_cli import ALWAYS, Cli, Run, assert_says

from edxtui import cli
from edxtui.api import Session, ThrottledError, catalog
from edxtui.api.budget import WINDOW, RequestBudget
from edxtui.api.urls import upgrade_link
from edxtui.sandbox.catalogs import CATALOG_ALL

COURSES = HTTPS_COURSES  # the "All courses" catalog of the https sandbox: 26 pages of 100
THROTTLED = re.compile(r"allows more requests at \d\d:\d\d \(in 60 min\)")


@pytest.fixture
def run(sandbox, monkeypatch, capsys) -> Cli:
    return Cli(sandbox, monkeypatch, capsys)


def keys(records: list[dict]) -> list[str]:
    return [r["key"] for r in records]


# --- 1. http links on an https deployment -----------------------------------------------------


def test_an_http_link_to_the_https_roots_own_host_becomes_https():
    root = "https://discovery.example.edu/api/v1/"
    link = "http://discovery.example.edu/api/v1/courses/?offset=20"
    assert upgrade_link(link, root) == "https://discovery.example.edu/api/v1/courses/?offset=20"
    # an explicit port is kept (a proxy on 8443 writes http://host:8443/...)
    assert upgrade_link(
        "http://Discovery.example.edu:8443/a/", "https://discovery.example.edu:8443/"
    ) == ("https://Discovery.example.edu:8443/a/")
    # another host, an http API root, an https link: left alone (the origin check decides)
    for link, root in [
        ("http://elsewhere.example/a/", "https://discovery.example.edu/"),
        ("http://127.0.0.1:8000/a/", "http://127.0.0.1:8000/"),
        ("https://discovery.example.edu/a/", "https://discovery.example.edu/"),
    ]:
        assert upgrade_link(link, root) == link


@pytest.fixture
def https_run(big_https_sandbox, monkeypatch, capsys) -> Cli:
    sb = big_https_sandbox
    sb.reset()
    sb.faults.update(http_links=True)
    runner = Cli(sb, monkeypatch, capsys)
    runner.use(sb.token_url(https=True), sb.api_root(https=True))
    runner.set("SSL_CERT_FILE", sb.ca_file)  # the client trusts the sandbox's own CA
    yield runner
    sb.reset()


def test_https_with_http_links_pages_through_2600_courses_in_get_all_pages(
    https_run, big_https_sandbox
):
    sb = big_https_sandbox
    first = https_run("get", f"catalogs/{CATALOG_ALL}/courses/", "--param", "limit=100", "--raw")
    assert json.loads(first.out)["next"].startswith("http://")  # the switch is really on
    sb.reset()
    sb.faults.update(http_links=True)
    path = f"catalogs/{CATALOG_ALL}/courses/"
    result = https_run("get", path, "--param", "limit=100", "--all-pages", "--raw")
    assert result.code == 0, result.err
    assert result.err == ""  # no count warning
    courses = json.loads(result.out)
    assert len(courses) == COURSES == len(set(keys(courses)))  # nothing lost, nothing twice
    assert sb.counters.api_requests == COURSES // 100 and sb.counters.token_requests == 1


def test_https_with_http_links_exports_2600_courses(https_run, big_https_sandbox, tmp_path):
    """The export pages by offset on the API root: it never follows a link at all."""
    out = tmp_path / "all.jsonl"
    result = https_run("export", str(CATALOG_ALL), "-o", str(out), "--no-progress")
    assert result.code == 0, result.err
    assert_says(result, f"wrote {COURSES} courses")
    lines = out.read_text().splitlines()
    assert len(lines) == COURSES == len({json.loads(line)["key"] for line in lines})
    assert big_https_sandbox.counters.api_requests == COURSES // 100


def test_an_http_link_to_another_port_is_still_refused(https_run, big_https_sandbox):
    """Upgraded to https it would still be another origin (the sandbox's plain-http port):
    refused before anything is sent, so the token never goes over http."""
    sb = big_https_sandbox
    sb.faults.update(links_origin=sb.base_url)
    result = https_run("get", "catalogs/", "--param", "limit=2", "--all-pages")
    assert result.code == 1
    port = sb.base_url.rsplit(":", 1)[1]  # shown as it would have been followed: https
    assert_says(result, f"refusing to send the token to https://127.0.0.1:{port}")
    assert sb.counters.api_requests == 1


# --- 2. a server that ignores paging -----------------------------------------------------------


def test_export_stops_when_the_gateway_drops_the_query_string(run, sandbox, tmp_path):
    sandbox.faults.update(gateway=True, gateway_drops_query=True)
    run.use(sandbox.token_url("edx"), sandbox.api_root("edx"))
    out = tmp_path / "all.jsonl"
    result = run("export", str(CATALOG_ALL), "-o", str(out), "--no-progress")
    assert result.code == 1, result.err
    assert_says(
        result,
        "the server returned the same page again: it ignores limit/offset; "
        "20 of 300 courses are reachable through this API root",
    )
    assert sandbox.counters.api_requests == 2  # the first page, the second alone: no burst
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_get_all_pages_stops_on_the_same_page_again(run, sandbox):
    """A server whose next link (its own origin) brings the first page back."""
    from fault_servers import ForeignServer, json_reply

    holder: dict[str, str] = {}

    def page(method: str, path: str):
        return json_reply(
            {"count": 60, "next": holder["base"] + "/api/v1/catalogs/?offset=20",
             "previous": None, "results": [{"id": n} for n in range(20)]}
        )  # fmt: skip

    with ForeignServer(page) as server:
        holder["base"] = server.base_url
        run.use(sandbox.token_url("openedx"), f"{server.base_url}/api/v1/")
        result = run("get", "catalogs/", "--all-pages")
    assert result.code == 1 and result.out == ""
    assert_says(result, "same page again", "20 of 60 results are reachable")
    assert len(server.seen) == 2  # no loop


def test_get_all_pages_behind_the_gateway_never_follows_its_upstream_link(run, sandbox):
    """With the query dropped, the gateway's next points at discovery's own host: another
    origin, refused before anything is sent there."""
    sandbox.faults.update(gateway=True, gateway_drops_query=True)
    run.use(sandbox.token_url("edx"), sandbox.api_root("edx"))
    result = run("get", f"catalogs/{CATALOG_ALL}/courses/", "--all-pages")
    assert result.code == 1
    assert_says(result, "refusing to send the token to https://discovery.edx.org")
    assert sandbox.counters.api_requests == 1


# --- 3. what a 403 from the token URL means ---------------------------------------------------

CHECK_TOKEN_URL = ["check the token url", "/oauth2/access_token", "/oauth2/v1/access_token"]


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("csrf_failure", "403 and django's csrf failure page"),
        ("waf_block", "403 and a waf or cdn block page"),
    ],
)
def test_a_403_page_from_the_token_url_is_a_configuration_error(run, sandbox, rule, says):
    sandbox.faults.update(**{rule: {"count": ALWAYS, "scope": "token"}})
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, says, *CHECK_TOKEN_URL)
    assert sandbox.counters.token_requests == 1 and sandbox.counters.api_requests == 0
    assert result.pauses == []  # not retried
    run.still_works()


def test_a_token_url_on_an_lms_page_gets_the_csrf_page(run, sandbox):
    run.use(sandbox.base_url + "/login", sandbox.api_root("openedx"))
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, "csrf", *CHECK_TOKEN_URL)
    assert sandbox.counters.api_requests == 0


def test_the_gateways_json_403_at_the_token_url_is_a_configuration_error(run, sandbox):
    sandbox.faults.update(gateway=True)
    run.use(sandbox.base_url + "/catalog/v1/oauth2/access_token", sandbox.api_root("edx"))
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, "403: missing authentication token", *CHECK_TOKEN_URL)
    assert result.pauses == [] and sandbox.counters.api_requests == 1  # the gateway's 403


def test_the_rate_limit_page_stays_a_rate_limit(run, sandbox):
    sandbox.faults.update(token_throttle=1)
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, "rate limiting", "wait")
    assert sandbox.counters.token_requests == 1


# --- 4. hour-scale throttling -----------------------------------------------------------------


def test_an_hour_long_retry_after_ends_get_all_pages_at_once(run, sandbox):
    sandbox.app.throttle.timer = lambda: 1_000_000.0  # the budget's clock stands still
    sandbox.faults.update(rate="3/hour")
    result = run("get", "catalogs/", "--param", "limit=1", "--all-pages")
    assert result.code == 1 and result.out == ""
    assert_says(result, "throttled: the server")
    assert THROTTLED.search(result.err), result.err
    assert result.pauses == []  # not waited for, not retried
    assert sandbox.counters.throttled == 1
    assert sandbox.counters.api_requests == 4  # three pages, the refused fourth, no more


def test_an_hour_long_retry_after_ends_the_export_at_once(run, sandbox, tmp_path):
    sandbox.app.throttle.timer = lambda: 1_000_000.0
    sandbox.faults.update(rate="3/hour")
    out = tmp_path / "all.csv"
    result = run(
        "export", str(CATALOG_ALL), "-o", str(out), "--page-size", "50", "--concurrency", "1",
        "--no-progress",
    )  # fmt: skip
    assert result.code == 1
    assert THROTTLED.search(result.err), result.err
    assert sandbox.counters.api_requests == 4 and sandbox.counters.throttled == 1
    assert list(tmp_path.iterdir()) == []


def test_an_hour_long_retry_after_from_the_token_endpoint(run, sandbox):
    sandbox.faults.update(rate_limit={"count": ALWAYS, "scope": "token", "retry_after": 3600})
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, "throttled: the token endpoint allows more requests at")
    assert THROTTLED.search(result.err), result.err
    assert sandbox.counters.token_requests == 1 and sandbox.counters.api_requests == 0


def test_a_short_retry_after_is_still_waited_for(run, sandbox):
    sandbox.app.throttle.timer = lambda: 1_000_000.0
    sandbox.faults.update(rate_limit={"count": 1, "retry_after": 7})
    result = run("get", "catalogs/")
    assert result.code == 0, result.err
    assert result.pauses == [7.0] and sandbox.counters.api_requests == 2


def test_the_gateways_message_body_is_shown_like_detail(run, sandbox):
    sandbox.faults.update(gateway=True)
    run.use(sandbox.token_url("edx"), sandbox.api_root("edx"))
    result = run("get", "courses/")
    assert result.code == 1
    assert_says(result, "http 403", "missing authentication token", "gateway")
    assert sandbox.counters.api_requests == 1  # not taken for a refused token: no refresh


async def test_the_throttle_verdict_is_kept_and_nothing_more_is_sent(sandbox):
    sandbox.app.throttle.timer = lambda: 1_000_000.0
    sandbox.faults.update(rate="1/hour")
    async with Session(sandbox.credentials()) as session:
        await session.get_json("catalogs/")
        with pytest.raises(ThrottledError) as info:
            await session.get_json("catalogs/")
        sent = sandbox.counters.api_requests
        with pytest.raises(ThrottledError):
            await session.get_json("organizations/")
        assert sandbox.counters.api_requests == sent == 2
        verdict = session.budget.last_throttle
        assert verdict is not None and verdict.status == 429 and not verdict.token
        assert verdict.retry_at == info.value.retry_at == session.budget.blocked_until
        assert session.budget.last_hour == 3  # the token POST and the two GETs


# --- 5. restricted applications ---------------------------------------------------------------


def test_a_restricted_application_is_named_after_the_one_refresh(run, sandbox):
    run.set("EDXTUI_CLIENT_ID", "edxtui-restricted-jwt")
    run.set("EDXTUI_CLIENT_SECRET", "restricted-jwt-secret")
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(
        result,
        "restricted application",
        "is_restricted",
        "ask the edx/open edx operator for an unrestricted application",
        "scopes",
    )
    assert sandbox.counters.token_requests == 2 and sandbox.counters.api_requests == 2


def test_a_revoked_token_of_a_normal_application_is_not_called_restricted(run, sandbox):
    sandbox.faults.update(auth_status=401)
    result = run("get", "catalogs/")
    assert "restricted" not in result.said


# --- 6. slow cold pages -----------------------------------------------------------------------


def test_the_read_timeout_lets_a_cold_page_take_30_seconds():
    from edxtui.api.session import DEFAULT_TIMEOUT

    assert DEFAULT_TIMEOUT.read is not None and DEFAULT_TIMEOUT.read >= 30


def _run_with_sleep(runner: Cli, monkeypatch, capsys, sleep, *argv: str) -> Run:
    monkeypatch.setitem(Session.__init__.__kwdefaults__, "sleep", sleep)
    capsys.readouterr()
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def test_a_cold_page_that_times_out_is_asked_once_more(run, sandbox, monkeypatch, capsys):
    sandbox.faults.update(cold_pages=30)  # far past the test's 1 s read timeout

    async def meanwhile_the_page_warms(seconds: float) -> None:
        sandbox.faults.update(cold_pages=0)  # the server finished its first, slow render
        await asyncio.sleep(0)

    result = _run_with_sleep(run, monkeypatch, capsys, meanwhile_the_page_warms, "get", "catalogs/")
    assert result.code == 0, result.err
    assert json.loads(result.out)["count"] == 6
    assert sandbox.counters.api_requests == 2 and sandbox.counters.cold_pages == 1


def test_a_page_that_stays_slow_is_asked_twice_then_fails(run, sandbox):
    sandbox.faults.update(cold_pages=30)
    result = run("get", "catalogs/")
    assert result.code == 1
    assert_says(result, "did not answer in time")
    assert sandbox.counters.api_requests == 2 and len(result.pauses) == 1


# --- 7. old-style keys with slashes -----------------------------------------------------------


def test_get_an_old_style_course_run(run, sandbox):
    sandbox.faults.update(slash_keys=True)
    result = run("get", "course_runs/MITx/6.002x/2012_Fall/", "--raw")
    assert result.code == 0, result.err
    assert json.loads(result.out)["key"] == "MITx/6.002x/2012_Fall"
    assert sandbox.counters.api_requests == 1


async def test_the_course_run_path_keeps_an_old_style_keys_slashes(sandbox):
    assert catalog.course_run("MITx/6.002x/2012_Fall") == "course_runs/MITx/6.002x/2012_Fall/"
    for bad in ("MITx/../x", "MITx//x", "MITx/6.002x/"):
        with pytest.raises(Exception, match="not a valid id or key"):
            catalog.course_run(bad)
    sandbox.faults.update(slash_keys=True)
    async with Session(sandbox.credentials()) as session:
        run_data, _ = await catalog.fetch_object(
            session, catalog.course_run("MITx/6.002x/2012_Fall")
        )
    assert run_data["key"] == "MITx/6.002x/2012_Fall"


# --- 8. the request budget --------------------------------------------------------------------


def test_the_budget_counts_the_last_hour_only():
    now = [1000.0]
    budget = RequestBudget(lambda: now[0])
    for _ in range(3):
        budget.sent()
        now[0] += 100
    assert budget.last_hour == 3
    now[0] = 1000.0 + WINDOW + 150  # the first two (1000, 1100) are more than an hour old
    assert budget.last_hour == 1
    assert budget.last_throttle is None and budget.blocked_until is None


def test_a_short_throttle_is_noted_without_blocking():
    budget = RequestBudget(lambda: 5000.0)
    budget.throttled(429, token=False, wait=10, cap=30)
    assert budget.last_throttle is not None and budget.last_throttle.retry_at == 5010.0
    budget.check()  # no error: the session waits and retries by itself
    with pytest.raises(ThrottledError) as info:
        budget.throttled(429, token=True, wait=3600, cap=30)
    assert info.value.token and info.value.retry_at == 8600.0
    with pytest.raises(ThrottledError):
        budget.check()


async def test_the_session_counts_every_request_it_sent(sandbox):
    async with Session(sandbox.credentials()) as session:
        await catalog.fetch_all(session, "catalogs/", {"limit": 2})
        assert session.budget.last_hour == 4  # the token and three pages
    assert sandbox.counters.api_requests + sandbox.counters.token_requests == 4
