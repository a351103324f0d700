"""The explorer's request bar (`:`): GET any path under the API root, as typed.

`RequestBarMixin` is part of ExplorerScreen (explorer.py), split out to keep one concern a
module: it opens the bar with its completions (remembered requests, then the tree's known
paths), runs what is typed on the session as a node under the tree's "Requests" group, and
remembers the line (edxtui.api.recent_requests). Its imports are inside the methods, as the
explorer's are: the first screen must not wait for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TypeVar

    from textual.screen import Screen
    from textual.widget import Widget

    from edxtui.api.session import Session
    from edxtui.tui.widgets.catalog.tree import CatalogTree

    _Base = Screen[None]
    W = TypeVar("W", bound=Widget)
else:
    _Base = object


class RequestBarMixin(_Base):
    """The request bar's handlers for ExplorerScreen (see the module docstring)."""

    # provided by ExplorerScreen
    session: Session

    if TYPE_CHECKING:  # ExplorerScreen's; stubs here would shadow them at run time

        @property
        def catalog_tree(self) -> CatalogTree: ...
        async def _ensure(self, widget_id: str, expect: type[W]) -> W: ...

    async def action_request_bar(self) -> None:
        from edxtui.api.recent_requests import REQUESTS_FILE, RecentRequests
        from edxtui.config import data_dir
        from edxtui.tui.widgets.catalog.requests import request_paths
        from edxtui.tui.widgets.request_bar import RequestBar

        remembered = RecentRequests(data_dir() / REQUESTS_FILE).load()
        paths = list(dict.fromkeys(remembered + request_paths(self.catalog_tree)))
        (await self._ensure("request-bar", RequestBar)).open(paths)

    def on_request_bar_run(self, event: Any) -> None:
        """GET what was typed on the session; its node opens under "Requests"."""
        from edxtui.api.errors import EdxError
        from edxtui.api.request_line import relative, request_url
        from edxtui.tui.widgets.catalog.requests import add_request
        from edxtui.tui.widgets.request_bar import RequestBar

        bar = self.query_one("#request-bar", RequestBar)
        api_root = self.session.credentials.api_root
        try:
            url = request_url(event.text, api_root, self.session.secrets())
        except EdxError as err:
            self.notify(err.message, severity="error")  # the bar stays, to fix the line
            return
        bar.value = ""
        bar.display = False
        add_request(self.catalog_tree, url)
        self.catalog_tree.focus()
        self.run_worker(
            self._remember(relative(url, api_root)), name="remember", exit_on_error=False
        )

    async def _remember(self, path: str) -> None:
        import asyncio

        from edxtui.api.errors import EdxError
        from edxtui.api.recent_requests import REQUESTS_FILE, RecentRequests
        from edxtui.config import data_dir

        recent = RecentRequests(data_dir() / REQUESTS_FILE)
        try:
            await asyncio.to_thread(recent.remember, path, self.session.secrets())
        except EdxError as err:
            self.notify(f"Request not remembered: {err.message}", severity="warning")

    def on_request_bar_closed(self, _event: Any) -> None:
        self.catalog_tree.focus()
