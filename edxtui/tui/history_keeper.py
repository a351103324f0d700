"""The app's side of the lasting history: this session's exchanges into the history file.

Once the log has been quiet for a moment (SAVE_AFTER: a burst of requests, such as a load
all, is one write after it, not one every few seconds while the pages come in: each write
holds the interpreter for the length of a JSON dump) or SAVE_AT_MOST after a change, and when
the session ends, the whole of this run's log is written (edxtui.api.history_store, in a worker
thread: the file is replaced atomically and fsynced). The earlier runs' records are read only
when the history view asks for them, so they cost the start-up nothing. A file that cannot be
written is said once, as a toast; the app goes on.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edxtui.api.errors import EdxError
from edxtui.api.exchange import Exchange

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from edxtui.api.history_store import HistoryStore, Saved
    from edxtui.api.session import Session

#: seconds without a new exchange before the file is written
SAVE_AFTER = 2.0
#: seconds after a change by which the file is written, quiet or not
SAVE_AT_MOST = 30.0


def history_path() -> Path:
    from edxtui import config
    from edxtui.api.history_store import HISTORY_FILE

    return config.data_dir() / HISTORY_FILE


class HistoryKeeper:
    """Writes `session`'s log to the history file; reads the earlier runs' on demand."""

    def __init__(self, app: App[Any], session: Session, store: HistoryStore | None = None) -> None:
        self.app = app
        self.session = session
        self._store = store
        self._earlier: list[Saved] | None = None
        self._timer: Timer | None = None
        self._first_change: float | None = None  # of the changes not yet written
        self._warned = False
        self._unsubscribe = session.log.subscribe(self._changed)

    @property
    def store(self) -> HistoryStore:
        """The history file, found on first use (a write, or the history view): finding it
        imports the config (~8 ms), which the launch does not pay for (docs/performance.md)."""
        if self._store is None:
            from edxtui.api.history_store import HistoryStore

            self._store = HistoryStore(history_path())
        return self._store

    def _changed(self, _exchange: Exchange) -> None:
        now = time.monotonic()
        if self._first_change is None:
            self._first_change = now
        waited = now - self._first_change
        if self._timer is not None:
            if waited >= SAVE_AT_MOST - SAVE_AFTER:
                return  # the write already due stands
            self._timer.stop()
        self._timer = self.app.set_timer(SAVE_AFTER, self._save_later)

    async def _save_later(self) -> None:
        self._timer = None
        self._first_change = None
        await self.save()

    async def save(self) -> None:
        exchanges = sorted(self.session.log, key=lambda e: e.id)  # request order
        try:
            await asyncio.to_thread(self.store.save, exchanges, self.session.secrets())
        except EdxError as err:
            if not self._warned:
                self._warned = True
                self.app.notify(f"History not kept: {err.message}", severity="warning")

    async def earlier(self) -> list[Saved]:
        """The earlier runs' exchanges, oldest first (read once, in a worker thread)."""
        if self._earlier is None:
            self._earlier = await asyncio.to_thread(self.store.earlier)
        return self._earlier

    async def close(self) -> None:
        """Stop following the log and write it one last time."""
        self._unsubscribe()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        await self.save()
