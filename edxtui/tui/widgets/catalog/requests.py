"""The tree's "Requests" group: what the request bar asked for, one node per request.

No Textual widgets here. A typed request's node loads through the tree's own list-node
machinery (a list response pages like any list, with *load more*); a response that is one
object (`course_runs/{key}/`) is shown whole in the inspector, the node a leaf. What its
children are is read from the path (`courses/...` lists courses). `add_request` puts a
request's node in the tree; `request_paths` gives the request bar its completions: the
groups the server serves and the keys of loaded nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text

from edxtui.api.catalog import NotAListError, Page, parse_page
from edxtui.api.drill import detail_path
from edxtui.api.errors import ConfigError, EdxError
from edxtui.api.exchange import Exchange
from edxtui.api.request_line import relative
from edxtui.tui.text import safe
from edxtui.tui.widgets.catalog.nodes import GROUPS, NodeInfo, group_label

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from edxtui.api.session import Session
    from edxtui.tui.widgets.catalog.tree import CatalogTree

REQUESTS_TITLE = "Requests"
#: loaded nodes looked at for completions (each reads its JSON back from its page)
SUGGEST_FROM = 5000

# the first path segment -> what a list under it holds
_KINDS = {
    "catalogs": "catalog",
    "courses": "course",
    "course_runs": "run",
    "programs": "program",
    "organizations": "organization",
}


class ObjectResponse(Exception):  # noqa: N818 - not an error: the answer is one object
    """The request answered with one object, not a list page."""

    def __init__(self, exchange: Exchange | None) -> None:
        super().__init__("one object")
        self.exchange = exchange


def child_kind(url: str, api_root: str) -> str:
    """What a list at `url` holds: catalogs/1/courses/ holds courses, course_runs/ runs."""
    parts = [p for p in relative(url, api_root).split("?", 1)[0].split("/") if p]
    if len(parts) >= 3 and parts[0] == "catalogs" and parts[2] == "courses":
        return "course"
    return _KINDS.get(parts[0], "item") if parts else "item"


def request_info(url: str, api_root: str) -> NodeInfo:
    return NodeInfo(
        kind="request",
        title=relative(url, api_root),
        path=url,
        child_kind=child_kind(url, api_root),
    )


def request_label(info: NodeInfo) -> Text:
    """`GET courses/?q=python (12)`: the typed path as plain text, then its count or state."""
    text = Text("GET ", style="bold magenta")
    text.append_text(safe(info.title, limit=120))
    if info.state == "error":
        text.append("  (error)", style="red")
    elif info.state == "loading":
        text.append(" (loading…)", style="dim")
    elif info.state == "loaded" and info.count is None:
        exchange = info.exchange
        status = f"{exchange.status} " if exchange and exchange.status else ""
        text.append(f"  {status}object", style="dim")
    elif info.count is not None:
        text.append(f" ({info.count:,})")
    return text


async def fetch_request(session: Session, url: str) -> Page:
    """The first page of a typed request; ObjectResponse when it is one object instead."""
    data, exchange = await session.get_json(url)
    try:
        return parse_page(data, url=url, exchange=exchange, secrets=session.secrets())
    except NotAListError:
        raise ObjectResponse(exchange) from None
    except EdxError:
        if isinstance(data, dict | list) and "results" not in data:
            raise ObjectResponse(exchange) from None
        raise


def _item_path(info: NodeInfo) -> str | None:
    """A loaded node's own path (`courses/{key}/`), as `d` would fetch it, if it has one."""
    try:
        return detail_path(info.kind, info.item)
    except ConfigError:  # no such endpoint, or a key that cannot be a path segment
        return None


def known_paths(groups: Iterable[NodeInfo], nodes: Iterable[TreeNode[NodeInfo]]) -> list[str]:
    """Completions for the request bar: the groups' paths this server serves, then each
    loaded node's own path (`courses/{key}/`) and list path (`catalogs/1/courses/`)."""
    found: dict[str, None] = {}
    served = {g.path for g in groups if g.state != "unavailable"}
    for _title, path, _kind in GROUPS:
        if path in served:
            found[path] = None
    for count, node in enumerate(nodes):
        if count >= SUGGEST_FROM:
            break
        info = node.data
        if info is None or info.kind in ("group", "request", "more", "error", "info"):
            continue
        for each in (_item_path(info), info.path if info.kind == "catalog" else None):
            if each:
                found[each] = None
    return list(found)


def add_request(tree: CatalogTree, url: str) -> TreeNode[NodeInfo]:
    """A node for a typed request under the "Requests" group (made on the first one),
    loading; a list pages like any list node."""
    api_root = tree.session.credentials.api_root
    group = next(
        (n for n in tree.root.children if n.data and n.data.title == REQUESTS_TITLE),
        None,
    )
    if group is None:
        info = NodeInfo(kind="group", title=REQUESTS_TITLE, child_kind="request")
        group = tree.root.add(group_label(info), info, expand=True)
    assert group.data is not None
    group.data.count = len(group.children) + 1
    group.data.state = "loaded"
    tree.refresh_label(group)
    info = request_info(url, api_root)
    node = group.add(request_label(info), info, expand=True)
    group.expand()
    tree.load(node)
    info.state = "loading"  # so the expand that comes next does not load it again
    tree.reveal(node)
    return node


def request_paths(tree: CatalogTree) -> list[str]:
    """The request bar's completions (known_paths)."""
    groups = [n.data for n in tree.root.children if n.data is not None]
    return known_paths(groups, tree.loaded_nodes())
