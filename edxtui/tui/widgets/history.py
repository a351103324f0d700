"""The exchange history as a table: every request, earlier runs' first, newest last."""

from __future__ import annotations

from urllib.parse import urlsplit

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from edxtui.api.exchange import Exchange
from edxtui.tui.text import clock_time, elapsed_ms, human_size, safe, status_text

COLUMNS = ("#", "time", "method", "status", "ms", "size", "URL")
#: the URL column's width: past it, the middle of the path gives way, never its end
URL_WIDTH = 64
EARLIER = "earlier"


def short_url(url: str, width: int = URL_WIDTH) -> str:
    """The path and query of `url` (the host is the API's), the middle elided past `width`,
    so the end (an offset, a query, a key) always shows."""
    parts = urlsplit(url)
    text = parts.path + (f"?{parts.query}" if parts.query else "")
    if len(text) <= width:
        return text or url
    head = width // 3
    tail = width - head - 1
    return text[:head] + "…" + text[-tail:]


def row(
    exchange: Exchange, *, stable: bool = False, earlier: bool = False
) -> tuple[Text | str, ...]:
    status = status_text(exchange)
    status.truncate(24, overflow="ellipsis")
    return (
        Text(EARLIER, style="dim italic") if earlier else str(exchange.id),
        clock_time(exchange.started_at, stable=stable),
        safe(exchange.method, "bold"),
        status,
        Text(elapsed_ms(exchange.elapsed, stable=stable), justify="right"),
        Text(human_size(exchange.size), justify="right"),
        safe(short_url(exchange.url)),
    )


class HistoryTable(DataTable[Text | str]):
    """One row per exchange; the row key is the exchange id, or `earlier-N` for the N-th
    exchange of earlier runs."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Inspect"),
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def __init__(self, *, stable: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.stable = stable

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def add_exchange(self, exchange: Exchange, *, earlier_key: str | None = None) -> None:
        key = earlier_key or str(exchange.id)
        if key in self.rows:
            return
        self.add_row(*row(exchange, stable=self.stable, earlier=earlier_key is not None), key=key)
