"""How real deployments differ (issue 16, API.md), through the TUI: the explorer against the
real sandbox over loopback HTTP(S) with its deployment switches on, driven by Textual's Pilot.

Each case checks what a person sees (the node's or the token panel's message), how many
requests the sandbox counted, and that nothing was lost (the other nodes still work, the app
goes on). The throttling and request-budget cases are in their own file.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from fault_servers import ForeignServer, Reply, json_reply
from sandbox_fixtures import HTTPS_COURSES
from test_faults_tui import (
    ALWAYS,
    FAST,
    error_label,
    panel_text,
    reload_catalogs,
    wait_tree_settled,
)
from tui_helpers import (
    child_by_label,
    cursor_to,
    expand_catalog,
    group,
    items,
    loaded,
    open_explorer,
    settled,
    tree_of,
    wait_for,
)

from edxtui.api import Session
from edxtui.api.bounds import Bounds
from edxtui.api.state import TokenStatus
from edxtui.api.tokens import RATE_LIMIT_TRIES
from edxtui.tui.app import EdxApp
from edxtui.tui.widgets.inspector import Inspector

SIZE = (140, 45)
COURSES = HTTPS_COURSES  # the "All courses" catalog of the https sandbox: 26 pages of 100
GROUPS = ("Catalogs", "Courses", "Course runs", "Programs", "Organizations")


def make_app(credentials, **session_settings) -> EdxApp:
    """The explorer with a Session of short pauses (FAST) and a 1 s timeout by default."""
    settings = {"timeout": httpx.Timeout(1.0), "retry": FAST, **session_settings}

    def factory(creds):
        session = Session(creds, **settings)
        # the token endpoint's backoff in milliseconds, so bounded retries end quickly
        session.tokens._backoff_base, session.tokens._backoff_max = 0.01, 0.05
        return session

    return EdxApp(
        credentials=credentials,
        profile_name="sandbox",
        use_system_clipboard=False,
        session_factory=factory,
    )


async def all_groups_loaded(pilot, app: EdxApp) -> None:
    """Every group settled at the same time, and no load that failed for want of a token
    still waiting for one: a token change retries those by itself, so a group seen settled
    on its own may be loading again by the time the last one settles."""

    def quiet() -> bool:
        retries_due = any(
            node.data is not None and node.data.kind == "error" and node.data.needs_token
            for node in tree_of(app).loaded_nodes()
        )
        return all(settled(group(app, title)) for title in GROUPS) and not retries_due

    await wait_for(pilot, quiet, "every group settled, no token retry due")


def toasts(app: EdxApp) -> str:
    return " ".join(n.message for n in app._notifications).lower()


# --- 1. http links on an https deployment -----------------------------------------------------


@pytest.fixture
def https(big_https_sandbox, monkeypatch):
    sb = big_https_sandbox
    sb.reset()
    sb.faults.update(http_links=True)
    monkeypatch.setenv("SSL_CERT_FILE", sb.ca_file)  # the client trusts the sandbox's own CA
    yield sb
    sb.reset()


async def test_the_tree_pages_2600_courses_through_http_links_as_https(https):
    sb = https
    app = make_app(sb.credentials(https=True), timeout=httpx.Timeout(10.0))
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await all_groups_loaded(pilot, app)
        sb.reset()  # count only the catalog's pages from here
        sb.faults.update(http_links=True)
        catalog = await expand_catalog(pilot, app, "All courses")
        info = catalog.data
        first = info.last_page
        assert first is not None and b'"next":"http://' in first.body.replace(b" ", b"")
        assert info.next_url is not None and info.next_url.startswith("https://")
        for pages in range(2, COURSES // 100 + 1):
            await pilot.press("e")  # load the next page of the list under the cursor
            await wait_for(
                pilot,
                lambda n=pages: info.loaded == n * 100 and info.state == "loaded",
                f"page {pages}",
                showing=lambda: (info.loaded, error_label(catalog)),
            )
        assert info.next_url is None and error_label(catalog) == ""
        keys = [node.data.item["key"] for node in items(catalog)]
        assert len(keys) == COURSES == len(set(keys))  # every course once
        assert sb.counters.api_requests == COURSES // 100 and sb.counters.token_requests == 0
        assert all(e.url.startswith("https://") for e in app.session.log)  # never over http
        await reload_catalogs(pilot, app)  # the rest of the tree still works
        assert group(app, "Catalogs").data.state == "loaded"


async def test_a_stopped_load_all_goes_on_through_http_links_as_https(https):
    """Load all sets the list's next link as the tree's own loads do (Session.link): after
    esc, "load more" carries on over https, not refused as another origin."""
    from edxtui.tui.screens.confirm import ConfirmScreen

    sb = https
    app = make_app(sb.credentials(https=True), timeout=httpx.Timeout(10.0))
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await all_groups_loaded(pilot, app)
        catalog = await expand_catalog(pilot, app, "All courses")
        info = catalog.data
        cursor_to(catalog)
        sb.faults.update(hold_api=True, hold_after=2)  # two pages come in, the rest wait
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "load 25 pages?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: info.loaded == 300, "two pages of the load all")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not tree_of(app).load_all.running, "the load to stop")
        sb.faults.update(hold_api=False)
        assert info.next_url is not None and info.next_url.startswith("https://")
        tree_of(app).load(catalog, more=True)
        await wait_for(
            pilot,
            lambda: info.loaded == 400,
            "the next page",
            showing=lambda: (info.loaded, error_label(catalog)),
        )
        assert error_label(catalog) == ""
        assert all(e.url.startswith("https://") for e in app.session.log)


async def test_an_http_link_to_another_port_is_refused_on_the_node(https):
    """Upgraded to https it would still be another origin (the plain-http port): refused
    before anything is sent, with the reason on the node; what was loaded stays."""
    sb = https
    sb.faults.update(links_origin=sb.base_url)
    app = make_app(sb.credentials(https=True), timeout=httpx.Timeout(10.0))
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await all_groups_loaded(pilot, app)
        sb.reset()
        sb.faults.update(http_links=True, links_origin=sb.base_url)
        catalog = await expand_catalog(pilot, app, "All courses")
        await pilot.press("e")
        port = sb.base_url.rsplit(":", 1)[1]
        await wait_for(pilot, lambda: "refusing" in error_label(catalog), "the refusal")
        assert f"refusing to send the token to https://127.0.0.1:{port}" in error_label(catalog)
        assert len(items(catalog)) == 100  # the first page stays
        assert sb.counters.api_requests == 1  # the first page; nothing went to the other port
        sb.reset()
        await reload_catalogs(pilot, app)
        assert group(app, "Catalogs").data.state == "loaded"


# --- 2. a server that ignores paging -----------------------------------------------------------


async def test_a_server_that_ignores_paging_stops_the_tree_with_one_line(sandbox):
    holder: dict[str, str] = {}

    def page(method: str, path: str) -> Reply:  # the same page whatever the offset
        return json_reply(
            {"count": 60, "next": holder["root"] + "catalogs/?limit=20&offset=20",
             "previous": None, "results": [{"id": n, "name": f"c{n}"} for n in range(20)]}
        )  # fmt: skip

    with ForeignServer(page) as server:
        holder["root"] = f"{server.base_url}/api/v1/"
        app = make_app(replace(sandbox.credentials(), api_root=holder["root"]))
        async with app.run_test(size=SIZE) as pilot:
            await open_explorer(pilot)
            await all_groups_loaded(pilot, app)
            node = group(app, "Catalogs")
            before = len([s for s in server.seen if "/catalogs/" in s.path])
            more = node.children[-1]
            assert more.data.kind == "more"
            cursor_to(more)  # reaching the end of the list loads its next page
            tree_of(app).focus()
            await wait_for(pilot, lambda: "same page" in error_label(node), "the stop")
            assert error_label(node).startswith(
                "⚠ the server returned the same page again: it ignores limit/offset; "
                "20 of 60 catalogs are reachable through this api root"
            )
            assert len(items(node)) == 20  # what was loaded stays, nothing twice
            assert node.data.next_url is not None and node.data.state == "loaded"
            catalogs = [s for s in server.seen if "/catalogs/" in s.path]
            assert len(catalogs) == before + 1  # the repeat, once: no loop
            assert app.is_running


# --- 3. what a 403 from the token URL means ---------------------------------------------------


@pytest.mark.parametrize(
    ("faults", "token_path", "says"),
    [
        ({"csrf_failure": {"count": ALWAYS, "scope": "token"}}, None, "csrf failure page"),
        ({"waf_block": {"count": ALWAYS, "scope": "token"}}, None, "waf or cdn block page"),
        ({"gateway": True}, "/catalog/v1/oauth2/access_token", "403: missing authentication"),
    ],
    ids=["csrf", "waf", "gateway-json"],
)
async def test_a_403_from_the_token_url_says_check_the_token_url(sandbox, faults, token_path, says):
    sandbox.faults.update(**faults)
    creds = sandbox.credentials("edx" if token_path else "openedx")
    if token_path:
        creds = replace(creds, token_url=sandbox.base_url + token_path)
    app = make_app(creds)
    async with app.run_test(size=SIZE) as pilot:
        await wait_tree_settled(pilot, app)
        await wait_for(
            pilot, lambda: says in panel_text(app), "the panel", showing=lambda: panel_text(app)
        )
        text = panel_text(app)
        assert "not retrying: a configuration error: check the token url (c)" in text
        assert "/oauth2/access_token" in text and "/oauth2/v1/access_token" in text
        assert says in error_label(group(app, "Catalogs"))
        state = app.session.tokens.state()
        assert state.next_retry_at is None  # no retry scheduled
        assert sandbox.counters.token_requests == (0 if token_path else 1)
        expected_api = 1 if token_path else 0  # the gateway's 403 is on an API path
        assert sandbox.counters.api_requests == expected_api
        # The person fixes the token URL (what the credentials screen does on save).
        sandbox.reset()
        assert await app.connect(sandbox.credentials(), "sandbox")
        await open_explorer(pilot)
        assert group(app, "Catalogs").data.state == "loaded"


async def test_the_rate_limit_page_is_retried_a_few_times_then_waits_for_f(sandbox):
    sandbox.faults.update(token_throttle=ALWAYS)
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: "press f (refresh) to try again" in panel_text(app),
            "the panel offers a manual retry",
            showing=lambda: panel_text(app),
        )
        assert "rate limiting" in panel_text(app)
        assert sandbox.counters.token_requests == RATE_LIMIT_TRIES  # bounded
        assert app.session.tokens.state().next_retry_at is None
        await wait_tree_settled(pilot, app)
        assert "rate limiting" in error_label(group(app, "Catalogs"))
        assert sandbox.counters.token_requests == RATE_LIMIT_TRIES  # the tree asked no more
        assert sandbox.counters.api_requests == 0
        # f retries once, by hand: still limited, it says so and asks nothing more by itself
        await pilot.press("f")
        await wait_for(
            pilot, lambda: sandbox.counters.token_requests == RATE_LIMIT_TRIES + 1, "one more"
        )
        await wait_for(pilot, lambda: "token refresh failed" in toasts(app), "a toast")
        # the limit passes; f gets a token and the same app works
        sandbox.reset()
        await pilot.press("f")
        await wait_for(
            pilot, lambda: app.session.tokens.state().status is TokenStatus.VALID, "a token"
        )
        await reload_catalogs(pilot, app)
        assert group(app, "Catalogs").data.state == "loaded"
        assert sandbox.counters.token_requests == 1


# --- 4. restricted applications ---------------------------------------------------------------


async def test_a_restricted_application_is_named_on_the_node(sandbox):
    creds = sandbox.credentials(
        client_id="edxtui-restricted-jwt", client_secret="restricted-jwt-secret"
    )
    app = make_app(creds)
    async with app.run_test(size=SIZE) as pilot:
        await wait_tree_settled(pilot, app)
        await all_groups_loaded(pilot, app)
        sandbox.reset()
        await reload_catalogs(pilot, app)
        label = error_label(group(app, "Catalogs"))
        assert "401" in label and "a restricted application" in label, label
        assert "ask the edx/open edx operator for an unrestricted application" in label
        assert "enter to retry" in label
        # the one refresh-and-retry, no more
        assert sandbox.counters.api_requests == 2 and sandbox.counters.token_requests == 1
        # a normal application's credentials: the same app works
        assert await app.connect(sandbox.credentials(), "sandbox")
        await open_explorer(pilot)
        assert group(app, "Catalogs").data.state == "loaded"


# --- 5. slow cold pages -----------------------------------------------------------------------


async def test_the_explorers_own_session_lets_a_cold_page_take_30_seconds(sandbox):
    app = EdxApp(
        credentials=sandbox.credentials(), profile_name="sandbox", use_system_clipboard=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        assert app.session.client.timeout.read >= 30


async def test_a_cold_page_slower_than_the_old_read_timeout_loads(sandbox):
    """The old read timeout was the general one (here 0.2 s); reads now wait longer (2 s)."""
    app = make_app(sandbox.credentials(), timeout=httpx.Timeout(0.2, read=2.0, pool=None))
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await all_groups_loaded(pilot, app)
        sandbox.reset()
        sandbox.faults.update(cold_pages=0.5)
        await reload_catalogs(pilot, app)
        assert group(app, "Catalogs").data.state == "loaded"
        assert sandbox.counters.cold_pages == 1 and sandbox.counters.api_requests == 1


async def test_a_read_timeout_is_retried_once_then_the_node_says_so(sandbox):
    app = make_app(sandbox.credentials(), timeout=httpx.Timeout(1.0, read=0.3, pool=None))
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await all_groups_loaded(pilot, app)
        sandbox.reset()
        sandbox.faults.update(cold_pages=30)
        await reload_catalogs(pilot, app)
        node = group(app, "Catalogs")
        assert node.data.state == "error"
        assert "did not answer in time" in error_label(node)
        assert sandbox.counters.api_requests == 2  # the first try and one retry
        sandbox.faults.update(cold_pages=0)  # the page warms up
        await reload_catalogs(pilot, app)
        assert node.data.state == "loaded" and error_label(node) == ""


async def test_a_cold_page_is_still_bounded_by_the_overall_deadline(sandbox):
    app = make_app(
        sandbox.credentials(),
        timeout=httpx.Timeout(1.0, read=60.0, pool=None),
        bounds=Bounds(deadline=0.5),
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await all_groups_loaded(pilot, app)
        sandbox.reset()
        sandbox.faults.update(cold_pages=30)
        await reload_catalogs(pilot, app)
        node = group(app, "Catalogs")
        assert "did not finish within 0.5 s (the overall deadline)" in error_label(node)
        assert sandbox.counters.api_requests == 1
        sandbox.reset()
        await reload_catalogs(pilot, app)
        assert node.data.state == "loaded"


# --- 6. old-style keys with slashes -----------------------------------------------------------


async def test_old_style_keys_are_course_run_nodes(sandbox):
    sandbox.faults.update(slash_keys=True)
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await all_groups_loaded(pilot, app)
        catalog = await expand_catalog(pilot, app, "Old-style keys")
        course = child_by_label(catalog, "MITx+6.002x")
        assert course is not None
        cursor_to(course)
        await pilot.press("enter")
        await wait_for(pilot, lambda: loaded(course), "the course's runs")
        run = child_by_label(course, "MITx/6.002x/2012_Fall")
        assert run is not None and run.data.kind == "run"
        cursor_to(run)
        await pilot.press("enter")  # a run expands into its seats
        await wait_for(pilot, lambda: loaded(run), "the run's seats")
        assert run.children and all(c.data.kind == "seat" for c in run.children)
        cursor_to(run)
        await pilot.pause()
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is run.data.exchange, "the inspector")
        assert run.data.json_path == ".results[0].course_runs[0]"
        assert run.data.item["key"] == "MITx/6.002x/2012_Fall"
        await pilot.press("x")  # copy as curl: the request that brought this node
        assert app.clipboard.startswith("curl ")
        assert f"{sandbox.api_root('openedx')}catalogs/7/courses/?limit=100" in app.clipboard
        # the node's own URL, built by the core: its slashes kept, and the server finds it
        data, _ = await app.session.get_json("course_runs/MITx/6.002x/2012_Fall/")
        assert data["key"] == "MITx/6.002x/2012_Fall"
        assert sandbox.counters.api_requests == 5 + 1 + 1  # groups, catalog 7, the run


# --- 7. the gateway layout --------------------------------------------------------------------


async def test_the_gateways_message_bodies_show_on_the_node_like_detail(sandbox):
    sandbox.faults.update(gateway=True)
    app = make_app(sandbox.credentials("edx"))
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await all_groups_loaded(pilot, app)
        catalogs = group(app, "Catalogs")
        assert catalogs.data.state == "loaded" and catalogs.data.count
        for title in GROUPS[1:]:  # only the three catalog routes exist behind the gateway
            label = error_label(group(app, title))
            assert label.startswith("⚠ 403 forbidden: missing authentication token"), label
        assert sandbox.counters.api_requests == 5 and sandbox.counters.token_requests == 1
        catalog = await expand_catalog(pilot, app, "All courses")  # the catalogs still work
        assert len(items(catalog)) == 100
