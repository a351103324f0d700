"""The history view: this run's exchanges after the earlier runs' (kept in the history
file); enter opens one in the inspector, r re-sends a GET on the session."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from edxtui.api.errors import EdxError
from edxtui.api.exchange import Exchange
from edxtui.tui.text import safe_str
from edxtui.tui.widgets.history import HistoryTable, short_url

if TYPE_CHECKING:
    from edxtui.api.session import Session
    from edxtui.tui.history_keeper import HistoryKeeper

TITLE = "History: every request of this session (enter opens it in the inspector)"
TITLE_WITH_EARLIER = (
    "History: {n} from earlier runs (marked earlier), then this session's "
    "(enter opens one, r re-runs a GET)"
)


class HistoryScreen(Screen[int | Exchange | None]):
    """Dismisses with the chosen exchange id (this run), the Exchange itself (an earlier
    run's), or None; follows the log while open."""

    BINDINGS = [
        Binding("escape,h", "dismiss(None)", "Back"),
        Binding("enter", "open", "Inspect", show=True),
        Binding("r", "rerun", "Re-run"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]

    def __init__(
        self, session: Session, *, stable: bool = False, keeper: HistoryKeeper | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.stable = stable
        self.keeper = keeper
        self.earlier: dict[str, Exchange] = {}
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(TITLE, id="history-title")
        yield HistoryTable(stable=self.stable, id="history-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(HistoryTable)
        self._add_current(table)
        table.focus()
        self._unsubscribe = self.session.log.subscribe(self._added)
        if self.keeper is not None:  # read only now, in a thread: the start-up never waits
            self.run_worker(self._load_earlier(), name="read the history", exit_on_error=False)

    def _add_current(self, table: HistoryTable) -> None:
        for exchange in sorted(self.session.log, key=lambda e: e.id):  # request order
            table.add_exchange(exchange)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    async def _load_earlier(self) -> None:
        assert self.keeper is not None
        saved = await self.keeper.earlier()
        if not saved:
            return
        table = self.query_one(HistoryTable)
        table.clear()
        self.earlier = {f"earlier-{n}": s.exchange for n, s in enumerate(saved)}
        for key, exchange in self.earlier.items():
            table.add_exchange(exchange, earlier_key=key)
        self._add_current(table)
        self.query_one("#history-title", Static).update(TITLE_WITH_EARLIER.format(n=len(saved)))

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _added(self, exchange: Exchange) -> None:
        self.call_later(self.query_one(HistoryTable).add_exchange, exchange)

    def _chosen(self, key: str | None) -> int | Exchange | None:
        if key is None:
            return None
        return self.earlier.get(key) if key.startswith("earlier-") else int(key)

    def _highlighted(self) -> Exchange | None:
        table = self.query_one(HistoryTable)
        if not table.row_count:
            return None
        chosen = self._chosen(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        return self.session.log.get(chosen) if isinstance(chosen, int) else chosen

    def action_open(self) -> None:
        table = self.query_one(HistoryTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None:
            self.dismiss(self._chosen(key))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.dismiss(self._chosen(event.row_key.value))

    def palette_commands(self) -> Iterable[tuple[str, str, Callable[[], object]]]:
        """The command palette's commands on this screen (see EdxApp.get_system_commands)."""
        yield "Open in the inspector", "The highlighted exchange (enter)", self.action_open
        yield (
            "Re-run request",
            "Send the highlighted GET again on the session (r)",
            (self.action_rerun),
        )

    # ----- re-run ---------------------------------------------------------------------

    def action_rerun(self) -> None:
        exchange = self._highlighted()
        if exchange is None:
            return
        if exchange.method != "GET" or exchange.kind != "api":
            self.notify("Only an API GET can be re-run (the token is fetched by itself)")
            return
        self.run_worker(self._rerun(exchange.url), name="re-run", exit_on_error=False)

    async def _rerun(self, url: str) -> None:
        shown = safe_str(short_url(url), limit=80)
        try:
            response = await self.session.get(url)
        except EdxError as err:
            self.notify(f"Re-ran GET {shown}: {err.message}", severity="error")
        else:
            self.notify(f"Re-ran GET {shown}: {response.status_code}")
        table = self.query_one(HistoryTable)
        # the new exchange's row comes in through the log's subscription, queued before this
        self.call_later(lambda: table.move_cursor(row=table.row_count - 1))
