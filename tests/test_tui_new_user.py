"""The explorer as a new user meets it (issue 17): the rough edges of a first run.

Pilot over the real sandbox: a failed first token, a failed refresh, a wrong API root, the
credentials screen's first run. Waits are on conditions, never fixed sleeps.
"""

from __future__ import annotations

from dataclasses import replace

from tui_helpers import group, loaded, open_explorer, sandbox_app, tree_ready, wait_for

from edxtui.tui.app import EdxApp
from edxtui.tui.widgets.token_panel import TokenPanel

SIZE = (120, 36)
ALWAYS = -1


def panel_text(app) -> str:
    panel = app.screen.query_one(TokenPanel)
    return "\n".join(
        str(panel.query_one(f"#{name}").render())
        for name in ("token-status", "token-detail", "token-value")
    )


async def test_lists_that_failed_for_want_of_a_token_load_once_there_is_one(sandbox):
    # The token endpoint's 403 page (django-ratelimit) on every token request, for now.
    sandbox.faults.update(token_throttle=ALWAYS)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: tree_ready(app), "explorer")
        catalogs = group(app, "Catalogs")
        await wait_for(pilot, lambda: catalogs.data.state == "error", "catalogs to fail")
        # The inspector shows the failed token exchange, not "No request behind this node".
        inspector = app.screen.inspector
        await wait_for(pilot, lambda: inspector.exchange is not None, "the failed exchange")
        assert inspector.exchange.kind == "token" and inspector.exchange.status == 403
        error = next(c for c in catalogs.children if c.data.kind == "error")
        assert error.data.exchange is not None and error.data.exchange.kind == "token"
        # The token endpoint recovers: every list loads by itself, no key pressed.
        sandbox.faults.update(token_throttle=None)
        await wait_for(pilot, lambda: app.session.tokens.current_token, "a token")
        for title in ("Catalogs", "Courses", "Course runs", "Programs", "Organizations"):
            node = group(app, title)
            await wait_for(
                pilot,
                lambda n=node: n.data.state == "loaded",
                f"{title} to load by itself",
                showing=lambda n=node: n.label.plain,
            )
        assert "(error)" not in " ".join(
            n.label.plain for n in app.screen.catalog_tree.root.children
        )
        assert inspector.exchange.kind == "api"  # the cursor's node now shows its page


async def test_an_api_refusal_is_not_retried_on_each_new_token(sandbox):
    """Only failures for want of a token wait for one: a 403 from the API stays as it is."""
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        sandbox.faults.update(errors={"count": ALWAYS, "scope": "api", "status": 403})
        app.screen.catalog_tree.action_reload()  # cursor on Catalogs
        catalogs = group(app, "Catalogs")
        await wait_for(pilot, lambda: catalogs.data.state == "error", "catalogs to fail")
        error = next(c for c in catalogs.children if c.data.kind == "error")
        assert not error.data.needs_token
        before = sandbox.counters.api_requests
        await pilot.press("f")  # a new token
        await wait_for(pilot, lambda: app.session.tokens.state().refresh_count == 1, "refresh")
        await pilot.pause()
        assert sandbox.counters.api_requests == before and catalogs.data.state == "error"
        assert loaded(catalogs)


async def test_a_404_on_the_catalog_list_says_check_the_api_root(sandbox):
    creds = sandbox.credentials()
    wrong = replace(creds, api_root=creds.api_root.replace("/api/v1/", "/api/v9/"))
    app = EdxApp(credentials=wrong, profile_name="typo", use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalogs = group(app, "Catalogs")
        assert catalogs.data.state == "error"
        assert "check the API root" in catalogs.label.plain
        error = next(c for c in catalogs.children if c.data.kind == "error")
        assert "no catalog list at this API root; check the API root" in error.label.plain
        # The other lists are still "not available on this server", as on the edX.org gateway.
        courses = group(app, "Courses")
        await wait_for(pilot, lambda: loaded(courses), "courses")
        assert courses.data.state == "unavailable"


async def test_a_failed_refresh_of_a_good_token_is_a_warning_in_the_same_rows(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        panel = app.screen.query_one(TokenPanel)
        await wait_for(pilot, lambda: panel.has_class("-ok"), "a valid token")
        height = panel.outer_size.height
        sandbox.faults.update(errors={"count": ALWAYS, "scope": "token", "status": 503})
        await pilot.press("f")
        await wait_for(
            pilot,
            lambda: "refresh failed" in panel_text(app),
            "the failed refresh",
            showing=lambda: panel_text(app),
        )
        await pilot.pause()
        text = panel_text(app)
        assert "valid, refresh failed" in text and "59:" in text  # the token's minutes left
        assert "retrying in" in text and "(HTTP 503)" in text
        assert panel.has_class("-warn") and not panel.has_class("-bad")  # yellow, not red
        assert panel.outer_size.height == height  # the same rows
        assert "user " in text  # the claims stay on screen


async def test_after_an_outage_an_expired_token_is_not_none_yet(make_sandbox):
    server = make_sandbox(expires_in=3)
    app = sandbox_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await wait_for(pilot, lambda: app.session.tokens.current_token, "a token")
        server.faults.update(drop={"count": ALWAYS, "scope": "token"})  # the LMS is down
        await wait_for(
            pilot,
            lambda: app.session.tokens.current_token is None and "(expired)" in panel_text(app),
            "the token to expire",
            showing=lambda: panel_text(app),
        )
        assert "none yet" not in panel_text(app)
