"""Load all: every remaining page of a list node, fetched like the export, added in batches.

The pages come from edxtui.api.all_pages (the export's pager: concurrent, bounded, in list
order), from the end of what the node has loaded (or from the start when it has loaded
nothing yet). Before it starts it says how many requests it will spend, and asks when that
is many or more than a known budget has left. Each page is added as it comes, one page per
turn of the event loop (the tree's own chunked adds), so the tree stays usable meanwhile;
esc stops it and keeps what was loaded, with "load more" for the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.worker import Worker

from edxtui.api.catalog import Page, PageBudget
from edxtui.tui.widgets.catalog import chunks
from edxtui.tui.widgets.catalog.nodes import NodeInfo, more_label, plural

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from edxtui.tui.widgets.catalog.tree import CatalogTree


class LoadAllStatus(Message):
    """How far a load all is (`outcome` None), or how it ended (`outcome`: one line)."""

    def __init__(
        self, title: str, done: int, total: int, outcome: str | None = None, severity: str = ""
    ) -> None:
        super().__init__()
        self.title = title
        self.done = done
        self.total = total
        self.outcome = outcome
        self.severity = severity or "information"


def list_node(node: TreeNode[NodeInfo] | None) -> TreeNode[NodeInfo] | None:
    """The list the cursor is in: the node itself when it pages, else the nearest above."""
    while node is not None:
        info = node.data
        if info is not None and info.kind in ("more", "error", "bucket") and info.target:
            return info.target
        if info is not None and info.path is not None and info.inline is None:
            return node
        node = node.parent
    return None


def list_title(info: NodeInfo) -> str:
    """What the list is called: a group's title, or its catalog's name (untrusted: shown
    as plain text only)."""
    if info.title:
        return info.title
    item = info.item
    name = item.get("name") if isinstance(item, dict) else None
    return str(name) if name else f"this {info.kind}"


class LoadAll:
    """The tree's one load all at a time: what it loads, and how to stop it."""

    def __init__(self, tree: CatalogTree) -> None:
        self.tree = tree
        self.worker: Worker[None] | None = None
        self.node: TreeNode[NodeInfo] | None = None
        self._stop: asyncio.Event | None = None

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.is_running

    def ask(self, node: TreeNode[NodeInfo] | None) -> None:
        """Say what loading the rest of `node`'s list costs; start it, or ask first."""
        tree = self.tree
        if self.running:  # one at a time: esc must reach the one that runs
            tree.notify("A load all is running: esc stops it", severity="warning")
            return
        node = list_node(node)
        info = node.data if node is not None else None
        if node is None or info is None or info.path is None:
            tree.notify("Nothing to load here: move to a list (a catalog, Courses, …)")
            return
        if info.state == "unavailable":
            tree.notify(f"{info.title} is not available on this server", severity="warning")
            return
        if info.count is None:
            tree.notify("Open the list first: its count is not known yet", severity="warning")
            return
        start = info.loaded if info.state == "loaded" else 0
        if info.state == "loaded" and info.next_url is None:
            tree.notify(f"All {info.loaded:,} {plural(info.child_kind)} are loaded already")
            return
        from edxtui.api import all_pages  # on the first `L`: the tree is built without it

        plan = all_pages.plan(info.count, start, self.page_size)
        title = list_title(info)
        what = Text(f"Load all: {plan.remaining:,} {plural(info.child_kind)} of ")
        what.append(title)
        what.append(f" in {plan.requests:,} requests ({plan.page_size} a page)")
        reason = all_pages.confirm_reason(plan.requests, tree.session.budget.left)
        if reason is None:
            tree.notify(what.plain)
            self.start(node, start)
            return
        from edxtui.tui.screens.confirm import ConfirmScreen

        what.append(f": {reason}. Go ahead?")

        def answered(yes: bool | None) -> None:
            if yes:
                self.start(node, start)

        tree.app.push_screen(ConfirmScreen(what, yes="Load all"), answered)

    @property
    def page_size(self) -> int:
        from edxtui.tui.widgets.catalog.tree import PAGE_SIZE  # the tree imports this module

        return PAGE_SIZE

    def start(self, node: TreeNode[NodeInfo], start: int) -> None:
        info = node.data
        assert info is not None
        self._stop = asyncio.Event()
        self.node = node
        # The node's own load group: a reload of the node cancels this, and this a stale load.
        self.worker = self.tree.run_worker(
            partial(self._run, node, start, self._stop),
            group=f"node-{node.id}",
            exclusive=True,
            exit_on_error=False,
            name=f"load all {info.title or info.path}",
        )

    def stop(self) -> None:
        """Stop after the page being added; what was loaded stays."""
        if self._stop is not None:
            self._stop.set()

    async def _run(self, node: TreeNode[NodeInfo], start: int, stop: asyncio.Event) -> None:
        from edxtui.api import all_pages

        tree = self.tree
        info = node.data
        assert info is not None and info.path is not None
        title = list_title(info)
        if start == 0:
            tree.clear_list(node)
        else:  # the "load more" leaf (or a failed page's error) goes; the pages replace it
            for child in list(node.children):
                if child.data is not None and child.data.kind in ("more", "error", "loading"):
                    child.remove()
        info.state = "loading"  # before expanding: the expand handler loads idle nodes only
        node.expand()
        tree.refresh_label(node)
        total = (info.count or 0) - start
        tree.post_message(LoadAllStatus(title, 0, total))
        queue: asyncio.Queue[tuple[int, Page] | None] = asyncio.Queue()
        fetcher = asyncio.create_task(
            all_pages.each_page(
                tree.session,
                info.path,
                lambda offset, page: queue.put_nowait((offset, page)),
                start=start,
                page_size=self.page_size,
                noun=plural(info.child_kind),
            )
        )
        fetcher.add_done_callback(lambda _: queue.put_nowait(None))
        stopper = asyncio.create_task(stop.wait())
        stopper.add_done_callback(lambda _: queue.put_nowait(None))
        try:
            while not stop.is_set() and (item := await queue.get()) is not None:
                offset, page = item
                tree.take_page(info, page, first=offset == 0)
                if offset == 0:  # what a first load would have got: the node's own
                    info.budget = PageBudget(page, tree.session.secrets())
                # its ranges closed: nodes added under a closed node need no layout of the
                # screen, only a repaint (the newest range opens at the end)
                await chunks.add_page(node, page, open_range=False)
                info.loaded = offset + len(page.results)
                if info.budget is not None and offset != 0:
                    info.budget.pages += 1
                    info.budget.results = info.loaded
                tree.post_message(LoadAllStatus(title, info.loaded - start, total))
                # what this page left behind stays out of the collector's full passes, which
                # over 10,000 courses would hold the loop for hundreds of ms (the tree's
                # chunks.settle_garbage_collector; its periodic unfreeze comes once, at the end)
                gc.freeze()
                await asyncio.sleep(0)  # one page per turn: keys and frames go in between
            if not stop.is_set():
                await fetcher  # its error, if it failed
        except asyncio.CancelledError:
            raise  # a reload took the node over: it rebuilds it
        except Exception as err:  # noqa: BLE001 - shown on the node, never a traceback
            # what was loaded stays; the error node retries from there (enter)
            info.state = "loaded"
            tree._show_error(node, err, more=info.loaded > 0)
            outcome = f"Stopped loading {title} at {info.loaded:,} of {info.count or 0:,}: "
            tree.post_message(LoadAllStatus(title, 0, 0, outcome + str(err), "error"))
            return
        finally:
            for task in (fetcher, stopper):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
            if self.node is node:
                self.node = None
        chunks.settle_garbage_collector()
        self._settle(node)
        loaded = f"{info.loaded:,} of {info.count or 0:,} {plural(info.child_kind)} of {title}"
        outcome = f"Stopped: {loaded} loaded" if stop.is_set() else f"Loaded all {loaded}"
        tree.post_message(LoadAllStatus(title, 0, 0, outcome))

    def _settle(self, node: TreeNode[NodeInfo]) -> None:
        """Loaded as far as it got: "load more" carries on from there."""
        info = node.data
        assert info is not None
        info.state = "loaded"
        ranges = [c for c in node.children if c.data is not None and c.data.kind == "bucket"]
        if ranges:
            ranges[-1].expand()  # as paging by hand leaves it: the newest range open
        if info.next_url:
            node.add_leaf(more_label(info), NodeInfo(kind="more", target=node))
        self.tree.refresh_label(node)
