"""A one-line progress bar under the tree for a long task (load all): what, how far, esc."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


class TaskProgress(Horizontal):
    """Hidden until `show()`; `hide()` when the task ends."""

    DEFAULT_CSS = """
    TaskProgress { height: 1; display: none; }
    TaskProgress > Static { width: 1fr; height: 1; }
    TaskProgress > ProgressBar { width: auto; height: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="task-label")
        # no percentage or ETA: each is a label whose every update lays out the whole screen
        yield ProgressBar(show_eta=False, show_percentage=False, id="task-bar")

    def show(self, label: Text, done: int, total: int) -> None:
        if not self.display:
            self.display = True
        # one line of a fixed height: the new text needs no layout of the screen
        self.query_one("#task-label", Static).update(label, layout=False)
        self.query_one("#task-bar", ProgressBar).update(total=max(total, 1), progress=done)

    def hide(self) -> None:
        self.display = False
