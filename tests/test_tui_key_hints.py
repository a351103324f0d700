"""The footer (KeyHints): the keys that work here, on one line, and the mouse on it."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widget import Widget
from textual.widgets import Static

from edxtui.tui.widgets.key_hints import KeyHints


class Focusable(Widget, can_focus=True):
    DEFAULT_CSS = "Focusable { height: 1; }"
    BINDINGS = [Binding("e", "app.ran('e')", "Edit")]

    def render(self) -> str:
        return "focusable"


class Keys(App[None]):
    AUTO_FOCUS = None  # nothing focused at first: the app's keys alone
    BINDINGS = [
        Binding("r", "ran('r')", "Reload"),
        Binding("d", "ran('d')", "Delete", tooltip="nothing to delete here"),
        Binding("x", "ran('x')", "Hidden", show=False),
        Binding("R", "ran('r')", "Reload again"),  # the same action: shown once, as Footer does
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ran_keys: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield Focusable(id="focusable")
        yield KeyHints()

    def action_ran(self, key: str) -> None:
        self.ran_keys.append(key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if parameters == ("d",) else True  # None: shown, but disabled

    def bell(self) -> None:
        self.bells += 1


def line(app: App[None]) -> str:
    return app.screen.query_one(KeyHints).render().plain


def at(app: App[None], word: str) -> int:
    """The column of `word` on the footer's line."""
    return line(app).index(word)


async def test_the_line_lists_the_shown_keys_once_each_and_the_palette_at_the_end():
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        text = line(app)
        assert text.startswith("r Reload d Delete ")
        assert "Hidden" not in text and "Reload again" not in text
        assert text.rstrip().endswith("▏^p palette")
        assert len(text) == 80 and text.endswith("palette ")  # Footer's margin after it


async def test_a_click_runs_the_key_and_a_disabled_key_rings_the_bell():
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        await pilot.click(KeyHints, offset=(at(app, "Reload"), 0))
        await pilot.pause()
        assert app.ran_keys == ["r"]
        await pilot.click(KeyHints, offset=(at(app, "Delete"), 0))
        await pilot.pause()
        assert app.ran_keys == ["r"] and app.bells == 1
        await pilot.click(KeyHints, offset=(at(app, "palette"), 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_hovering_a_key_highlights_it_and_shows_its_tooltip():
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        hints = app.screen.query_one(KeyHints)
        plain = hints.render()
        await pilot.hover(KeyHints, offset=(at(app, "Delete"), 0))
        await pilot.pause()
        assert hints.tooltip == "nothing to delete here"
        hovered = hints.render()
        column = at(app, "Delete")
        assert hovered.get_style_at_offset(app.console, column) != plain.get_style_at_offset(
            app.console, column
        )
        await pilot.hover(Static, offset=(0, 0))  # off the footer: no highlight, no tooltip
        await pilot.pause()
        assert hints.tooltip is None
        assert hints.render().get_style_at_offset(app.console, column) == (
            plain.get_style_at_offset(app.console, column)
        )


async def test_the_line_follows_the_focus():
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        assert "e Edit" not in line(app)
        app.screen.query_one("#focusable").focus()
        await pilot.pause()
        assert "e Edit" in line(app)
        await pilot.click(KeyHints, offset=(at(app, "Edit"), 0))
        await pilot.pause()
        assert app.ran_keys == ["e"]


async def test_a_line_wider_than_the_screen_scrolls_with_the_wheel():
    app = Keys()
    async with app.run_test(size=(24, 10)) as pilot:
        await pilot.pause()
        # 12 cells for the keys, 12 for the palette's: "r Reload d Delete " is cut
        assert line(app) == "r Reload d D▏^p palette "
        y = app.screen.query_one(KeyHints).region.y
        for _ in range(3):  # past the end of the keys: it stops at their last cell
            app.post_message(events.MouseScrollDown(None, 2, y, 0, 1, 0, False, False, False, 2, y))
            await pilot.pause()
        assert line(app) == "ad d Delete ▏^p palette "
        await pilot.click(KeyHints, offset=(line(app).index("d D"), 0))
        await pilot.pause()
        assert app.bells == 1 and app.ran_keys == []  # Delete's key, where it is now drawn
        await pilot.click(KeyHints, offset=(0, 0))
        await pilot.pause()
        assert app.ran_keys == ["r"]  # what is left of Reload still answers
        app.post_message(events.MouseScrollUp(None, 2, y, 0, -1, 0, False, False, False, 2, y))
        await pilot.pause()
        assert line(app) == "Reload d Del▏^p palette "


async def test_narrower_than_the_palettes_part_the_rule_is_no_key():
    app = Keys()
    async with app.run_test(size=(11, 10)) as pilot:
        await pilot.pause()
        assert line(app).startswith("▏^p p")  # cut at the screen's edge
        await pilot.click(KeyHints, offset=(0, 0))  # the rule
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)
        await pilot.click(KeyHints, offset=(1, 0))  # the palette's key, where it is drawn
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
