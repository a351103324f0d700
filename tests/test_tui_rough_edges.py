"""Issue 17's rough edges of the explorer, each as a person meets it, over the real sandbox."""

from __future__ import annotations

from tui_helpers import (
    cursor_to,
    expand_catalog,
    items,
    open_explorer,
    sandbox_app,
    wait_for,
)

from edxtui.tui.clipboard import OSC52_LIMIT
from edxtui.tui.widgets.inspector import Inspector

SIZE = (120, 36)


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_ctrl_c_says_how_to_quit_without_markup_tags(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: any("to quit" in m for m in toasts(app)), "the toast")
        message = next(m for m in toasts(app) if "to quit" in m)
        assert message == "Press q to quit the app"  # not "Press [b]q[/b] ..."


async def test_a_body_too_big_for_osc52_is_not_claimed_as_copied(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        cursor_to(items(catalog)[0])
        inspector = app.screen.query_one(Inspector)
        await wait_for(
            pilot,
            lambda: inspector.exchange is not None and inspector.exchange.size > 100_000,
            "a page",
        )
        exchange = inspector.exchange
        assert exchange.size * 4 // 3 > OSC52_LIMIT  # a page of 100 courses
        await pilot.press("y")
        await wait_for(pilot, lambda: any("copied" in m.lower() for m in toasts(app)), "a toast")
        message = toasts(app)[-1]
        assert message.startswith("Not copied: the body")
        assert "too big for the terminal's clipboard" in message and "save it with s" in message
        assert app.clipboard != exchange.body.decode()  # nothing went out through OSC 52
        # A small body still goes through OSC 52.
        cursor_to(catalog)
        small = await wait_for(
            pilot,
            lambda: inspector.exchange if inspector.exchange is not exchange else None,
            "the catalogs list",
        )
        await pilot.press("y")
        assert app.clipboard == small.body.decode()
        assert toasts(app)[-1].startswith("Copied the body")


async def test_save_asks_before_replacing_an_existing_file(sandbox, tmp_path):
    from edxtui.tui.screens.explorer import ExplorerScreen
    from edxtui.tui.screens.save_body import SaveBodyScreen

    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is not None, "an exchange")
        body = inspector.exchange.body
        target = tmp_path / "kept.json"
        target.write_bytes(b"precious")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveBodyScreen), "the dialog")
        dialog = app.screen
        dialog.query_one("#save-path").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        # Asked, not written.
        assert app.screen is dialog and target.read_bytes() == b"precious"
        assert "exists" in str(dialog.query_one("#save-error").render())
        assert str(dialog.query_one("#save").label) == "Overwrite"
        # A changed path asks afresh; back to the same path, a second enter replaces it.
        dialog.query_one("#save-path").value = str(target) + ".x"
        await pilot.pause()
        assert str(dialog.query_one("#save").label) == "Save"
        dialog.query_one("#save-path").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and target.read_bytes() == b"precious"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer")
        assert target.read_bytes() == body
