"""Export a catalog from the explorer (the tree's E): the CLI's export, with a progress bar.

A small dialog asks for the format and the path (by default `catalog-ID.FORMAT` in the
current folder), asks before replacing a file, then runs edxtui.api.export.export_catalog,
the very writer `edxtui export` uses: the file is replaced only once every course is in, so
esc (or a failure) leaves no partial file, and an existing file as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState

from edxtui.api.errors import EdxError
from edxtui.api.export import FORMATS, ExportResult, export_catalog
from edxtui.tui.text import safe
from edxtui.tui.widgets.catalog.nodes import catalog_of

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from edxtui.api.session import Session
    from edxtui.tui.widgets.catalog.nodes import NodeInfo
    from edxtui.tui.widgets.catalog.tree import CatalogTree


def catalog_at(node: TreeNode[NodeInfo] | None) -> tuple[str, Any] | None:
    """(id, the catalog's JSON) of the catalog node at or above `node`, else None."""
    catalog = catalog_of(node)
    item = catalog.data.item if catalog is not None and catalog.data is not None else None
    ident = item.get("id") if isinstance(item, dict) else None
    return (str(ident), item) if ident is not None else None


def default_path(catalog_id: str, fmt: str) -> Path:
    safe_id = "".join(c if c.isalnum() or c in "-_" else "_" for c in catalog_id)
    return Path.cwd() / f"catalog-{safe_id}.{fmt}"


def ask_export(tree: CatalogTree, node: TreeNode[NodeInfo] | None) -> None:
    """Open the export dialog for the catalog under the cursor (or say to pick one)."""
    found = catalog_at(node)
    if found is None:
        tree.notify("Move to a catalog (or one of its courses) to export it", severity="warning")
        return
    catalog_id, item = found
    name = item.get("name") if isinstance(item, dict) else None
    tree.app.push_screen(ExportScreen(tree.session, catalog_id, str(name or "")))


class ExportScreen(ModalScreen[ExportResult | None]):
    """Format, path, go; a progress bar while it runs; esc cancels (and leaves no file)."""

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    #export-progress { display: none; }
    #export-error { height: auto; }
    #export-format { height: auto; layout: horizontal; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session: Session, catalog_id: str, name: str) -> None:
        super().__init__()
        self.session = session
        self.catalog_id = catalog_id
        self.catalog_name = name
        self.fmt = FORMATS[0]
        self.worker: Worker[ExportResult] | None = None
        self.path: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            title = Text(f"Export the courses of catalog #{self.catalog_id} ")
            title.append_text(safe(self.catalog_name, "bold", limit=80))
            yield Label(title)
            with RadioSet(id="export-format"):
                for fmt in FORMATS:
                    yield RadioButton(fmt, value=fmt == self.fmt, id=f"format-{fmt}")
            yield Input(str(default_path(self.catalog_id, self.fmt)), id="export-path")
            yield ProgressBar(id="export-progress")
            yield Static(id="export-error")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        new = FORMATS[event.index]
        box = self.query_one("#export-path", Input)
        path = Path(box.value)
        if path.suffix == f".{self.fmt}":  # the extension follows the format
            box.value = str(path.with_suffix(f".{new}"))
        self.fmt = new

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        if self.worker is not None and self.worker.is_running:
            self.worker.cancel()  # the writer removes its temporary file
            self.app.notify("Export cancelled: no file was written or changed")
        self.dismiss(None)

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#export-path")
    def _export(self) -> None:
        if self.worker is not None and self.worker.is_running:
            return
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._error("Type a file path first.")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            path = path / default_path(self.catalog_id, self.fmt).name
        if path.exists():
            from edxtui.tui.screens.confirm import ConfirmScreen

            question = safe(f"{path} exists. Replace it?")

            def answered(yes: bool | None) -> None:
                if yes:
                    self._start(path)

            self.app.push_screen(ConfirmScreen(question, yes="Replace"), answered)
            return
        self._start(path)

    def _start(self, path: Path) -> None:
        self.path = path
        self._error("")
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#export", Button).disabled = True

        def progress(done: int, total: int) -> None:
            bar.update(total=max(total, 1), progress=done)

        self.worker = self.run_worker(
            export_catalog(self.session, self.catalog_id, path, fmt=self.fmt, progress=progress),
            exit_on_error=False,
            name=f"export catalog {self.catalog_id}",
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.worker or self.path is None:
            return
        if event.state == WorkerState.SUCCESS:
            result = event.worker.result
            assert isinstance(result, ExportResult)
            self.app.notify(
                f"Exported {result.count:,} courses of catalog #{self.catalog_id} "
                f"to {self.path.resolve()}"
            )
            self.dismiss(result)
        elif event.state == WorkerState.ERROR:
            err = event.worker.error
            self.query_one("#export-progress", ProgressBar).display = False
            self.query_one("#export", Button).disabled = False
            if isinstance(err, EdxError):
                message = err.message
                if not any(word in message for word in ("written", "changed", "incomplete")):
                    # the writer replaces the file only once every course is in
                    message += "; no file was written or changed"
                self._error(f"Could not export: {message}", err.hint)
            else:
                self._error(f"Could not export: unexpected {type(err).__name__}")

    def _error(self, message: str, hint: str = "") -> None:
        text = safe(message, "red")
        if hint:
            text.append("\n")
            text.append_text(safe(hint))
        self.query_one("#export-error", Static).update(text)
