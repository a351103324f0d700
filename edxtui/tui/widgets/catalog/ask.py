"""A one-line question above the catalog tree: the server search's query (`S`), the keys a
catalog is asked about (`K`). Enter answers, esc cancels; either way the tree gets focus back."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input


class AskBox(Input):
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._answer: Callable[[str], None] | None = None
        self._back: Widget | None = None

    def ask(
        self, prompt: str, answer: Callable[[str], None], *, value: str = "", back: Widget
    ) -> None:
        """Show `prompt` (as the placeholder: plain text) and call `answer` with the text."""
        self.placeholder = prompt
        self.border_title = Text(prompt)  # Text: a str title would be markup
        self.value = value
        self._answer = answer
        self._back = back
        self.display = True
        self.focus()

    def _close(self) -> None:
        self.display = False
        if self._back is not None:
            self._back.focus()

    def action_cancel(self) -> None:
        self._answer = None
        self._close()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        answer, self._answer = self._answer, None
        self._close()
        if answer is not None:
            answer(event.value)
