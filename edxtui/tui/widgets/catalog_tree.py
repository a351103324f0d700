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
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Self

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from edxtui.api import catalog as paths
from edxtui.api import jsonbody
from edxtui.api.catalog import fetch_page
from edxtui.api.errors import ApiError, EdxError
from edxtui.api.exchange import Exchange
from edxtui.tui.safe import safe

#: children added per batch before yielding to the event loop
CHUNK = 500
#: painted lines kept by content (a few screens' worth, as Tree's own cache)
LINES_KEPT = 1024
#: items asked for per page (the API has no upper cap; 20 is the default)
PAGE_SIZE = 100
#: seconds a page may take before its node shows "loading…"
LOADING_AFTER = 0.1
#: past this many children, a list is shown in ranges of this many (see _add_page)
BUCKET = 1000
#: longest title shown in a label
TITLE_LIMIT = 100


@dataclass(eq=False)
class NodeInfo:
    """What a tree node stands for; `Tree.data` of every node."""

    kind: str  # group catalog course run seat program organization item more error loading info
    title: str = ""  # the label's plain name (counts are appended to it)
    path: str | None = None  # the list endpoint of this node's paged children
    child_kind: str = "item"  # what those children are
    exchange: Exchange | None = None  # the exchange whose body holds `item`
    json_path: str = ""  # where `item` sits in that body, e.g. ".results[3]"
    next_url: str | None = None  # the next page of children, when there is one
    count: int | None = None  # total children as the API reported
    loaded: int = 0  # children added so far
    state: str = "idle"  # idle loading loaded error unavailable
    target: TreeNode[NodeInfo] | None = None  # for "more" and "error" nodes: what to (re)load
    inline: str | None = None  # key of a list inside `item` that gives the children
    width: int = -1  # the label's cell width, measured once (see CatalogTree.get_label_width)
    note: str = ""  # why a load failed, on error nodes

    @property
    def item(self) -> Any:
        """The JSON value the node shows, read back from its exchange's body.

        Nodes do not keep parsed JSON: 10,000 parsed courses are millions of objects, and
        the garbage collector's passes over them stall the event loop for half a second.
        The body's bytes are kept anyway (by the exchange log) and are invisible to the GC.
        """
        return value_at(self.exchange, self.json_path) if self.json_path else None

    @property
    def loads(self) -> bool:
        return self.path is not None or self.inline is not None


# What a top-level group holds: (title, path, child kind)
GROUPS: list[tuple[str, str, str]] = [
    ("Catalogs", paths.catalogs(), "catalog"),
    ("Courses", paths.courses(), "course"),
    ("Course runs", paths.course_runs(), "run"),
    ("Programs", paths.programs(), "program"),
    ("Organizations", paths.organizations(), "organization"),
]


_PATH_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_parsed: OrderedDict[int, Any] = OrderedDict()  # exchange id -> parsed body, a few recent ones
_PARSED_KEEP = 4


def value_at(exchange: Exchange | None, json_path: str) -> Any:
    """The value at `json_path` (".results[3].course_runs[0]") in `exchange`'s JSON body."""
    if exchange is None:
        return None
    if exchange.id in _parsed:
        _parsed.move_to_end(exchange.id)
        value = _parsed[exchange.id]
    else:
        try:
            value = jsonbody.loads(exchange.body)
        except (ValueError, RecursionError):
            value = None
        _parsed[exchange.id] = value
        while len(_parsed) > _PARSED_KEEP:
            _parsed.popitem(last=False)
    for key, index in _PATH_STEP.findall(json_path):
        if index:
            value = (
                value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
            )
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value


_freezes = 0
#: every this many loads, unfreeze instead, so garbage cycles made meanwhile are collected
UNFREEZE_EVERY = 25


def settle_garbage_collector(*, release: bool = False) -> None:
    """Keep the cyclic GC's full passes short while big lists load.

    A full collection walks every tracked object; with 10,000 nodes loaded (each a
    TreeNode, NodeInfo, Text and spans) one pass took 300-400 ms here, in the middle of
    scrolling. Freezing what survived a finished load moves it out of those passes.
    Frozen cycles are never collected, so a reload (`release=True`: the old subtree is
    cyclic, parent <-> children) and every UNFREEZE_EVERY-th load unfreeze instead.
    """
    global _freezes
    _freezes += 1
    if release or _freezes % UNFREEZE_EVERY == 0:
        gc.unfreeze()
    else:
        gc.freeze()


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _list(item: Any, key: str) -> list[Any]:
    value = _get(item, key)
    return value if isinstance(value, list) else []


def _count(value: int | None) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"


def item_label(kind: str, item: Any) -> Text:
    """A one-line label for an API object; every string in it is untrusted."""
    text = Text()
    if not isinstance(item, dict):
        return safe(item, limit=TITLE_LIMIT)
    if kind == "catalog":
        text.append_text(safe(_get(item, "name") or "(no name)", "bold", limit=TITLE_LIMIT))
        text.append(f"  #{safe(_get(item, 'id')).plain}", style="dim")
        courses = _get(item, "courses_count")
        if isinstance(courses, int):
            text.append(f"  {courses:,} courses", style="cyan")
    elif kind == "course":
        text.append_text(safe(_get(item, "title") or "(untitled)", limit=TITLE_LIMIT))
        text.append("  ")
        text.append_text(safe(_get(item, "key") or "", "dim", limit=60))
        runs = _list(item, "course_runs")
        if runs:
            text.append(f"  {len(runs):,} run{'s' if len(runs) != 1 else ''}", style="cyan")
    elif kind == "run":
        text.append_text(safe(_get(item, "key") or _get(item, "title") or "(run)", limit=80))
        start = _get(item, "start")
        if isinstance(start, str):
            text.append(f"  {safe(start[:10]).plain}", style="dim")
        for key in ("availability", "pacing_type"):
            value = _get(item, key)
            if value:
                text.append("  ")
                text.append_text(safe(value, "cyan", limit=20))
    elif kind == "seat":
        text.append_text(safe(_get(item, "type") or "seat", "bold", limit=30))
        price = _get(item, "price")
        if price is not None:
            text.append("  ")
            text.append_text(safe(price, limit=20))
            text.append(" ")
            text.append_text(safe(_get(item, "currency") or "", limit=10))
    elif kind == "program":
        text.append_text(safe(_get(item, "title") or "(untitled)", limit=TITLE_LIMIT))
        for key in ("type", "status"):
            value = _get(item, key)
            if value:
                text.append("  ")
                text.append_text(safe(value, "dim", limit=30))
    elif kind == "organization":
        text.append_text(safe(_get(item, "key") or "?", "bold", limit=40))
        text.append("  ")
        text.append_text(safe(_get(item, "name") or "", limit=TITLE_LIMIT))
    else:
        text.append_text(safe(_get(item, "title") or _get(item, "name") or item, limit=TITLE_LIMIT))
    return text


def child_info(kind: str, item: Any, exchange: Exchange | None, json_path: str) -> NodeInfo:
    """The NodeInfo of an object in a list: catalogs page, courses, its inline runs, ..."""
    info = NodeInfo(kind=kind, exchange=exchange, json_path=json_path)
    if kind == "catalog":
        ident = _get(item, "id")
        if ident is not None:
            try:
                info.path = paths.catalog_courses(ident)
            except EdxError:  # an id that cannot be a path segment: show it, load nothing
                info.path = None
            info.child_kind = "course"
            info.count = (
                _get(item, "courses_count")
                if isinstance(_get(item, "courses_count"), int)
                else None
            )
    elif kind == "course" and _list(item, "course_runs"):
        info.inline, info.child_kind = "course_runs", "run"
    elif kind == "run" and _list(item, "seats"):
        info.inline, info.child_kind = "seats", "seat"
    elif kind == "program" and _list(item, "courses"):
        info.inline, info.child_kind = "courses", "course"
    return info


def error_text(err: BaseException) -> tuple[str, bool]:
    """A one-line reason for a failed load, and whether it means "not available here"."""
    if isinstance(err, ApiError):
        detail = f": {err.detail}" if err.detail else ""
        if err.status == 404:
            return f"404 not found{detail}", True
        if err.status == 403:
            return f"403 forbidden{detail}", False
        return f"{err.status}: {err.message}", False
    if isinstance(err, EdxError):
        return err.message, False
    return f"unexpected {type(err).__name__}", False


class CatalogTree(Tree[NodeInfo]):
    """The resource tree. `session` is set by the screen before mount (attributes down)."""

    class Loaded(Message):
        """A node's children (or a page of them) finished loading, or failed to."""

        def __init__(self, node: TreeNode[NodeInfo]) -> None:
            super().__init__()
            self.node = node

    BINDINGS = [
        Binding("r", "reload", "Reload"),
        Binding("e", "load_more", "Load more", show=False),
    ]

    def __init__(self, session: Any, *, id: str | None = None) -> None:
        self._painted: LRUCache[tuple, Strip] = LRUCache(LINES_KEPT)
        self._clears = 0  # node ids start again at 0 after a clear()
        self._paint_style: Style | None = None  # the widget's style while it paints
        super().__init__("API", NodeInfo(kind="root"), id=id)
        self.session = session
        self.show_root = False
        self.guide_depth = 3

    # ----- painting -----------------------------------------------------------------

    # Tree keys its line cache on counters that every added node bumps (the tree's, and
    # the parent's, which is in the key of every sibling's line), so each page loaded
    # repaints every visible line (~0.3 ms each, ~12 ms a frame here) even when the page
    # went in below the screen. This cache keys a line on what it shows instead; a line is
    # rendered again only when its node, its ancestors' guides, the cursor, hover, focus,
    # size, scroll or styles changed. (The inputs are Tree._render_line's, Textual 7-8.2;
    # tests/test_tui_tree_paint.py compares the cache with fresh renders.)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Tree.render_line asks for the widget's style once per line; it is the same for
        # the whole paint, and working it out walks every ancestor (~0.05 ms a line).
        self._paint_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._paint_style = None

    def render_line(self, y: int) -> Strip:
        style = self._paint_style if self._paint_style is not None else self.rich_style
        scroll_x, scroll_y = self.scroll_offset
        return self._render_line(y + scroll_y, scroll_x, scroll_x + self.size.width, style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        lines = self._tree_lines
        if y >= len(lines):
            return super()._render_line(y, x1, x2, base_style)
        line = lines[y]
        key = (
            y,
            x1,
            x2,
            base_style,
            self.size.width,
            self.virtual_size.width,
            self._pseudo_class_state,
            self.cursor_line == y,
            self.hover_line == y,
            self.hover_line >= 0,
            self.show_guides,
            self.guide_depth,
            line.last,
            self._clears,
            # the line's node: _updates counts its label, expand, hover, cursor and children
            (line.node._id, line.node._updates),
            # its ancestors draw the guides: only their hover, cursor and last-ness matter
            # (adding a child bumps a parent's _updates, which would repaint every sibling)
            tuple((node._id, node._hover, node._selected, node.is_last) for node in line.path),
        )
        strip = self._painted.get(key)
        if strip is None:
            strip = self._painted[key] = super()._render_line(y, x1, x2, base_style)
        return strip

    def clear(self) -> Self:
        self._clears += 1
        return super().clear()

    def notify_style_update(self) -> None:
        self._painted.clear()  # CSS or theme changed: every line may look different
        super().notify_style_update()

    def get_label_width(self, node: TreeNode[NodeInfo]) -> int:
        # Tree's default renders every label to measure it, on every rebuild: with 10,000
        # children that alone stalls the loop for a second. The icon plus the label's cells
        # is the same number; it is measured once per label and kept on the node's data.
        info = node.data
        if info is None:
            return 2 + node.label.cell_len
        if info.width < 0:
            info.width = 2 + node.label.cell_len  # room for the icon, expandable or not
        return info.width

    def process_label(self, label: str | Text) -> Text:
        # Never parse markup: a str label is untrusted data, shown literally.
        text = label if isinstance(label, Text) else safe(label)
        return text.split()[0] if "\n" in text.plain else text

    # ----- building -----------------------------------------------------------------

    def on_mount(self) -> None:
        for title, path, child_kind in GROUPS:
            info = NodeInfo(kind="group", title=title, path=path, child_kind=child_kind)
            node = self.root.add(self.group_label(info), info)
            # Load every group's first page now: its count goes in the label, and a 404
            # says at once that this server does not serve it.
            self.load(node)
        self.root.expand()
        self.root.children[0].expand()
        self.move_cursor(self.root.children[0])

    def group_label(self, info: NodeInfo) -> Text:
        text = Text(info.title, style="bold")
        if info.state == "unavailable":
            text.append("  not available on this server", style="dim italic")
        elif info.state == "error":
            text.append("  (error)", style="red")
        elif info.count is not None:
            text.append(f" ({_count(info.count)})")
        elif info.state == "loading":
            text.append(" (loading…)", style="dim")
        return text

    def refresh_label(self, node: TreeNode[NodeInfo]) -> None:
        info = node.data
        if info is not None and info.kind == "group":
            info.width = -1
            node.set_label(self.group_label(info))

    def _more_label(self, info: NodeInfo) -> Text:
        left = (info.count - info.loaded) if info.count is not None else None
        text = Text("… load more", style="bold cyan")
        text.append(f" ({_count(left)} left)" if left is not None else "", style="cyan")
        return text

    # ----- loading ------------------------------------------------------------------

    def load(self, node: TreeNode[NodeInfo], *, more: bool = False) -> None:
        """(Re)load a node's children, or its next page; cancels a stale load of that node."""
        info = node.data
        if info is None or not info.loads:
            return
        if more and (info.next_url is None or info.state == "loading"):
            return
        # A callable, not a coroutine: a load cancelled before it starts leaves nothing behind.
        self.run_worker(
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
            items = _list(info.item, info.inline)
            info.count = len(items)
            await self._add_items(
                node, items, f"{info.json_path}.{info.inline}", info.exchange, kind=info.child_kind
            )
            info.state = "loaded"
            return
        info.state = "loading"
        self.refresh_label(node)
        target = info.next_url if more else info.path
        # The "load more" (or a failed page's error) node stays until the page is in:
        # removing it now would cost a frame of its own while the response is on its way.
        stale = [c for c in node.children if c.data and c.data.kind in ("more", "error")]
        if not more:
            if node.children:
                settle_garbage_collector(release=True)  # the old subtree must be collectable
            node.remove_children()
            stale = []
            info.loaded = 0
            info.next_url = None
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
            page = await self._fetch(target, params)
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
            node.add_leaf(self._more_label(info), more_info)
        info.state = "loaded"
        self.refresh_label(node)
        self.post_message(self.Loaded(node))
        settle_garbage_collector()

    def _drop_all(self, nodes: list[TreeNode[NodeInfo]]) -> None:
        """Remove each of `nodes` that is still in the tree (a reload may have removed it)."""
        for node in nodes:
            if node.id in self._tree_nodes:
                node.remove()

    async def _fetch(self, target: str | None, params: dict[str, Any] | None) -> Any:
        if target is None:
            raise EdxError("Nothing to load here")
        return await fetch_page(self.session, target, params)

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
            child = child_info(kind, item, exchange, f"{list_path}[{index}]")
            label = item_label(kind, item)
            if child.loads:
                node.add(label, child)
            else:
                node.add_leaf(label, child)
            batch += 1
            if batch >= CHUNK:
                batch = 0
                await asyncio.sleep(0)

    async def _add_page(self, node: TreeNode[NodeInfo], page: Any) -> None:
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
            bucket = self._bucket(node, position // BUCKET, total)
            chunk = results[index : index + BUCKET - position % BUCKET]
            await self._add_items(
                bucket, chunk, ".results", page.exchange, kind=info.child_kind, start=index
            )
            index += len(chunk)

    def _bucket(self, node: TreeNode[NodeInfo], number: int, total: int) -> TreeNode[NodeInfo]:
        """The range node `number` (0-based) under `node`; a new one closes the one before."""
        last = next(
            (c for c in reversed(node.children) if c.data and c.data.kind == "bucket"), None
        )
        if last is not None and last.data is not None and last.data.count == number:
            return last
        if last is not None:
            last.collapse()
        first, end = number * BUCKET + 1, min((number + 1) * BUCKET, total)
        label = Text(f"{first:,}–{end:,}", style="bold cyan")
        label.append(f" of {total:,}", style="dim")
        info = NodeInfo(kind="bucket", title=label.plain, count=number, target=node)
        return node.add(label, info, expand=True)

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
            label = Text("⚠ ", style="bold red")
            label.append_text(safe(reason, "red", limit=160))
            label.append("  (enter to retry)", style="dim")
            node.add_leaf(
                label, NodeInfo(kind="error", target=node, exchange=exchange, note=reason)
            )
            if more:
                info.state = "loaded"  # what was loaded stays; only the next page failed
        self.refresh_label(node)

    def _exchange_for_error(self, err: BaseException) -> Exchange | None:
        """The log entry of the failed request, so the inspector can show it."""
        log = getattr(self.session, "log", None)
        if log is None:
            return None
        url = getattr(err, "url", None)
        entries = list(log)
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
