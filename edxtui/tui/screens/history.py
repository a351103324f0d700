"""The history view: every exchange of the session; enter opens one in the inspector."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from edxtui.api.exchange import Exchange
from edxtui.tui.widgets.history import HistoryTable

if TYPE_CHECKING:
    from edxtui.api.session import Session


class HistoryScreen(Screen[int | None]):
    """Dismisses with the chosen exchange id (or None); follows the log while open."""

    BINDINGS = [
        Binding("escape,h", "dismiss(None)", "Back"),
        Binding("enter", "open", "Inspect", show=True),
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]

    def __init__(self, session: Session, *, stable: bool = False) -> None:
        super().__init__()
        self.session = session
        self.stable = stable
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            "History: every request of this session (enter opens it in the inspector)",
            id="history-title",
        )
        yield HistoryTable(stable=self.stable, id="history-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(HistoryTable)
        for exchange in sorted(self.session.log, key=lambda e: e.id):  # request order
            table.add_exchange(exchange)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)
        table.focus()
        self._unsubscribe = self.session.log.subscribe(self._added)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _added(self, exchange: Exchange) -> None:
        self.call_later(self.query_one(HistoryTable).add_exchange, exchange)

    def action_open(self) -> None:
        table = self.query_one(HistoryTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.dismiss(int(key)) if key is not None else None

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.dismiss(int(event.row_key.value))
