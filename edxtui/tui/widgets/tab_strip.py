"""TabStrip: a row of tab labels, one of them active; the inspector's Body / Headers.

One focusable widget drawing its labels on one line, instead of Textual's TabbedContent
(a Tabs bar, a tab per label, an underline and a ContentSwitcher, each with CSS to parse
on first use: ~30 ms of the explorer's first paint, docs/performance.md). It shows no
content: its owner shows the active tab's pane when `Changed` says which it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class TabStrip(Widget, can_focus=True):
    """Tabs given as (id, label) pairs; `left` / `right` (focused) or a click switch."""

    DEFAULT_CSS = """
    TabStrip {
        height: 1;
        pointer: pointer;
        & > .tab-strip--tab { color: $foreground 50%; }
        & > .tab-strip--active { color: $foreground; text-style: bold underline; }
        &:focus > .tab-strip--active {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """
    COMPONENT_CLASSES = {"tab-strip--tab", "tab-strip--active"}
    BINDINGS = [
        Binding("left", "step(-1)", "Previous tab", show=False),
        Binding("right", "step(1)", "Next tab", show=False),
    ]

    active: reactive[str] = reactive("", init=False)
    """The active tab's id."""

    class Changed(Message):
        """The active tab is now `active` (an id)."""

        def __init__(self, strip: TabStrip, active: str) -> None:
            super().__init__()
            self.strip = strip
            self.active = active

        @property
        def control(self) -> TabStrip:
            return self.strip

    def __init__(self, tabs: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tabs = tuple(tabs)
        self.set_reactive(TabStrip.active, self.tabs[0][0])

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        for tab_id, label in self.tabs:
            active = tab_id == self.active
            style = self.get_component_rich_style(
                "tab-strip--active" if active else "tab-strip--tab"
            )
            padding = style + Style(underline=False)  # the label underlined, not its margins
            text.append(" ", padding)
            text.append(label, style)
            text.append(" ", padding)
        return text

    def watch_active(self, active: str) -> None:
        self.post_message(self.Changed(self, active))

    def action_step(self, delta: int) -> None:
        """Activate the next (`delta` 1) or previous (-1) tab, wrapping around."""
        ids = [tab_id for tab_id, _label in self.tabs]
        self.active = ids[(ids.index(self.active) + delta) % len(ids)]

    def on_click(self, event: events.Click) -> None:
        start = 0
        for tab_id, label in self.tabs:
            end = start + cell_len(label) + 2
            if start <= event.x < end:
                self.active = tab_id
                return
            start = end
