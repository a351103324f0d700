"""Save a response body to a file: a small dialog with the path.

The file is written by edxtui.atomicfile: a regular file is replaced atomically, a symlink's
target is replaced, a FIFO or device is written in place.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from edxtui.api.atomicfile import FileWriteError, writing
from edxtui.api.exchange import Exchange
from edxtui.tui.text import human_size, safe


def default_name(exchange: Exchange) -> str:
    ctype = exchange.content_type.lower()
    ext = "json" if "json" in ctype else "csv" if "csv" in ctype else "txt"
    return f"edxtui-response-{exchange.id}.{ext}"


class SaveBodyScreen(ModalScreen[Path | None]):
    """Ask for a path, save the exchange's exact body bytes there, toast where."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, exchange: Exchange) -> None:
        super().__init__()
        self.exchange = exchange
        self._overwrite: Path | None = None  # the existing file the user agreed to replace

    def compose(self) -> ComposeResult:
        with Vertical(id="save-dialog", classes="dialog"):
            yield Label(
                f"Save the body of #{self.exchange.id} ({human_size(self.exchange.size)}) to:"
            )
            yield Input(str(Path.cwd() / default_name(self.exchange)), id="save-path")
            yield Static(id="save-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Changed, "#save-path")
    def _path_changed(self) -> None:
        if self._overwrite is not None:  # a new path: ask again if it exists too
            self._overwrite = None
            self.query_one("#save-error", Static).update("")
            self.query_one("#save", Button).label = "Save"

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#save-path")
    def _save(self) -> None:
        raw = self.query_one("#save-path", Input).value.strip()
        error = self.query_one("#save-error", Static)
        if not raw:
            error.update(Text("Type a file path first.", style="red"))
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            path = path / default_name(self.exchange)
        if path.is_file() and self._overwrite != path:
            # Ask first: the second press on the same path is the yes.
            self._overwrite = path
            warning = Text(f"{safe(str(path)).plain} exists. ", style="yellow")
            warning.append("Press Overwrite (or enter) to replace it, or change the path.")
            error.update(warning)
            self.query_one("#save", Button).label = "Overwrite"
            return
        try:
            with writing(path) as handle:
                handle.write(self.exchange.body)
        except FileWriteError as err:
            # The path, what went wrong, and that nothing changed; then what to do.
            message = Text("Could not save: ", style="red")
            message.append_text(safe(err.message, "red"))
            if err.hint:
                message.append("\n" + err.hint)
            error.update(message)
            return
        self.app.notify(
            f"Saved {human_size(self.exchange.size)} to {safe(str(path.resolve())).plain}"
        )
        self.dismiss(path)
