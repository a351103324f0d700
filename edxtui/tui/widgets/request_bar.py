"""The request bar (`:`): one line to GET any path under the API root.

An Input that completes what is typed from the paths it is given (remembered requests
first, then the groups the server serves and the keys of loaded nodes), inline as Textual's
suggester does: `→` (or `end`) takes the completion. Enter asks the screen to run the line
(`Run`); Esc closes the bar (`Closed`). What a line may be is edxtui.api.request_line's call.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input


class PathSuggester(Suggester):
    """The first known path that starts with what is typed (and is longer)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.paths: list[str] = []

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        return next((p for p in self.paths if p.startswith(value) and p != value), None)


class RequestBar(Input):
    """Hidden until `open()`; the screen runs what is submitted."""

    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    class Run(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Closed(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        self.suggestions = PathSuggester()
        super().__init__(
            placeholder="GET a path under the API root, e.g. courses/?q=python  (esc closes)",
            suggester=self.suggestions,
            id=id,
        )

    def open(self, paths: list[str]) -> None:
        self.suggestions.paths = paths
        self.display = True
        self.focus()

    def close(self) -> None:
        self.display = False
        self.post_message(self.Closed())

    def action_close(self) -> None:
        self.close()

    async def action_submit(self) -> None:
        # Not Input.Submitted: the screen's other Input (the filter) has its own handler.
        if self.value.strip():
            self.post_message(self.Run(self.value))
