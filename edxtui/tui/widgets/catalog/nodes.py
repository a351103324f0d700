"""The catalog tree's resource model: what each node stands for, and how it is labelled.

No Textual widgets here: `NodeInfo` is the data of every tree node, `GROUPS` the top
level, `item_label` / `group_label` / `more_label` / `error_label` build labels from
untrusted API strings as plain Text (control characters escaped, never markup), and
`error_text` turns a failed load into a one-line reason. A node's JSON sits in its
exchange's body at `json_path` (edxtui.jsonpath's grammar); `value_at` reads it back.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text

from edxtui import jsonpath
from edxtui.api import catalog as paths
from edxtui.api import jsonbody
from edxtui.api.errors import ApiError, EdxError
from edxtui.api.exchange import Exchange
from edxtui.tui.text import human_size, safe

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from edxtui.api.catalog import PageBudget

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
    state: str = "idle"  # idle counted loading loaded error unavailable
    target: TreeNode[NodeInfo] | None = None  # for "more" and "error" nodes: what to (re)load
    inline: str | None = None  # key of a list inside `item` that gives the children
    width: int = -1  # the label's cell width, measured once (see CatalogTree.get_label_width)
    note: str = ""  # why a load failed, on error nodes
    budget: PageBudget | None = None  # how far `next` may be followed (from the first page)
    last_page: Exchange | None = None  # the last page of children (to notice it coming again)
    params: dict[str, str] | None = None  # the first page's query, when not {"limit": 100}
    needs_token: bool = False  # on error nodes: no token could be had; retried once one is

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


# exchange id -> (exchange, parsed body), a few recent ones. Ids restart with each
# session's log, so a hit must be the very exchange, not only its id.
_parsed: OrderedDict[int, tuple[Exchange, Any]] = OrderedDict()
_PARSED_KEEP = 4


def value_at(exchange: Exchange | None, json_path: str) -> Any:
    """The value at `json_path` (".results[3].course_runs[0]") in `exchange`'s JSON body.

    The last few parsed bodies are kept, so the nodes of one page parse it once.
    """
    if exchange is None:
        return None
    cached = _parsed.get(exchange.id)
    if cached is not None and cached[0] is exchange:
        _parsed.move_to_end(exchange.id)
        value = cached[1]
    else:
        try:
            value = jsonbody.loads(exchange.body)
        except (ValueError, RecursionError):
            value = None
        _parsed[exchange.id] = (exchange, value)
        _parsed.move_to_end(exchange.id)
        while len(_parsed) > _PARSED_KEEP:
            _parsed.popitem(last=False)
    parts = jsonpath.parse_path(json_path)
    return None if parts is None else jsonpath.value_at(value, parts)


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def list_at(item: Any, key: str) -> list[Any]:
    """`item[key]` when `item` is an object and that is a list, else []."""
    value = _get(item, key)
    return value if isinstance(value, list) else []


def _count(value: int | None) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"


def _append_fields(text: Text, item: Any, keys: tuple[str, ...], style: str, limit: int) -> None:
    """Append each of `keys` that `item` has a value for, two spaces before each."""
    for key in keys:
        value = _get(item, key)
        if value:
            text.append("  ")
            text.append_text(safe(value, style, limit=limit))


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
        runs = list_at(item, "course_runs")
        if runs:
            text.append(f"  {len(runs):,} run{'s' if len(runs) != 1 else ''}", style="cyan")
    elif kind == "run":
        text.append_text(safe(_get(item, "key") or _get(item, "title") or "(run)", limit=80))
        start = _get(item, "start")
        if isinstance(start, str):
            text.append(f"  {safe(start[:10]).plain}", style="dim")
        _append_fields(text, item, ("availability", "pacing_type"), "cyan", 20)
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
        _append_fields(text, item, ("type", "status"), "dim", 30)
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
    elif kind == "course" and list_at(item, "course_runs"):
        info.inline, info.child_kind = "course_runs", "run"
    elif kind == "run" and list_at(item, "seats"):
        info.inline, info.child_kind = "seats", "seat"
    elif kind == "program" and list_at(item, "courses"):
        info.inline, info.child_kind = "courses", "course"
    return info


def error_text(err: BaseException) -> tuple[str, bool]:
    """A one-line reason for a failed load, and whether it means "not available here"."""
    if isinstance(err, ApiError):
        detail = f": {err.detail}" if err.detail else ""
        if err.restricted:  # refused after the one refresh: say what to ask the operator for
            return f"{err.status}{detail} · a restricted application; {err.hint}", False
        if err.status == 404:
            return f"404 not found{detail}", True
        if err.status == 403:
            return f"403 forbidden{detail}", False
        if err.status == 400 and err.detail:  # the server's own words: a bad search query
            return f"400 bad request{detail}", False
        return f"{err.status}: {err.message}", False
    if isinstance(err, EdxError):
        return err.message, False
    return f"unexpected {type(err).__name__}", False


#: what a list of each kind of child is called
_PLURALS = {
    "catalog": "catalogs",
    "course": "courses",
    "run": "course runs",
    "seat": "seats",
    "program": "programs",
    "organization": "organizations",
}


def plural(kind: str) -> str:
    """What a list of `kind` children is called, on a node or in a message: "courses",
    "course runs", ...; "items" for a list of anything else."""
    return _PLURALS.get(kind, "items")


#: a 404 on the catalog list, which every catalog API serves: the API root is wrong
NO_CATALOG_LIST = "404 not found: no catalog list at this API root; check the API root (c)"
NO_CATALOG_LIST_SHORT = "404: check the API root"


def group_label(info: NodeInfo) -> Text:
    """A top-level group: its title, then its count or its state."""
    text = Text(info.title, style="bold")
    if info.state == "unavailable":
        text.append("  not available on this server", style="dim italic")
    elif info.state == "error" and info.note:
        text.append(f"  ({info.note})", style="red")
    elif info.state == "error":
        text.append("  (error)", style="red")
    elif info.count is not None:
        text.append(f" ({_count(info.count)})")
    elif info.state == "loading":
        text.append(" (loading…)", style="dim")
    return text


def more_label(info: NodeInfo) -> Text:
    """The "load more" leaf at the end of a list that has another page."""
    left = (info.count - info.loaded) if info.count is not None else None
    text = Text("… load more", style="bold cyan")
    text.append(f" ({_count(left)} left)" if left is not None else "", style="cyan")
    return text


def bucket_label(first: int, end: int, total: int) -> Text:
    """A range of a long list: `1,001–2,000 of 10,000`."""
    label = Text(f"{first:,}–{end:,}", style="bold cyan")
    label.append(f" of {total:,}", style="dim")
    return label


def error_label(reason: str, then: str = "enter to retry") -> Text:
    """The leaf that says why a load failed, and what comes next."""
    label = Text("⚠ ", style="bold red")
    label.append_text(safe(reason, "red", limit=240))
    label.append(f"  ({then})", style="dim")
    return label


def empty_label(info: NodeInfo) -> Text:
    """The leaf of a list that loaded with nothing in it: "no courses", "no matches"."""
    if info.kind == "search":
        return Text("no matches on the server", style="dim italic")
    return Text(f"no {plural(info.child_kind)}", style="dim italic")


def search_label(info: NodeInfo) -> Text:
    """A server search's results: the query (typed by the user), where, and the count."""
    text = Text("⌕ ", style="bold magenta")
    text.append_text(safe(f"“{info.title}”", "bold", limit=60))
    text.append(f" in {info.note}", style="dim")
    if info.state == "error":
        text.append("  (error)", style="red")
    elif info.state == "loading":
        text.append("  (searching…)", style="dim")
    elif info.count is not None:
        noun = "result" if info.count == 1 else "results"
        text.append(f"  {_count(info.count)} {noun}", style="cyan")
    return text


def detail_label(path: str, exchange: Exchange | None, reason: str = "") -> Text:
    """The child that holds a node's own detail endpoint's answer (`d`)."""
    text = Text("≡ detail ", style="bold magenta")
    text.append_text(safe(path, "dim", limit=80))
    if reason:
        text.append("  ")
        text.append_text(safe(reason, "red", limit=120))
    elif exchange is not None:
        text.append(f"  {exchange.status} · {human_size(exchange.size)}", style="dim")
    return text


def catalog_of(node: TreeNode[NodeInfo] | None) -> TreeNode[NodeInfo] | None:
    """The catalog node at or above `node`, if any (what contains and export ask about)."""
    while node is not None and not (node.data is not None and node.data.kind == "catalog"):
        node = node.parent
    return node
