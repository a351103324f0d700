"""The fault matrix through the TUI: the explorer against the sandbox with its faults on.

Each case drives the real app with Textual's Pilot against the sandbox over loopback HTTP and
checks what a person sees (the token panel, the tree's error nodes, the toasts), how many
requests the server saw (none repeated for permanent errors), and that the same app works
again once the fault is cleared (a reload or a token refresh succeeds). Waits are on
conditions, never fixed sleeps.

The app takes a `session_factory`; here it builds the Session with a 1 s timeout and a retry
policy with millisecond pauses, so retry counts are real and the suite stays fast.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from fault_servers import UNRESOLVABLE_HOST, ForeignServer, Reply, closed_port, json_reply
from tui_helpers import (
    cursor_to,
    group,
    loaded,
    open_explorer,
    settled,
    tree_of,
    tree_ready,
    wait_for,
)

from edxtui.api import RetryPolicy, Session
from edxtui.api.state import TokenStatus
from edxtui.tui.app import EdxApp
from edxtui.tui.widgets.token_panel import TokenPanel

SIZE = (140, 45)
FAST = RetryPolicy(backoff_base=0.01, backoff_max=0.05, retry_after_cap=0.05)
ALWAYS = -1
RETRIES = FAST.max_retries


def make_app(credentials) -> EdxApp:
    def factory(creds):
        return Session(creds, timeout=httpx.Timeout(1.0), retry=FAST)

    return EdxApp(
        credentials=credentials,
        profile_name="sandbox",
        use_system_clipboard=False,
        session_factory=factory,
    )


def panel_text(app: EdxApp) -> str:
    panel = app.screen.query_one(TokenPanel)
    return " ".join(
        str(panel.query_one(f"#{name}").render()) for name in ("token-status", "token-detail")
    ).lower()


def toasts(app: EdxApp) -> str:
    return " ".join(n.message for n in app._notifications).lower()


def error_label(node) -> str:
    errors = [c for c in node.children if c.data is not None and c.data.kind == "error"]
    return errors[0].label.plain.lower() if errors else ""


async def wait_tree_settled(pilot, app: EdxApp) -> None:
    await wait_for(pilot, lambda: tree_ready(app) and loaded(group(app, "Catalogs")), "tree")


async def reload_catalogs(pilot, app: EdxApp) -> None:
    """Reload the Catalogs group the way a person does: cursor on it, press r."""
    tree = tree_of(app)
    node = group(app, "Catalogs")
    cursor_to(node)
    tree.focus()
    await pilot.pause()
    node.data.state = "loading-requested"  # so the wait below sees this load finish
    await pilot.press("r")
    await wait_for(pilot, lambda: loaded(node), "the Catalogs group to reload")


# --- the token endpoint ---------------------------------------------------------------------


async def test_rejected_credentials_stop_refreshing_until_fixed(sandbox):
    secret = "not-the-secret"
    app = make_app(sandbox.credentials(client_secret=secret))
    async with app.run_test(size=SIZE) as pilot:
        await wait_tree_settled(pilot, app)
        await wait_for(
            pilot,
            lambda: "invalid_client" in panel_text(app),
            "the panel says why",
            showing=lambda: panel_text(app),
        )
        text = panel_text(app)
        assert "not retrying: check the credentials (c)" in text
        await wait_for(pilot, lambda: "invalid_client" in toasts(app), "a toast saying why")
        assert "invalid_client" in error_label(group(app, "Catalogs"))
        assert sandbox.counters.token_requests == 1  # permanent: asked once, for every group
        assert secret not in text + toasts(app)
        # The person fixes the credentials (what the credentials screen does on save).
        assert await app.connect(sandbox.credentials(), "sandbox")
        await open_explorer(pilot)
        assert sandbox.counters.token_requests == 2


@pytest.mark.parametrize(
    ("faults", "says"),
    [
        ({"token_throttle": ALWAYS}, "rate limiting"),
        ({"errors": {"count": ALWAYS, "scope": "token", "status": 503}}, "503"),
        ({"token_latency": 3.0}, "did not answer in time"),
    ],
    ids=["throttle-403-html", "503-always", "timeout"],
)
async def test_token_failure_at_start_is_shown_then_recovers(sandbox, faults, says):
    sandbox.faults.update(**faults)
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: says in panel_text(app),
            f"the panel to say {says!r}",
            showing=lambda: panel_text(app),
        )
        text = panel_text(app)
        assert "● error" in text and "retrying in" in text  # and when it tries again
        await wait_for(pilot, lambda: says in toasts(app), "a toast saying why")
        # The fault clears; the background refresh gets a token without any key press.
        sandbox.reset()
        await wait_for(
            pilot, lambda: app.session.tokens.state().status is TokenStatus.VALID, "recovery"
        )
        await wait_tree_settled(pilot, app)
        await reload_catalogs(pilot, app)
        assert group(app, "Catalogs").data.state == "loaded"
        assert sandbox.counters.expired_token_requests == 0


async def test_restricted_application_token_is_permanent(sandbox):
    sandbox.faults.update(expires_in=0)
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await wait_tree_settled(pilot, app)
        await wait_for(
            pilot,
            lambda: "already expired" in panel_text(app),
            "the panel says why",
            showing=lambda: panel_text(app),
        )
        assert "not retrying" in panel_text(app) and "operators" in panel_text(app)
        assert sandbox.counters.token_requests == 1
        assert sandbox.counters.api_requests == 0
        sandbox.reset()
        await pilot.press("f")  # refresh now: the person asks, the fault is gone
        await wait_for(
            pilot, lambda: app.session.tokens.state().status is TokenStatus.VALID, "a token"
        )
        await reload_catalogs(pilot, app)
        assert sandbox.counters.token_requests == 1  # counters were reset with the fault


TOKEN_FAULTS = [
    # id, faults, what the panel says, token requests for one refresh, permanent
    ("throttle-403-html", {"token_throttle": ALWAYS}, "rate limiting", 1, False),
    ("429-always", {"rate_limit": {"count": ALWAYS, "scope": "token"}}, "429", 1 + RETRIES, False),
    ("500-always", {"errors": {"count": ALWAYS, "scope": "token", "status": 500}}, "500", 1, False),
    ("503-always", {"errors": {"count": ALWAYS, "scope": "token", "status": 503}},
     "503", 1 + RETRIES, False),
    ("not-json", {"not_json": {"count": ALWAYS, "scope": "token"}},
     "instead of a json token", 1, False),
    ("truncated-json", {"truncate": {"count": ALWAYS, "scope": "token", "mode": "json"}},
     "not json", 1, False),
    ("dropped-always", {"drop": {"count": ALWAYS, "scope": "token"}},
     "without answering", 1 + RETRIES, False),
    ("truncated-always", {"truncate": {"count": ALWAYS, "scope": "token"}},
     "before the response was complete", 1 + RETRIES, False),
    ("timeout", {"token_latency": 3.0}, "did not answer in time", 1, False),
    ("expires-in-0", {"expires_in": 0}, "already expired", 1, True),
    ("expires-in-negative", {"expires_in": -30}, "already expired", 1, True),
    ("expires-in-missing", {"expires_in_format": "missing"}, "lacks expires_in", 1, True),
    ("expires-in-null", {"expires_in_format": "null"}, "lacks expires_in", 1, True),
    ("expires-in-ten-years", {"expires_in": 10 * 365 * 24 * 3600}, "not believable", 1, True),
]  # fmt: skip


async def test_token_faults_mid_session_in_turn(sandbox):
    """One app meets every token-endpoint fault on "refresh now" (f), one after another: the
    panel says why, the old token keeps working, and the next refresh after the fault works."""
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tokens = app.session.tokens
        for name, faults, says, requests, permanent in TOKEN_FAULTS:
            sandbox.reset()
            sandbox.faults.update(**faults)
            await pilot.press("f")
            await wait_for(pilot, lambda s=says: s in panel_text(app), f"{name}: the panel")
            await wait_for(pilot, lambda s=says: "token refresh failed: " in toasts(app), name)
            text = panel_text(app)
            assert "valid, refresh failed" in text and "left" in text, name  # a warning
            assert ("not retrying" in text) == permanent, name
            assert ("retrying in" in text) != permanent, name
            assert sandbox.counters.token_requests == requests, name
            await reload_catalogs(pilot, app)  # the old token still serves
            assert group(app, "Catalogs").data.state == "loaded", name
            sandbox.reset()
            app.clear_notifications()
            await pilot.press("f")
            await wait_for(pilot, lambda: "got a new token" in toasts(app), f"{name}: recovery")
            await wait_for(pilot, lambda: tokens.state().status is TokenStatus.VALID, name)
            assert sandbox.counters.expired_token_requests == 0, name
        # expires_in written as a string ("3600") is read as seconds
        renewed = tokens.state().refresh_count
        sandbox.faults.update(expires_in_format="string")
        await pilot.press("f")
        await wait_for(pilot, lambda: tokens.state().refresh_count == renewed + 1, "renewal")
        assert tokens.state().lifetime == 3600 and tokens.state().status is TokenStatus.VALID


async def test_one_second_tokens_keep_the_app_working(sandbox):
    sandbox.faults.update(expires_in=1)
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await wait_for(pilot, lambda: app.session.tokens.state().refresh_count >= 3, "renewals")
        await reload_catalogs(pilot, app)
        assert group(app, "Catalogs").data.state == "loaded"
        assert sandbox.counters.expired_token_requests == 0
        assert sandbox.counters.unauthorized == 0


@pytest.mark.parametrize("skew", [3600, -3600], ids=["plus-1h", "minus-1h"])
async def test_clock_skew_is_shown_and_harmless(sandbox, skew):
    sandbox.faults.update(clock_skew=skew)
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await wait_for(
            pilot,
            lambda: "clock skew" in panel_text(app),
            "a skew warning",
            showing=lambda: panel_text(app),
        )
        text = panel_text(app)
        assert ("ahead of" if skew > 0 else "behind") in text and "1:00:00" in text
        assert "check this machine's clock" in text
        state = app.session.tokens.state()
        assert abs(state.clock_skew - skew) < 5
        assert state.lifetime == 3600  # expiry from expires_in on our clock, not exp
        assert group(app, "Catalogs").data.state == "loaded"


async def test_unreachable_token_endpoints_in_turn(sandbox):
    unreachable = [
        (f"http://127.0.0.1:{closed_port()}/oauth2/access_token", "connection refused"),
        (f"https://{UNRESOLVABLE_HOST}/oauth2/access_token", "does not resolve"),
        (sandbox.base_url.replace("http://", "https://") + "/oauth2/access_token", "tls connection"),
    ]  # fmt: skip
    creds = sandbox.credentials()
    app = make_app(replace(creds, token_url=unreachable[0][0]))
    async with app.run_test(size=SIZE) as pilot:
        for n, (token_url, says) in enumerate(unreachable):
            if n:
                app.clear_notifications()
                assert await app.connect(replace(creds, token_url=token_url), "broken")
            await wait_for(pilot, lambda s=says: s in panel_text(app), f"the panel: {says}")
            await wait_for(pilot, lambda s=says: s in toasts(app), f"a toast: {says}")
            await wait_tree_settled(pilot, app)
            assert says in error_label(group(app, "Catalogs"))
        assert sandbox.counters.token_requests == 0 and sandbox.counters.api_requests == 0
        assert await app.connect(creds, "sandbox")  # fixed: the same app works
        await open_explorer(pilot)


# --- resource calls -------------------------------------------------------------------------

API_FAULTS = [
    # id, faults, error node words, API requests for the one reload
    ("403-html", {"errors": {"count": 1, "status": 403}}, "403 forbidden", 1),
    ("429-retry-after", {"rate_limit": {"count": ALWAYS, "retry_after": 2}}, "429", 1 + RETRIES),
    ("429-no-retry-after", {"rate_limit": ALWAYS}, "429", 1 + RETRIES),
    ("500", {"errors": {"count": ALWAYS, "status": 500}}, "500", 1),
    ("502-always", {"errors": {"count": ALWAYS, "status": 502}}, "502", 1 + RETRIES),
    ("503-always", {"errors": {"count": ALWAYS, "status": 503}}, "503", 1 + RETRIES),
    ("not-json", {"not_json": 1}, "not json", 1),
    ("truncated-json", {"truncate": {"count": 1, "mode": "json"}}, "not json", 1),
    ("truncated-always", {"truncate": ALWAYS}, "before the response was complete", 1 + RETRIES),
    ("dropped-always", {"drop": ALWAYS}, "without answering", 1 + RETRIES),
    ("timeout", {"api_latency": 3.0}, "did not answer in time", 2),  # a GET: retried once
]  # fmt: skip


async def test_resource_faults_in_turn(sandbox):
    """One app meets every resource fault on a reload (r), one after another: an error node
    that says why, the right number of requests, and the next reload works."""
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await wait_for(pilot, lambda: app.session.tokens.state().status is TokenStatus.VALID)
        for title in ("Courses", "Course runs", "Programs", "Organizations"):
            await wait_for(pilot, lambda t=title: settled(group(app, t)), title)
        node = group(app, "Catalogs")
        for name, faults, says, requests in API_FAULTS:
            sandbox.reset()
            sandbox.faults.update(**faults)
            await reload_catalogs(pilot, app)
            assert node.data.state == "error", name
            label = error_label(node)
            assert says in label and "enter to retry" in label, (name, label)
            assert sandbox.counters.api_requests == requests, name
            assert sandbox.counters.token_requests == 0, name  # one token throughout
            sandbox.reset()
            await reload_catalogs(pilot, app)  # the same app, the fault gone: it works
            assert node.data.state == "loaded" and node.data.count, name
            assert error_label(node) == "", name


async def test_token_revoked_mid_session_is_replaced_once(sandbox):
    app = make_app(sandbox.credentials())
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        for title in ("Courses", "Course runs", "Programs", "Organizations"):
            await wait_for(pilot, lambda t=title: settled(group(app, t)), title)  # none in flight
        sandbox.revoke_tokens()
        await reload_catalogs(pilot, app)
        assert group(app, "Catalogs").data.state == "loaded"
        assert sandbox.counters.invalid_token_requests == 1
        assert sandbox.counters.token_requests == 2
        await wait_for(
            pilot,
            lambda: "refreshed 1×" in panel_text(app),
            "the panel counts it",
            showing=lambda: panel_text(app),
        )


async def test_pagination_next_to_another_host_is_refused(sandbox):
    def page(method: str, path: str) -> Reply:
        return json_reply(
            {"count": 60, "next": sandbox.api_root("openedx") + "catalogs/?offset=20",
             "previous": None, "results": [{"id": n, "name": f"c{n}"} for n in range(20)]}
        )  # fmt: skip

    with ForeignServer(page) as server:
        creds = sandbox.credentials()
        app = make_app(replace(creds, api_root=f"{server.base_url}/"))
        async with app.run_test(size=SIZE) as pilot:
            await open_explorer(pilot)
            node = group(app, "Catalogs")
            more = node.children[-1]
            assert more.data.kind == "more"
            cursor_to(more)
            tree_of(app).focus()
            await pilot.pause()
            await pilot.press("enter")
            await wait_for(pilot, lambda: "refusing" in error_label(node), "the refusal")
            assert "refusing to send the token to http://127.0.0.1" in error_label(node)
            assert len([c for c in node.children if c.data.kind == "catalog"]) == 20
    assert sandbox.counters.api_requests == 0  # nothing reached the other host


async def test_redirect_to_another_origin_drops_the_token(sandbox):
    with ForeignServer(lambda m, p: json_reply({"count": 0, "next": None, "results": []})) as b:
        redirect = Reply(302, b"", {"Location": f"{b.base_url}/elsewhere/"})
        with ForeignServer(lambda m, p: redirect) as a:
            creds = sandbox.credentials()
            app = make_app(replace(creds, api_root=f"{a.base_url}/"))
            async with app.run_test(size=SIZE) as pilot:
                await wait_tree_settled(pilot, app)
    assert a.seen and all("authorization" in s.headers for s in a.seen)
    assert b.seen and all("authorization" not in s.headers for s in b.seen)
