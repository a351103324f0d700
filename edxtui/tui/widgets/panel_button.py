"""A one-row button for the mouse, lighter to build than Textual's `Button`.

The token panel's four buttons are mounted with the tree and the inspector, in the frame a
person waits for at launch. Textual's `Button` carries a large stylesheet (every variant,
flat and default, each colour) that is parsed the first time one is mounted, and styled
per button: four cost ~17 ms of CPU to mount and paint in a fresh app, four of these ~9 ms,
about what four plain Statics cost (docs/performance.md). The panel's buttons need none of
that: they are for the mouse only (Tab goes from pane to pane, and the keys t, a, f, v do
the same), so this is a one-line widget that looks like a compact Button and posts
`Pressed` when clicked.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

#: seconds the pressed look stays, as Textual's Button does
PRESSED_FOR = 0.2


class PanelButton(Widget):
    """A clickable label with a compact Button's look; never takes focus. It draws its one
    line itself (a Static's content goes through Textual's general text pipeline, which was
    a sizeable share of the panes' first paint for four one-word labels)."""

    DEFAULT_CSS = """
    PanelButton {
        width: auto;
        height: 1;
        padding: 0 1;
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        pointer: pointer;
        &:hover { background: $surface-darken-1; }
        &.-active { tint: $background 30%; }
    }
    """

    can_focus = False

    class Pressed(Message):
        """The button was clicked."""

        def __init__(self, button: PanelButton) -> None:
            super().__init__()
            self.button = button

        @property
        def control(self) -> PanelButton:
            return self.button

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._label = label

    @property
    def label(self) -> str:
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        if label != self._label:
            self._label = label
            self.refresh(layout=True)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return cell_len(self._label)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1

    def render_line(self, y: int) -> Strip:
        style = self.rich_style  # its colours and bold from the CSS (hover included)
        return Strip([Segment(self._label, style)], cell_len(self._label))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.add_class("-active")
        self.set_timer(PRESSED_FOR, lambda: self.remove_class("-active"))
        self.post_message(self.Pressed(self))
