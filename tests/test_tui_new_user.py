"""The explorer as a new user meets it (issue 17): the rough edges of a first run.

Pilot over the real sandbox: a failed first token, a failed refresh, a wrong API root, the
credentials screen's first run. Waits are on conditions, never fixed sleeps.
"""

from __future__ import annotations

from dataclasses import replace

from tui_helpers import group, loaded, open_explorer, sandbox_app, tree_ready, wait_for

from edxtui import config
from edxtui.tui.app import EdxApp
from edxtui.tui.screens.credentials import CredentialsScreen
from edxtui.tui.widgets.panel_button import PanelButton
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


async def test_tab_never_walks_through_the_token_buttons(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        panel = app.screen.query_one(TokenPanel)
        await wait_for(pilot, lambda: len(panel.query(PanelButton)) == 4, "the token buttons")
        seen = []
        for _ in range(8):
            await pilot.press("tab")
            await pilot.pause()
            seen.append(app.focused)
        assert not any(w is not None and panel in w.ancestors_with_self for w in seen)
        # The buttons still work with the mouse.
        await pilot.click("#refresh-token")
        await wait_for(pilot, lambda: app.session.tokens.state().refresh_count == 1, "refresh")


# ----- the credentials screen ------------------------------------------------------------


def outcome(app) -> str:
    return str(app.screen.query_one("#outcome").render())


async def fill(pilot, server, **values) -> None:
    fields = {
        "#name": "",
        "#token-url": server.token_url("openedx"),
        "#api-root": server.api_root("openedx"),
        "#client-id": server.client_id,
        "#client-secret": server.client_secret,
    }
    fields.update(values)
    for selector, value in fields.items():
        pilot.app.screen.query_one(selector).value = value
    await pilot.pause()


async def credentials_screen(pilot) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CredentialsScreen), "credentials")


async def test_test_checks_the_api_root_too_and_says_which_url_is_wrong(sandbox):
    app = EdxApp(use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await credentials_screen(pilot)
        wrong = sandbox.api_root("openedx").replace("/api/v1/", "/api/v9/")
        await fill(pilot, sandbox, **{"#api-root": wrong})
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "✗" in outcome(app), "failure", showing=lambda: outcome(app))
        text = outcome(app)
        assert "Token OK" in text and "Wrong API root" in text and "404" in text
        assert "check the API root" in text
        assert "/api/v9/catalogs/?limit=1" in text  # the URL that failed
        # The right API root: both pass.
        await fill(pilot, sandbox)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "API root OK" in outcome(app), "success")
        assert "Token OK" in outcome(app) and "✗" not in outcome(app)
        # A wrong token URL: the API root is not tested, and the message says which failed.
        bad_token = sandbox.token_url("openedx").replace("/oauth2/", "/oauth3/")
        await fill(pilot, sandbox, **{"#token-url": bad_token})
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "✗" in outcome(app), "failure", showing=lambda: outcome(app))
        assert "No token from the token URL" in outcome(app)
        assert "API root is not tested" in outcome(app)


async def test_first_run_preselects_a_preset_and_names_an_empty_field(sandbox):
    app = EdxApp(use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await credentials_screen(pilot)
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one("#token-url").value, "a preset's URLs")
        assert screen.query_one("#profile").value == "edx.org"
        # Placeholders are obviously hints, never values.
        for selector in ("#token-url", "#api-root"):
            assert screen.query_one(selector).placeholder.startswith("e.g. ")
        await fill(pilot, sandbox, **{"#token-url": ""})
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "✗" in outcome(app), "failure")
        assert "the token URL is empty" in outcome(app) and "got ''" not in outcome(app)
        await fill(pilot, sandbox, **{"#api-root": ""})
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "the API root is empty" in outcome(app), "failure")


async def test_save_says_whether_the_profile_is_the_default(sandbox):
    app = EdxApp(use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await credentials_screen(pilot)
        box = app.screen.query_one("#make-default")
        await wait_for(pilot, lambda: app.screen.query_one("#name").value, "the preset")
        assert box.value  # no default yet: ticked, and on screen
        await fill(pilot, sandbox, **{"#name": "first"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved profile" in outcome(app), "saved")
        assert "it is the default profile" in outcome(app)
        assert config.load_config().default == "first"
        # A second profile: there is a default now, so the box starts unticked.
        app.screen.query_one("#profile").value = "sandbox"
        await wait_for(pilot, lambda: not box.value, "the box to untick")
        await fill(pilot, sandbox, **{"#name": "second"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "second" in outcome(app), "saved")
        assert "the default stays first" in outcome(app)
        assert config.load_config().default == "first"
        box.value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "it is the default profile" in outcome(app), "default")
        assert config.load_config().default == "second"
