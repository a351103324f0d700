"""The catalog tree: the API's resources as a lazily loaded, paged Tree.

Catalogs -> a catalog -> its courses -> a course -> its course runs -> seats, plus the
top-level courses, course runs, programs and organizations where the API root serves them
(the edX.org gateway 404s those, which is "not available on this server", not an error).

Children load in a worker per node (a newer load of the same node cancels a stale one)
and are added in chunks so the event loop never stalls on a 10,000-course catalog
(chunks.py); a failed load becomes an error leaf that loads again (failures.py). Every
label is built from untrusted API strings as plain Text with control characters escaped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Tree
from textual.widgets.tree import TreeNode, UnknownNodeID
from textual.worker import Worker

from edxtui import jsonpath
from edxtui.api.catalog import Page, PageBudget, PagingIgnoredError, fetch_page, same_page
from edxtui.api.errors import EdxError
from edxtui.tui.text import safe
from edxtui.tui.widgets.catalog import drill, requests
from edxtui.tui.widgets.catalog.failures import FailuresMixin
from edxtui.tui.widgets.catalog.nodes import (
    GROUPS,
    NodeInfo,
    empty_label,
    group_label,
    list_at,
    more_label,
    plural,
    search_label,
    value_at,
)
from edxtui.tui.widgets.catalog.paint import LineCachedTree
from edxtui.tui.widgets.catalog.throttle import ThrottledLoads

# chunks (and with it the search module) and load_all are imported where they are first
# used: neither runs before the tree's first paint, which is on the launch's path
# (docs/performance.md, "The whole explorer on screen").

if TYPE_CHECKING:
    from edxtui.api.session import Params, Session
    from edxtui.tui.widgets.catalog.load_all import LoadAll

#: items asked for per page (the API has no upper cap; 20 is the default)
PAGE_SIZE = 100
#: items asked for when only a list's count is wanted (start-up's groups)
COUNT_ONLY = 1
#: seconds a page may take before its node shows "loading…"
LOADING_AFTER = 0.1


class CatalogTree(FailuresMixin, LineCachedTree):
    """The resource tree. `session` is set by the screen before mount (attributes down)."""

    class Loaded(Message):
        """A node's children (or a page of them) finished loading, or failed to."""

        def __init__(self, node: TreeNode[NodeInfo]) -> None:
            super().__init__()
            self.node = node

    BINDINGS = [
        Binding("r", "reload", "Reload"),
        Binding("e", "load_more", "Load more", show=False),
        Binding("d", "detail", "Detail", show=False),
        Binding("M", "mark", "Mark course", show=False),
        Binding("L", "load_all", "Load all", show=False),
        Binding("escape", "cancel_load_all", "Stop loading all", show=False),
        Binding("E", "export", "Export", show=False),
    ]

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__("API", NodeInfo(kind="root"), id=id)
        self.session = session
        self.show_root = False
        self.guide_depth = 3
        self._throttled = ThrottledLoads()
        self._throttle_timer: Timer | None = None
        self.marked: str | None = None  # the course or run key `M` marked, for `contains`
        self._unsubscribe: Callable[[], None] = lambda: None
        self._load_all: LoadAll | None = None

    @property
    def load_all(self) -> LoadAll:
        """The tree's "load all" (L): at most one at a time; made on first use."""
        if self._load_all is None:
            from edxtui.tui.widgets.catalog.load_all import LoadAll

            self._load_all = LoadAll(self)
        return self._load_all

    def process_label(self, label: str | Text) -> Text:
        # Never parse markup: a str label is untrusted data, shown literally.
        text = label if isinstance(label, Text) else safe(label)
        return text.split()[0] if "\n" in text.plain else text

    # ----- building -----------------------------------------------------------------

    def on_mount(self) -> None:
        for title, path, child_kind in GROUPS:
            info = NodeInfo(kind="group", title=title, path=path, child_kind=child_kind)
            self.root.add(group_label(info), info)
        self.root.expand()
        self.move_cursor(self.root.children[0])
        # Lists that failed for want of a token load by themselves once there is one.
        self._unsubscribe = self.session.tokens.subscribe(self._token_changed)

    def start(self) -> None:
        """The first group opens and loads its first page; the others ask only for their count.

        The explorer calls this once the panes are on screen: the answers (a page to add,
        a body for the inspector) would otherwise be taken in before their first paint.

        `limit=1`: a 404 still says at once that this server does not serve one. Start-up
        spends a few small requests, not a page of 100 of each out of a per-hour budget
        (issues 16 and 17); expanding a group loads its first page.
        """
        first, *others = self.root.children
        first.expand()  # which loads it (on_tree_node_expanded), before the counts go
        self.call_later(self._count_all, others)

    def _count_all(self, nodes: list[TreeNode[NodeInfo]]) -> None:
        for node in nodes:
            self.count(node)

    def on_unmount(self) -> None:
        self._unsubscribe()

    def refresh_label(self, node: TreeNode[NodeInfo]) -> None:
        info = node.data
        if info is not None and info.kind in ("group", "search"):
            info.width = -1
            node.set_label(group_label(info) if info.kind == "group" else search_label(info))
        elif info is not None and info.kind == "request":
            info.width = -1
            node.set_label(requests.request_label(info))

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

    def count(self, node: TreeNode[NodeInfo]) -> None:
        """Ask for a list's count alone (one item): the node is `counted`, not loaded."""
        info = node.data
        if info is None or info.path is None:
            return
        _: Worker[None] = self.run_worker(
            partial(self._count, node),
            group=f"node-{node.id}",  # an expand's load cancels a count still on its way
            exclusive=True,
            exit_on_error=False,
            name=f"count {info.title or info.path}",
        )

    async def _count(self, node: TreeNode[NodeInfo]) -> None:
        info = node.data
        assert info is not None and info.path is not None
        try:
            page = await fetch_page(self.session, info.path, {"limit": COUNT_ONLY})
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - every failure becomes an error node
            self._show_error(node, err, more=False)
        else:
            info.count = page.count if isinstance(page.count, int) else None
            info.exchange = page.exchange
            info.state = "counted"  # its first page still loads when it is expanded
            self.refresh_label(node)
        self.post_message(self.Loaded(node))

    async def _load(self, node: TreeNode[NodeInfo], more: bool) -> None:
        from edxtui.tui.widgets.catalog import chunks

        info = node.data
        assert info is not None
        if info.inline is not None:
            for child in list(node.children):  # a fetched detail (`d`) stays
                if child.data is None or child.data.kind != "detail":
                    child.remove()
            items = list_at(info.item, info.inline)
            info.count = len(items)
            list_path = info.json_path + jsonpath.key_step(info.inline)
            await chunks.add_items(node, items, list_path, info.exchange, kind=info.child_kind)
            info.state = "loaded"
            return
        # A counted group's first page: a server search (S) already under it stays there.
        keep = ("search",) if info.state == "counted" else ()
        info.state = "loading"
        self.refresh_label(node)
        target = info.next_url if more else info.path
        # The "load more" (or a failed page's error) node stays until the page is in:
        # removing it now would cost a frame of its own while the response is on its way.
        stale = [c for c in node.children if c.data and c.data.kind in ("more", "error")]
        if not more:
            self.clear_list(node, keep)
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
        # a typed request is sent as typed: its own query (limit=5) is the person's
        params: Params | None = (
            None if more or info.kind == "request" else (info.params or {"limit": PAGE_SIZE})
        )
        try:
            page = await self._fetch(info, target, params, more)
        except asyncio.CancelledError:
            raise
        except requests.ObjectResponse as answer:  # a typed request's one object: a leaf
            self._drop_all(stale + placeholder)
            info.exchange, info.state, info.count = answer.exchange, "loaded", None
            node.allow_expand = False
            self.refresh_label(node)
            self.post_message(self.Loaded(node))
            return
        except Exception as err:  # noqa: BLE001 - every failure becomes an error node
            self._drop_all(stale + placeholder)
            self._show_error(node, err, more)
            self.post_message(self.Loaded(node))
            return
        finally:
            waiting = False
            timer.stop()
        self._drop_all(stale + placeholder)
        self.take_page(info, page, first=not more)
        start = info.loaded
        await chunks.add_page(node, page)
        info.loaded = start + len(page.results)
        if info.next_url:
            more_info = NodeInfo(kind="more", target=node, exchange=page.exchange)
            node.add_leaf(more_label(info), more_info)
        elif info.loaded == 0:  # an empty list says so, rather than expanding to nothing
            node.add_leaf(empty_label(info), NodeInfo(kind="info", exchange=page.exchange))
        info.state = "loaded"
        self.refresh_label(node)
        self.post_message(self.Loaded(node))
        chunks.settle_garbage_collector()

    def take_page(self, info: NodeInfo, page: Page, *, first: bool) -> None:
        """What a page of a node's list says of the list (the tree's loads and load all alike):
        its count, where its next page is, and (the first page) the list node's exchange."""
        info.count = page.count if isinstance(page.count, int) else info.count
        # followed as the core follows it: an http link to the https API root's own host
        # goes as https (a TLS proxy that did not say so); a foreign one is refused on load
        info.next_url = None if page.next is None else self.session.link(page.next)
        if first and info.kind in ("group", "request", "search"):
            info.exchange = page.exchange

    def clear_list(self, node: TreeNode[NodeInfo], keep: tuple[str, ...] = ()) -> None:
        """Forget a node's loaded children before its list loads again from the start
        (children of the `keep` kinds stay: a search under a group only counted so far)."""
        from edxtui.tui.widgets.catalog import chunks

        info = node.data
        assert info is not None
        if node.children:
            chunks.settle_garbage_collector(release=True)  # the old subtree must be collectable
        kept = [c for c in node.children if c.data is not None and c.data.kind in keep]
        if kept:
            for child in list(node.children):
                if child not in kept:
                    child.remove()
        else:
            node.remove_children()
        info.loaded = 0
        info.next_url = None

    def _drop_all(self, nodes: list[TreeNode[NodeInfo]]) -> None:
        """Remove each of `nodes` that is still in the tree (a reload may have removed it)."""
        for node in nodes:
            if self._in_tree(node):
                node.remove()

    async def _fetch(
        self, info: NodeInfo, target: str | None, params: Params | None, more: bool
    ) -> Page:
        """A page of the node's list; past what the first page's count allows, an error."""
        if target is None:
            raise EdxError("Nothing to load here")
        if more and info.budget is not None:
            info.budget.follow(target)
        if info.kind == "request" and not more:
            page = await requests.fetch_request(self.session, target)
        else:
            page = await fetch_page(self.session, target, params)
        if not more:
            info.budget = PageBudget(page, self.session.secrets())
        elif info.budget is not None:
            info.budget.took(target, page)
        if more and info.last_page is not None:
            results = value_at(info.last_page, ".results")
            previous = Page(page.count, None, None, results if isinstance(results, list) else [])
            if same_page(previous, page):  # the server ignores limit/offset: stop, say so
                raise PagingIgnoredError(info.loaded, info.count or 0, plural(info.child_kind))
        info.last_page = page.exchange
        return page

    def _in_tree(self, node: TreeNode[NodeInfo]) -> bool:
        try:
            return self.get_node_by_id(node.id) is node
        except UnknownNodeID:
            return False

    # ----- user actions -------------------------------------------------------------

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeInfo]) -> None:
        info = event.node.data
        if info is not None and info.loads and info.state in ("idle", "counted"):
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
            self.retry(event.node)

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
            *drill.commands(self),
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

    def action_detail(self) -> None:
        drill.fetch_detail(self)

    def action_mark(self) -> None:
        drill.mark(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # esc stops a load all, and otherwise goes on to the screen (it clears the filter)
        if action == "cancel_load_all":
            return self._load_all is not None and self._load_all.running
        return True

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
