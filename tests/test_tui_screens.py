"""Pilot tests of the credentials, history, save, help and palette flows against the sandbox."""

from __future__ import annotations

import os
import stat

from fs_objects import FULL, NULL, assert_is_device, device, fill_disk, temp_files, tiny_tmpfs
from textual.widgets._toast import Toast
from tui_helpers import cursor_to, group, open_explorer, settled, tree_of, wait_for

from edxtui import config
from edxtui.tui.app import EdxApp
from edxtui.tui.screens.credentials import CredentialsScreen
from edxtui.tui.screens.explorer import ExplorerScreen
from edxtui.tui.screens.help import HelpScreen
from edxtui.tui.screens.history import HistoryScreen
from edxtui.tui.screens.save_body import SaveBodyScreen
from edxtui.tui.widgets.history import HistoryTable
from edxtui.tui.widgets.inspector import Inspector

SIZE = (140, 45)


def outcome(app: EdxApp) -> str:
    return str(app.screen.query_one("#outcome").render())


async def fill(pilot, server, *, secret: str | None = None, name: str = "") -> None:
    screen = pilot.app.screen
    values = {
        "#name": name,
        "#token-url": server.token_url("openedx"),
        "#api-root": server.api_root("openedx"),
        "#client-id": server.client_id,
        "#client-secret": server.client_secret if secret is None else secret,
    }
    for selector, value in values.items():
        screen.query_one(selector).value = value
    await pilot.pause()


async def test_no_credentials_opens_the_credentials_screen_then_signs_in(sandbox):
    app = EdxApp(use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        assert app.session is None
        await fill(pilot, sandbox)
        await pilot.click("#test")
        await wait_for(pilot, lambda: "Token OK" in outcome(app), "test outcome")
        assert "valid for" in outcome(app)
        assert app.session is None  # Test uses a throwaway session
        await pilot.click("#connect")
        await open_explorer(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.session.credentials.api_root == sandbox.api_root("openedx")


async def test_test_reports_a_wrong_secret_and_an_unreachable_host(sandbox):
    app = EdxApp(use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        await fill(pilot, sandbox, secret="wrong-secret")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "✗" in outcome(app), "failure")
        assert "invalid_client" in outcome(app) and "check the client id" in outcome(app)
        assert "wrong-secret" not in outcome(app)
        # A closed port on loopback: unreachable.
        app.screen.query_one("#token-url").value = "http://127.0.0.1:9/oauth2/access_token"
        await fill(pilot, sandbox)
        app.screen.query_one("#token-url").value = "http://127.0.0.1:9/oauth2/access_token"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "connection refused" in outcome(app), "unreachable")
        # A URL that is not a URL is refused before any request.
        app.screen.query_one("#api-root").value = "not a url"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "API root" in outcome(app))


async def test_test_reports_a_throttled_token_endpoint(sandbox):
    sandbox.faults.update(token_throttle={"count": 50, "status": 403})
    app = EdxApp(use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        await fill(pilot, sandbox)
        await pilot.press("ctrl+t")
        await wait_for(
            pilot,
            lambda: "✗" in outcome(app),
            "failure",
        )
        assert "rate limiting" in outcome(app)


async def test_test_reports_a_reply_that_is_not_json(sandbox):
    sandbox.faults.update(not_json={"count": 50, "scope": "token"})
    app = EdxApp(use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        await fill(pilot, sandbox)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "✗" in outcome(app), "failure")
        assert "instead of a JSON token" in outcome(app)
        assert "token URL" in outcome(app)  # the hint: what to check


async def test_save_stores_the_profile_and_says_where(sandbox):
    app = EdxApp(use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        await fill(pilot, sandbox, name="local")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved profile" in outcome(app))
        assert "0600" in outcome(app)  # keyring is off in tests: the file fallback
    cfg = config.load_config()
    assert cfg.profiles["local"].api_root == sandbox.api_root("openedx")
    assert config.stored_secret("local", cfg) == (sandbox.client_secret, "file")
    assert stat.S_IMODE(cfg.path.stat().st_mode) == 0o600


async def test_saved_profile_is_picked_and_credentials_reachable_from_explorer(sandbox):
    profile = config.Profile(
        "mine", sandbox.token_url("openedx"), sandbox.api_root("openedx"), sandbox.client_id
    )
    config.save_profile(profile, sandbox.client_secret)
    app = EdxApp(credentials=sandbox.credentials("openedx"), profile_name="x")
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        app.screen.query_one("#profile").value = "mine"
        await wait_for(pilot, lambda: app.screen.query_one("#name").value == "mine")
        assert app.screen.query_one("#client-secret").value == sandbox.client_secret
        assert app.screen.query_one("#client-secret").password  # masked
        await pilot.click("#reveal-secret")
        assert not app.screen.query_one("#client-secret").password
        first = app.session
        await pilot.press("ctrl+o")
        await wait_for(
            pilot, lambda: app.session is not first and isinstance(app.screen, ExplorerScreen)
        )
        await open_explorer(pilot)
        assert app.profile_name == "mine"
        # Letters typed into the form never trigger app keys (q must not quit).
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        app.screen.query_one("#name").focus()
        await pilot.press("q", "h", "c")
        assert isinstance(app.screen, CredentialsScreen) and app.is_running
        await pilot.press("escape")
        assert isinstance(app.screen, ExplorerScreen)


async def test_history_lists_every_exchange_and_opens_one(sandbox):
    app = EdxApp(credentials=sandbox.credentials("openedx"), use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await wait_for(pilot, lambda: all(settled(n) for n in tree_of(app).root.children))
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one(HistoryTable)
        await wait_for(pilot, lambda: table.row_count == len(app.session.log))
        assert table.row_count >= 6  # the token POST and one GET per group
        table.move_cursor(row=0)
        first = next(iter(app.session.log))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        assert app.screen.query_one(Inspector).exchange is first


async def test_save_body_writes_the_exact_bytes(sandbox, tmp_path):
    app = EdxApp(credentials=sandbox.credentials("openedx"), use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        cursor_to(group(app, "Catalogs").children[0])
        await pilot.pause()
        exchange = app.screen.query_one(Inspector).exchange
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveBodyScreen))
        target = tmp_path / "body.json"
        app.screen.query_one("#save-path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        assert target.read_bytes() == exchange.body
        # A body is no secret: the file gets the usual mode, as any program would give it.
        mask = os.umask(0)
        os.umask(mask)
        assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
        assert any("Saved" in n.message and "body.json" in n.message for n in app._notifications)
        # A folder that does not exist: an inline message, the dialog stays.
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveBodyScreen))
        app.screen.query_one("#save-path").value = str(tmp_path / "missing" / "x.json")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveBodyScreen)
        shown = str(app.screen.query_one("#save-error").render())
        assert f"Could not save: cannot write {tmp_path / 'missing' / 'x.json'}: " in shown
        assert "nothing was changed" in shown and "create the folder first" in shown


async def save_as(pilot, app, path) -> str:
    """Press s, type `path`, press enter (again to agree to replace an existing file); the
    dialog's error, or "" once it closed."""
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(app.screen, SaveBodyScreen))
    app.screen.query_one("#save-path").value = str(path)
    await pilot.press("enter")
    await pilot.pause()
    if isinstance(app.screen, SaveBodyScreen) and "exists" in str(
        app.screen.query_one("#save-error").render()
    ):
        await pilot.press("enter")
        await pilot.pause()
    if isinstance(app.screen, ExplorerScreen):
        return ""
    shown = str(app.screen.query_one("#save-error").render())
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen))
    return shown


async def test_save_body_follows_links_keeps_devices_and_modes_and_says_what_failed(
    sandbox, tmp_path
):
    """Real filesystem objects in tmp_path: a symlink, a null and a full device, a full disk."""
    app = EdxApp(credentials=sandbox.credentials("openedx"), use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tree_of(app).move_cursor(group(app, "Catalogs").children[0])
        await pilot.pause()
        body = app.screen.query_one(Inspector).exchange.body
        # A symlink: its 0600 target replaced in its own folder, the link left a link.
        (tmp_path / "real").mkdir()
        real = tmp_path / "real" / "body.json"
        real.write_bytes(b"old")
        os.chmod(real, 0o600)
        (tmp_path / "link.json").symlink_to(real)
        assert await save_as(pilot, app, tmp_path / "link.json") == ""
        assert (tmp_path / "link.json").is_symlink() and real.read_bytes() == body
        assert stat.S_IMODE(real.stat().st_mode) == 0o600
        # A null device: written in place, still the device.
        null = device(tmp_path / "null", NULL)
        assert await save_as(pilot, app, null) == ""
        assert_is_device(null, NULL)
        # A full device: the message, and the device untouched.
        full = device(tmp_path / "full", FULL)
        shown = await save_as(pilot, app, full)
        assert f"Could not save: cannot write {full}: No space left on device" in shown
        assert_is_device(full, FULL)
        # A full disk: the message says nothing was changed, and nothing was.
        with tiny_tmpfs(tmp_path / "small") as small:
            (small / "body.json").write_bytes(b"old")
            fill_disk(small)
            shown = await save_as(pilot, app, small / "body.json")
            assert (
                f"Could not save: cannot write {small / 'body.json'}: No space left on device; "
                "nothing was changed" in shown
            )
            assert (small / "body.json").read_bytes() == b"old"
            assert sorted(p.name for p in small.iterdir()) == ["ballast", "body.json"]
        assert temp_files(tmp_path / "real") == [] and temp_files(tmp_path) == []


async def test_help_and_command_palette(sandbox):
    app = EdxApp(credentials=sandbox.credentials("openedx"), use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Copy token", "Copy as curl", "History", "Credentials", "Filter the tree"):
            assert title in titles
        # Run one through the palette: copy the token.
        await wait_for(pilot, lambda: app.session.tokens.current_token)
        await pilot.press("ctrl+p")
        await pilot.press(*"Copy token")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.clipboard == app.session.tokens.current_token)


async def test_token_request_in_history_shows_a_redacted_body(sandbox):
    app = EdxApp(credentials=sandbox.credentials("openedx"), use_system_clipboard=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        # The tree marks Catalogs loaded before its Loaded message is handled, and handling
        # it shows the cursor's exchange: let that happen first, or it replaces ours.
        catalogs = group(app, "Catalogs")
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is catalogs.data.exchange, "catalogs")
        token_exchange = next(e for e in app.session.log if e.kind == "token")
        app.screen.show_exchange(token_exchange.id)
        await wait_for(pilot, lambda: inspector.exchange is token_exchange, "the token request")
        await pilot.pause()
        headers = str(app.screen.query_one("#headers").render())
        assert "grant_type=client_credentials" in headers
        assert sandbox.client_secret not in headers
        assert app.session.tokens.current_token not in headers
        summary = str(app.screen.query_one("#summary").render())
        assert "POST" in summary and "token request" in summary


async def test_toasts_show_markup_and_escapes_literally(sandbox, tmp_path):
    app = EdxApp(credentials=sandbox.credentials("openedx"), use_system_clipboard=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_explorer(pilot)
        cursor_to(group(app, "Catalogs").children[0])
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveBodyScreen))
        target = tmp_path / "[bold red]x\x1b[2J.json"  # markup and an ESC in the file name
        app.screen.query_one("#save-path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        assert target.exists()
        message = [n.message for n in app._notifications][-1]
        assert "[bold red]x\\e[2J.json" in message and "\x1b" not in message
        # The toast on screen shows the brackets: they were not taken as markup.
        await wait_for(pilot, lambda: app.screen.query(Toast), "the toast")
        shown = " ".join(str(toast.render()) for toast in app.screen.query(Toast))
        assert "[bold red]x" in shown
