"""The catalog tree: the API's resources as a lazily loaded, paged Tree.

Catalogs -> a catalog -> its courses -> a course -> its course runs -> seats, plus the
top-level courses, course runs, programs and organizations where the API root serves them
(the edX.org gateway 404s those, which is "not available on this server", not an error).

Children load in a worker per node (a newer load of the same node cancels a stale one)
and are added in chunks so the event loop never stalls on a 10,000-course catalog. Every
label is built from untrusted API strings as plain Text with control characters escaped.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode, UnknownNodeID
from textual.worker import Worker

from edxtui import jsonpath
from edxtui.api.catalog import Page, PageBudget, fetch_page
from edxtui.api.errors import EdxError
from edxtui.api.exchange import Exchange
from edxtui.tui.text import safe
from edxtui.tui.widgets.catalog.load_all import LoadAll
from edxtui.tui.widgets.catalog.nodes import (
    GROUPS,
    NodeInfo,
    bucket_label,
    child_info,
    error_label,
    error_text,
    group_label,
    item_label,
    list_at,
    more_label,
)
from edxtui.tui.widgets.catalog.paint import LineCachedTree

if TYPE_CHECKING:
    from edxtui.api.session import Params, Session

#: children added per batch before yielding to the event loop
CHUNK = 500
#: items asked for per page (the API has no upper cap; 20 is the default)
PAGE_SIZE = 100
#: seconds a page may take before its node shows "loading…"
LOADING_AFTER = 0.1
#: past this many children, a list is shown in ranges of this many (see _add_page)
BUCKET = 1000
#: longest title shown in a label

_freezes = 0
#: every this many loads, unfreeze instead, so garbage cycles made meanwhile are collected
UNFREEZE_EVERY = 25


def settle_garbage_collector(*, release: bool = False) -> None:
    """Keep the cyclic GC's full passes short while big lists load.

    A full collection walks every tracked object; with 10,000 nodes loaded (each a
    TreeNode, NodeInfo, Text and spans) one pass is a visible stall in the middle of
    scrolling (docs/performance.md, "Catalog tree"). Freezing what survived a finished load moves it out of those passes.
    Frozen cycles are never collected, so a reload (`release=True`: the old subtree is
    cyclic, parent <-> children) and every UNFREEZE_EVERY-th load unfreeze instead.
    """
    global _freezes
    _freezes += 1
    if release or _freezes % UNFREEZE_EVERY == 0:
        gc.unfreeze()
    else:
        gc.freeze()


class CatalogTree(LineCachedTree):
    """The resource tree. `session` is set by the screen before mount (attributes down)."""

    class Loaded(Message):
        """A node's children (or a page of them) finished loading, or failed to."""

        def __init__(self, node: TreeNode[NodeInfo]) -> None:
            super().__init__()
            self.node = node

    BINDINGS = [
        Binding("r", "reload", "Reload"),
        Binding("e", "load_more", "Load more", show=False),
        Binding("L", "load_all", "Load all", show=False),
        Binding("escape", "cancel_load_all", "Stop loading all", show=False),
        Binding("E", "export", "Export", show=False),
    ]

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__("API", NodeInfo(kind="root"), id=id)
        self.session = session
        self.show_root = False
        self.guide_depth = 3
        self.load_all = LoadAll(self)  # "load all" (L): at most one at a time

    def process_label(self, label: str | Text) -> Text:
        # Never parse markup: a str label is untrusted data, shown literally.
        text = label if isinstance(label, Text) else safe(label)
        return text.split()[0] if "\n" in text.plain else text

    # ----- building -----------------------------------------------------------------

    def on_mount(self) -> None:
        for title, path, child_kind in GROUPS:
            info = NodeInfo(kind="group", title=title, path=path, child_kind=child_kind)
            node = self.root.add(group_label(info), info)
            # Load every group's first page now: its count goes in the label, and a 404
            # says at once that this server does not serve it.
            self.load(node)
        self.root.expand()
        self.root.children[0].expand()
        self.move_cursor(self.root.children[0])

    def refresh_label(self, node: TreeNode[NodeInfo]) -> None:
        info = node.data
        if info is not None and info.kind == "group":
            info.width = -1
            node.set_label(group_label(info))

    # ----- loading ------------------------------------------------------------------

    def load(self, node: TreeNode[NodeInfo], *, more: bool = False) -> None:
        """(Re)load a node's children, or its next page; cancels a stale load of that node."""
        info = node.data
        if info is None or not info.loads:
            return
        if more and (info.next_url is None or info.state == "loading"):
            return
        # A callable, not a coroutine: a load cancelled before it starts leaves nothing behind.
        # (The annotation tells the type checker which of run_worker's work types this is.)
        _: Worker[None] = self.run_worker(
            partial(self._load, node, more),
            group=f"node-{node.id}",
            exclusive=True,
            exit_on_error=False,
            name=f"load {info.title or info.path}",
        )

    async def _load(self, node: TreeNode[NodeInfo], more: bool) -> None:
        info = node.data
        assert info is not None
        if info.inline is not None:
            node.remove_children()
            items = list_at(info.item, info.inline)
            info.count = len(items)
            list_path = info.json_path + jsonpath.key_step(info.inline)
            await self._add_items(node, items, list_path, info.exchange, kind=info.child_kind)
            info.state = "loaded"
            return
        info.state = "loading"
        self.refresh_label(node)
        target = info.next_url if more else info.path
        # The "load more" (or a failed page's error) node stays until the page is in:
        # removing it now would cost a frame of its own while the response is on its way.
        stale = [c for c in node.children if c.data and c.data.kind in ("more", "error")]
        if not more:
            self.clear_list(node)
            stale = []
        # "loading…" only for a slow page: on a fast one it would cost a frame too.
        placeholder: list[TreeNode[NodeInfo]] = []
        waiting = True

        def show_loading() -> None:
            # The timer posts its tick as a message: on a busy loop it can be handled after
            # the page is in, when stopping the timer no longer takes it back.
            if not waiting:
                return
            for child in stale:
                child.set_label(Text("loading…", style="dim italic"))
            if not stale:
                placeholder.append(
                    node.add_leaf(Text("loading…", style="dim italic"), NodeInfo(kind="loading"))
                )

        timer = self.set_timer(LOADING_AFTER, show_loading)
        params = None if more else {"limit": PAGE_SIZE}
        try:
            page = await self._fetch(info, target, params, more)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - every failure becomes an error node
            self._drop_all(stale + placeholder)
            self._show_error(node, err, more)
            self.post_message(self.Loaded(node))
            return
        finally:
            waiting = False
            timer.stop()
        self._drop_all(stale + placeholder)
        info.count = page.count if isinstance(page.count, int) else info.count
        info.next_url = page.next
        if info.kind == "group" and not more:
            info.exchange = page.exchange
        start = info.loaded
        await self._add_page(node, page)
        info.loaded = start + len(page.results)
        if info.next_url:
            more_info = NodeInfo(kind="more", target=node, exchange=page.exchange)
            node.add_leaf(more_label(info), more_info)
        info.state = "loaded"
        self.refresh_label(node)
        self.post_message(self.Loaded(node))
        settle_garbage_collector()

    def clear_list(self, node: TreeNode[NodeInfo]) -> None:
        """Forget a node's loaded children before its list loads again from the start."""
        info = node.data
        assert info is not None
        if node.children:
            settle_garbage_collector(release=True)  # the old subtree must be collectable
        node.remove_children()
        info.loaded = 0
        info.next_url = None

    def _drop_all(self, nodes: list[TreeNode[NodeInfo]]) -> None:
        """Remove each of `nodes` that is still in the tree (a reload may have removed it)."""
        for node in nodes:
            try:
                still_here = self.get_node_by_id(node.id) is node
            except UnknownNodeID:
                still_here = False
            if still_here:
                node.remove()

    async def _fetch(
        self, info: NodeInfo, target: str | None, params: Params | None, more: bool
    ) -> Page:
        """A page of the node's list; past what the first page's count allows, an error."""
        if target is None:
            raise EdxError("Nothing to load here")
        if more and info.budget is not None:
            info.budget.follow(target)
        page = await fetch_page(self.session, target, params)
        if not more:
            info.budget = PageBudget(page, self.session.secrets())
        elif info.budget is not None:
            info.budget.took(target, page)
        return page

    async def _add_items(
        self,
        node: TreeNode[NodeInfo],
        items: list[Any],
        list_path: str,
        exchange: Exchange | None,
        *,
        kind: str,
        start: int = 0,
    ) -> None:
        """Add children in chunks, yielding between them so input and painting go on.

        `start` is the index of `items[0]` in the body's list (for each child's json_path).
        """
        batch = 0
        for index, item in enumerate(items, start):
            child = child_info(kind, item, exchange, list_path + jsonpath.index_step(index))
            label = item_label(kind, item)
            if child.loads:
                node.add(label, child)
            else:
                node.add_leaf(label, child)
            batch += 1
            if batch >= CHUNK:
                batch = 0
                await asyncio.sleep(0)

    async def _add_page(
        self, node: TreeNode[NodeInfo], page: Any, *, open_range: bool = True
    ) -> None:
        """Add a page of a list; past BUCKET items, in collapsible ranges of BUCKET.

        Tree rebuilds all of its expanded lines whenever a node is added, so 10,000 open
        children cost tens of ms per page. Ranges keep only the newest one open: the tree
        stays short however far the list is paged.
        """
        info = node.data
        assert info is not None
        results = list(page.results)
        total = info.count or 0
        if total <= BUCKET:
            await self._add_items(node, results, ".results", page.exchange, kind=info.child_kind)
            return
        index = 0
        while index < len(results):
            position = info.loaded + index
            bucket = self._bucket(node, position // BUCKET, total, open_range)
            chunk = results[index : index + BUCKET - position % BUCKET]
            await self._add_items(
                bucket, chunk, ".results", page.exchange, kind=info.child_kind, start=index
            )
            index += len(chunk)

    def _bucket(
        self, node: TreeNode[NodeInfo], number: int, total: int, expand: bool = True
    ) -> TreeNode[NodeInfo]:
        """The range node `number` (0-based) under `node`; a new one closes the one before
        (`expand=False`: it comes closed too; load all adds ranges without new lines)."""
        last = next(
            (c for c in reversed(node.children) if c.data and c.data.kind == "bucket"), None
        )
        if last is not None and last.data is not None and last.data.count == number:
            return last
        if last is not None:
            last.collapse()
        first, end = number * BUCKET + 1, min((number + 1) * BUCKET, total)
        label = bucket_label(first, end, total)
        info = NodeInfo(kind="bucket", title=label.plain, count=number, target=node)
        return node.add(label, info, expand=expand)

    def _show_error(self, node: TreeNode[NodeInfo], err: BaseException, more: bool) -> None:
        info = node.data
        assert info is not None
        reason, not_here = error_text(err)
        exchange = self._exchange_for_error(err)
        if not_here and info.kind == "group" and not more:
            info.state = "unavailable"
            info.exchange = exchange
            node.add_leaf(
                Text("not available on this server (404)", style="dim italic"),
                NodeInfo(kind="info", exchange=exchange),
            )
            node.allow_expand = True
        else:
            info.state = "error"
            node.add_leaf(
                error_label(reason),
                NodeInfo(kind="error", target=node, exchange=exchange, note=reason),
            )
            if more:
                info.state = "loaded"  # what was loaded stays; only the next page failed
        self.refresh_label(node)

    def _exchange_for_error(self, err: BaseException) -> Exchange | None:
        """The log entry of the failed request, so the inspector can show it."""
        url = getattr(err, "url", None)
        entries = list(self.session.log)
        for exchange in reversed(entries):
            if url is None or exchange.url == url:
                return exchange
        return None

    # ----- user actions -------------------------------------------------------------

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeInfo]) -> None:
        info = event.node.data
        if info is not None and info.loads and info.state == "idle":
            self.load(event.node)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeInfo]) -> None:
        # Reaching the end of a list loads its next page.
        info = event.node.data
        if info is not None and info.kind == "more" and info.target is not None:
            self.load(info.target, more=True)

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeInfo]) -> None:
        info = event.node.data
        if info is None or info.target is None:
            return
        if info.kind == "more":
            self.load(info.target, more=True)
        elif info.kind == "error":
            target_info = info.target.data
            # A failed next page retries that page; a failed first load retries the node.
            again_more = bool(target_info and target_info.loaded and target_info.next_url)
            if not again_more:
                info.target.remove_children()
            else:
                event.node.remove()
            self.load(info.target, more=again_more)

    def action_reload(self) -> None:
        """Reload the highlighted node, or the nearest one above it that loads."""
        node = self.cursor_node
        while node is not None and (node.data is None or not node.data.loads):
            if node.data is not None and node.data.kind in ("more", "error") and node.data.target:
                node = node.data.target
                break
            node = node.parent
        if node is None or node.is_root:
            return
        assert node.data is not None
        node.data.state = "idle"
        node.expand()
        self.load(node)

    def commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback) for the command palette."""
        return [
            ("Reload node", "Reload the node under the cursor (r)", self.action_reload),
            (
                "Load more",
                "Load the next page of the list under the cursor (e)",
                self.action_load_more,
            ),
            (
                "Load all",
                "Load every page of the list under the cursor; esc stops (L)",
                self.action_load_all,
            ),
            (
                "Export catalog",
                "Write the catalog's courses to a jsonl, json or csv file (E)",
                self.action_export,
            ),
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # esc stops a load all, and otherwise goes on to the screen (it clears the filter)
        return self.load_all.running if action == "cancel_load_all" else True

    def action_load_all(self) -> None:
        self.load_all.ask(self.cursor_node)

    def action_cancel_load_all(self) -> None:
        self.load_all.stop()

    def action_export(self) -> None:
        from edxtui.tui.screens.export import ask_export

        ask_export(self, self.cursor_node)

    def action_load_more(self) -> None:
        node = self.cursor_node
        while node is not None and not (node.data and node.data.next_url):
            node = node.parent
        if node is not None:
            self.load(node, more=True)

    def reveal(self, node: TreeNode[NodeInfo]) -> None:
        """Open every node above `node` and put the cursor on it."""
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        # Tree.move_cursor reads the node's line number, which is stale until the tree's
        # lines are rebuilt after those expands; reading last_line rebuilds them.
        _ = self.last_line
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)

    def loaded_nodes(self) -> Iterable[TreeNode[NodeInfo]]:
        """Every node that holds an API object, depth first (for the filter)."""
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))
