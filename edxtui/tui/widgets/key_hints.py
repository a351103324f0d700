"""The explorer's footer: the keys that work here and what they do, on one line.

Textual's `Footer` is a scrolling container of one widget per key, and it composes them a
frame after it mounts (once the screen's bindings are known): a dozen widgets to style,
lay out and paint, and a footer that is blank in the explorer's first frame. `KeyHints`
draws the same line itself from the same bindings (`Screen.active_bindings`), in the same
look as the compact `Footer`, and answers the same mouse: a click runs the key, hovering
highlights it and shows its tooltip, the wheel scrolls a line wider than the screen.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


class Hint(NamedTuple):
    """One key on the line: where it is drawn (cells from the line's start) and what it runs.
    (A NamedTuple: defining a dataclass costs ~0.5 ms, in the panes' first frame.)"""

    key: str
    enabled: bool
    tooltip: str
    start: int
    end: int


class KeyHints(Widget, can_focus=False):
    """One line of key hints, docked at the bottom of its screen."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-hints--key",
        "key-hints--description",
        "key-hints--hover",
        "key-hints--edge",
    }
    # The compact Footer's look: its colours, a bold key, one space before the description
    # and one after each hint; the command palette's key at the right, past a thin rule.
    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-hints--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-hints--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-hints--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        & > .key-hints--edge { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hints: list[Hint] = []  # as last drawn, for the mouse
        self._hovered: str | None = None  # the key under the mouse
        self._scrolled = 0  # cells of the key list scrolled off to the left

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.refresh()

    def _shown_bindings(
        self,
    ) -> tuple[list[tuple[Binding, bool, str]], tuple[Binding, bool] | None]:
        """The shown bindings, one per action (the first, as Footer shows), and the
        command palette's, if the app has one."""
        active = self.screen.active_bindings
        by_action: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in by_action:
                by_action[binding.action] = (binding, enabled, tooltip)
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            palette = (binding, enabled)
        return list(by_action.values()), palette

    def _hint_text(self, binding: Binding, enabled: bool) -> Text:
        """A key and its description, as a compact FooterKey draws them."""
        text = Text(no_wrap=True, end="")
        text.append(
            self.app.get_key_display(binding), self.get_component_rich_style("key-hints--key")
        )
        text.append(
            f" {binding.description}", self.get_component_rich_style("key-hints--description")
        )
        if binding.key == self._hovered:
            text.stylize(self.get_component_rich_style("key-hints--hover"))
        if not enabled:
            text.stylize("dim")
        return text

    def render(self) -> Text:
        bindings, palette = self._shown_bindings()
        width = self.size.width
        hints: list[Hint] = []
        # The palette's key at the end of the line, whatever the keys' length: a rule, the
        # key, and Footer's margin after its last key.
        right = Text(no_wrap=True, end="")
        if palette is not None:
            right.append("▏", self.get_component_rich_style("key-hints--edge"))
            right.append_text(self._hint_text(*palette))
            right.append(" ")
        room = max(0, width - right.cell_len)  # for the keys; the palette's part starts here
        if palette is not None:
            start = room + 1  # past the rule
            hints.append(self._hint(*palette, "", start, start + right.cell_len - 2))
        texts = [
            (self._hint_text(binding, enabled), binding, enabled, tooltip)
            for binding, enabled, tooltip in bindings
        ]
        length = sum(text.cell_len + 1 for text, *_ in texts)
        self._scrolled = max(0, min(self._scrolled, length - room))
        keys = Text(no_wrap=True, end="")
        for text, binding, enabled, tooltip in texts:
            start = keys.cell_len - self._scrolled
            end = start + text.cell_len
            if end > 0 and start < room:
                hints.append(self._hint(binding, enabled, tooltip, max(0, start), min(end, room)))
            keys.append_text(text)
            keys.append(" ")  # the gap between two keys is the footer's own background
        line = keys[self._scrolled :]
        line.truncate(room, pad=True)
        line.append_text(right)
        self._hints = hints
        return line

    def _hint(self, binding: Binding, enabled: bool, tooltip: str, start: int, end: int) -> Hint:
        return Hint(binding.key, enabled, tooltip or binding.tooltip, start, end)

    # ----- the mouse -----------------------------------------------------------------------

    def _hint_at(self, x: int) -> Hint | None:
        return next((hint for hint in self._hints if hint.start <= x < hint.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hint = self._hint_at(event.x)
        key = hint.key if hint is not None else None
        if key != self._hovered:
            self._hovered = key
            self.tooltip = hint.tooltip if hint is not None and hint.tooltip else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        hint = self._hint_at(event.x)
        if hint is None:
            return
        if hint.enabled:
            self.app.simulate_key(hint.key)
        else:
            self.app.bell()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(+4, event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(-4, event)

    def _scroll(self, cells: int, event: events.Event) -> None:
        self._scrolled = max(0, self._scrolled + cells)
        event.stop()
        self.refresh()
