"""The token panel's lifetime bar: how much of the token's life is left, on one line.

It draws what Textual's `ProgressBar` draws (the same `Bar` renderable and component
classes, so the same look: tests/test_tui_first_paint.py compares them cell by cell), without
the widgets around it. A ProgressBar is two widgets with a clock, an ETA and five reactives;
mounting and painting one costs measurably more than this (docs/performance.md), time
the countdown's first paint waits for, for a bar that only ever shows a fraction.
"""

from __future__ import annotations

from rich.style import Style
from textual.app import RenderResult
from textual.reactive import reactive
from textual.renderables.bar import Bar
from textual.widget import Widget


class LifetimeBar(Widget, can_focus=False):
    """A bar filled to `fraction` (0 to 1), in half cells."""

    COMPONENT_CLASSES = {"bar--bar", "bar--complete"}

    DEFAULT_CSS = """
    LifetimeBar {
        height: 1;
        & > .bar--bar { color: $primary; background: $surface; }
        & > .bar--complete { color: $success; background: $surface; }
    }
    """

    fraction: reactive[float] = reactive(0.0)

    def validate_fraction(self, fraction: float) -> float:
        # To the half cell the bar can show: a countdown tick that moves the bar by less
        # than that sets the same value, and so repaints nothing.
        fraction = min(1.0, max(0.0, fraction))
        half_cells = self.size.width * 2
        return int(fraction * half_cells) / half_cells if half_cells else fraction

    def render(self) -> RenderResult:
        style = self.get_component_rich_style("bar--complete" if self.fraction >= 1 else "bar--bar")
        return Bar(
            highlight_range=(0, self.size.width * self.fraction),
            highlight_style=Style.from_color(style.color),
            background_style=Style.from_color(style.bgcolor),
        )
