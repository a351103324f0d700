"""Drilling down in the catalog tree: a node's own detail endpoint, marks, and `contains`.

`d` on a course, course run or program (or catalog) fetches its detail endpoint
(`courses/{key}/`, ...) and puts the answer in a "≡ detail" child, first under the node:
the node itself shows the list's entry in the inspector, its detail child the whole object.
`M` marks a course or run, whose key `K` on a catalog then offers to `contains`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.widgets.tree import TreeNode
from textual.worker import Worker

from edxtui.api.catalog import contains, fetch_object
from edxtui.api.drill import DRILLABLE, detail_path, split_keys
from edxtui.api.errors import EdxError
from edxtui.tui.text import safe_str
from edxtui.tui.widgets.catalog.nodes import NodeInfo, detail_label, error_text

if TYPE_CHECKING:
    from edxtui.tui.widgets.catalog.tree import CatalogTree


def drill_node(node: TreeNode[NodeInfo] | None) -> TreeNode[NodeInfo] | None:
    """The node `d` drills into: the cursor's, or the owner of the detail child it is on."""
    if node is not None and node.data is not None and node.data.kind == "detail":
        node = node.parent
    if node is None or node.data is None or node.data.kind not in DRILLABLE:
        return None
    return node


def fetch_detail(tree: CatalogTree) -> None:
    node = drill_node(tree.cursor_node)
    if node is None:
        tree.notify("Detail (d) works on a course, course run, program or catalog", timeout=4)
        return
    assert node.data is not None
    try:
        path = detail_path(node.data.kind, node.data.item)
    except EdxError as err:
        tree.notify(f"No detail: {err.message}", severity="warning")
        return
    _: Worker[None] = tree.run_worker(
        partial(_fetch_detail, tree, node, path),
        group=f"detail-{node.id}",
        exclusive=True,
        exit_on_error=False,
        name=f"detail {path}",
    )


async def _fetch_detail(tree: CatalogTree, node: TreeNode[NodeInfo], path: str) -> None:
    reason = ""
    try:
        _, exchange = await fetch_object(tree.session, path)
    except EdxError as err:
        reason, _ = error_text(err)
        exchange = tree._exchange_for_error(err)
        tree.notify(f"Detail of {path}: {reason}", severity="error")
    old = [c for c in node.children if c.data is not None and c.data.kind == "detail"]
    for child in old:
        child.remove()
    info = NodeInfo(kind="detail", title=path, exchange=exchange, note=reason)
    label = detail_label(path, exchange, reason)
    if node.children:
        child = node.add_leaf(label, info, before=0)
    else:
        node.allow_expand = True  # a leaf entry (a course without runs) grows a child
        child = node.add_leaf(label, info)
    tree.reveal(child)


def mark(tree: CatalogTree) -> None:
    node = tree.cursor_node
    info = node.data if node is not None else None
    key = info.item.get("key") if info is not None and isinstance(info.item, dict) else None
    if info is None or info.kind not in ("course", "run") or not isinstance(key, str) or not key:
        tree.notify("Mark (M) works on a course or a course run", timeout=4)
        return
    tree.marked = key
    tree.notify(f"Marked {safe_str(key, limit=80)}: K on a catalog asks whether it holds it")


def check_contains(tree: CatalogTree, catalog: TreeNode[NodeInfo], text: str) -> None:
    """Ask the catalog whether it holds the typed keys; the answer is one line."""
    item = catalog.data.item if catalog.data is not None else None
    ident = item.get("id") if isinstance(item, dict) else None
    try:
        courses, runs = split_keys(text)
    except EdxError as err:
        tree.notify(err.message, severity="warning")
        return
    _: Worker[None] = tree.run_worker(
        partial(_check_contains, tree, ident, courses, runs),
        group="contains",
        exclusive=True,
        exit_on_error=False,
        name="contains",
    )


async def _check_contains(
    tree: CatalogTree, ident: Any, courses: list[str], runs: list[str]
) -> None:
    try:
        found = await contains(tree.session, ident, courses, runs)
    except EdxError as err:
        reason, _ = error_text(err)
        tree.notify(f"Contains: {reason}", severity="error")
        return
    tree.notify(contains_answer(ident, found, [*courses, *runs]))


def contains_answer(ident: Any, found: dict[str, bool], asked: list[str]) -> str:
    """One line: `Catalog 1: MITx+6.00x is in it; course-v1:X+Y+Z is not`."""
    parts = []
    for key in asked:
        answer = found.get(key)
        verdict = "is in it" if answer else "is not" if answer is False else "(no answer)"
        parts.append(f"{safe_str(key, limit=60)} {verdict}")
    return f"Catalog {safe_str(ident, limit=20)}: " + "; ".join(parts)


def commands(tree: CatalogTree) -> list[tuple[str, str, Callable[[], object]]]:
    return [
        (
            "Fetch detail",
            "The course, run, program or catalog's own endpoint, as a child node (d)",
            tree.action_detail,
        ),
        (
            "Mark course",
            "Mark the course or run under the cursor for Contains (M)",
            tree.action_mark,
        ),
    ]
