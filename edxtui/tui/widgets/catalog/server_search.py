"""Server search in the catalog tree (`S`): the results as a list node that pages like any.

Where the search goes is the core's choice (edxtui.api.search): `q=` on the Courses,
Course runs or Programs list the cursor is in, `search/all/` elsewhere; its results node
sits first under that group ("⌕ “python” in Courses  42 results"), or at the end of the top
level for search/all/. The same query again reloads its node rather than adding another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets.tree import TreeNode

from edxtui.api.search import MIXED, SearchTarget, search_target
from edxtui.tui.widgets.catalog.nodes import NodeInfo, search_label

if TYPE_CHECKING:
    from edxtui.tui.widgets.catalog.tree import CatalogTree


def top_of(node: TreeNode[NodeInfo] | None) -> TreeNode[NodeInfo] | None:
    """The top-level node (a group, or a search/all/ results node) `node` is under."""
    while node is not None and node.parent is not None and not node.parent.is_root:
        node = node.parent
    return None if node is None or node.is_root else node


def served_lists(tree: CatalogTree) -> set[str]:
    """The top-level lists this API root was seen to serve (counted, loading or loaded)."""
    return {
        node.data.path
        for node in tree.root.children
        if node.data is not None
        and node.data.kind == "group"
        and node.data.path is not None
        and node.data.state in ("loading", "loaded", "counted")
    }


def target_at(tree: CatalogTree) -> SearchTarget:
    """Where a search from the cursor goes; NoSearchError (one line) when nowhere."""
    top = top_of(tree.cursor_node)
    path = top.data.path if top is not None and top.data and top.data.kind == "group" else None
    return search_target(path, served_lists(tree))


def run_search(tree: CatalogTree, target: SearchTarget, query: str, page_size: int) -> None:
    """Search, showing the results as a node; ConfigError for an empty query."""
    params = target.params(query, page_size)
    parent = tree.root
    if target.child_kind != MIXED:
        parent = next(
            (n for n in tree.root.children if n.data is not None and n.data.path == target.path),
            tree.root,
        )
    node = next(
        (
            n
            for n in parent.children
            if n.data is not None
            and n.data.kind == "search"
            and n.data.path == target.path
            and n.data.params == params
        ),
        None,
    )
    if node is None:
        info = NodeInfo(
            kind="search",
            title=params["q"],
            path=target.path,
            params=params,
            child_kind=target.child_kind,
            note=target.scope,
        )
        at_top = parent is not tree.root and bool(parent.children)
        node = parent.add(search_label(info), info, before=0 if at_top else None)
    assert node.data is not None
    node.data.state = "loading"  # so expanding it does not start a second load
    tree.load(node)
    node.expand()
    tree.reveal(node)
