"""The inspector's Body / Headers tabs (TabStrip): keys, clicks, focus, and its message."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widget import Widget
from tui_helpers import cursor_to, group, open_explorer, sandbox_app, wait_for

from edxtui.tui.app import EdxApp
from edxtui.tui.widgets.tab_strip import TabStrip

SIZE = (120, 40)


def shown(app: EdxApp) -> str:
    """Which pane is on screen: "body", "headers" (or both / neither: a failure)."""
    body = app.screen.query_one("#json-view-lines").region
    headers = app.screen.query_one("#headers").region
    return {(True, False): "body", (False, True): "headers"}.get(
        (bool(body), bool(headers)), f"body {body}, headers {headers}"
    )


def focused(app: EdxApp) -> str | None:
    widget = app.focused
    return None if widget is None else widget.id


async def test_tab_reaches_the_tabs_and_the_arrows_switch_the_panes(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        cursor_to(group(app, "Catalogs").children[0])
        await pilot.pause()
        assert focused(app) == "catalog-tree" and shown(app) == "body"
        await pilot.press("tab")  # from the tree to the tabs, as to TabbedContent's tabs
        await wait_for(pilot, lambda: focused(app) == "inspector-tabs", "the tabs")
        await pilot.press("right")
        await wait_for(pilot, lambda: shown(app) == "headers", "the headers", lambda: shown(app))
        assert "Request" in str(app.screen.query_one("#headers").render())
        await pilot.press("tab")  # the pane on screen is next in the focus order
        await wait_for(pilot, lambda: focused(app) == "headers-pane", "the headers' scroll")
        await pilot.press("shift+tab", "right")  # two tabs: right wraps back to the first
        await wait_for(pilot, lambda: shown(app) == "body", "the body", lambda: shown(app))
        await pilot.press("left")
        await wait_for(pilot, lambda: shown(app) == "headers", "the headers", lambda: shown(app))
        # `i` focuses the body, which shows it again; shift+tab goes back to the tabs
        await pilot.press("i")
        await wait_for(pilot, lambda: shown(app) == "body", "the body", lambda: shown(app))
        assert focused(app) == "json-view-lines"
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: focused(app) == "inspector-tabs", "the tabs")
        await pilot.press("l")  # the explorer's key, not the tabs'
        await wait_for(pilot, lambda: focused(app) == "catalog-tree", "the tree")
        assert shown(app) == "body"


async def test_a_click_on_a_label_shows_its_pane(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        cursor_to(group(app, "Catalogs").children[0])
        await pilot.pause()
        strip = app.screen.query_one(TabStrip)
        await pilot.click(strip, offset=(8, 0))  # " Body " is columns 0-5, " Headers " 6-14
        await wait_for(pilot, lambda: shown(app) == "headers", "the headers", lambda: shown(app))
        assert focused(app) == "inspector-tabs"
        await pilot.click(strip, offset=(40, 0))  # past the labels: nothing changes
        await pilot.pause()
        assert shown(app) == "headers"
        await pilot.click(strip, offset=(1, 0))
        await wait_for(pilot, lambda: shown(app) == "body", "the body", lambda: shown(app))


class StripHost(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[str] = []

    def compose(self) -> ComposeResult:
        yield TabStrip([("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")], id="strip")
        yield Widget()

    def on_tab_strip_changed(self, event: TabStrip.Changed) -> None:
        assert event.control is self.query_one(TabStrip)
        self.changes.append(event.active)


async def test_the_strip_says_each_change_once_and_marks_the_active_label():
    app = StripHost()
    async with app.run_test(size=(40, 4)) as pilot:
        strip = app.query_one(TabStrip)
        strip.focus()
        await pilot.pause()
        assert strip.active == "a" and app.changes == []  # the first tab, without a message
        await pilot.press("left", "left", "right")
        await pilot.pause()
        assert app.changes == ["c", "b", "c"]
        row = strip.render_line(0)
        assert row.text.startswith(" Alpha  Beta  Gamma ")
        styles = {seg.text: seg.style.clear_meta_and_links() for seg in row if seg.text.strip()}
        assert styles["Gamma"] != styles["Alpha"] == styles["Beta"]
