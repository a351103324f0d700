"""The exchange history as a table: every request the session made, newest last."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from edxtui.api.exchange import Exchange
from edxtui.tui.text import clock_time, elapsed_ms, human_size, safe, status_text

COLUMNS = ("#", "time", "method", "status", "ms", "size", "URL")


def row(exchange: Exchange, *, stable: bool = False) -> tuple[Text | str, ...]:
    status = status_text(exchange)
    status.truncate(24, overflow="ellipsis")
    return (
        str(exchange.id),
        clock_time(exchange.started_at, stable=stable),
        safe(exchange.method, "bold"),
        status,
        Text(elapsed_ms(exchange.elapsed, stable=stable), justify="right"),
        Text(human_size(exchange.size), justify="right"),
        safe(exchange.url, limit=300),
    )


class HistoryTable(DataTable[Text | str]):
    """One row per exchange; the row key is the exchange id."""

    def __init__(self, *, stable: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.stable = stable

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def add_exchange(self, exchange: Exchange) -> None:
        key = str(exchange.id)
        if key in self.rows:
            return
        self.add_row(*row(exchange, stable=self.stable), key=key)
