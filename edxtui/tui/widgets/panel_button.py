"""A one-row button for the mouse, lighter to build than Textual's `Button`.

The token panel's four buttons are mounted with the tree and the inspector, in the frame a
person waits for at launch. Textual's `Button` carries a large stylesheet (every variant,
flat and default, each colour) that is parsed the first time one is mounted, and styled
per button: four cost ~21 ms of CPU to mount and paint in a fresh app, four of these ~12 ms
and four plain Statics ~10 ms (docs/performance.md).
The panel's buttons need none of that: they are for the mouse only (Tab goes from pane to
pane, and the keys t, a, f, v do the same), so this is a Static that looks like a compact
Button and posts `Pressed` when clicked.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

#: seconds the pressed look stays, as Textual's Button does
PRESSED_FOR = 0.2


class PanelButton(Static):
    """A clickable label with a compact Button's look; never takes focus."""

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
        super().__init__(Text(label), id=id)
        self._label = label

    @property
    def label(self) -> str:
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        if label != self._label:
            self._label = label
            self.update(Text(label))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.add_class("-active")
        self.set_timer(PRESSED_FOR, lambda: self.remove_class("-active"))
        self.post_message(self.Pressed(self))
