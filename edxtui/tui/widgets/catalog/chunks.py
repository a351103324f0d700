"""Adding a page of a list to a tree node without stalling the event loop.

Children are added in chunks of CHUNK, yielding to the loop between them; past BUCKET
children a list is shown in collapsible ranges of BUCKET; and what survived a finished
load is kept out of the garbage collector's full passes (`settle_garbage_collector`).
A 10,000-course catalog loads this way while keys and frames go on. The tree's loads
(tree.py) and its load all (load_all.py) both add their pages here.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from textual.widgets.tree import TreeNode

from edxtui import jsonpath
from edxtui.api.exchange import Exchange
from edxtui.api.search import MIXED, result_kind
from edxtui.tui.widgets.catalog.nodes import NodeInfo, bucket_label, child_info, item_label

#: children added per batch before yielding to the event loop
CHUNK = 500
#: past this many children, a list is shown in ranges of this many (see add_page)
BUCKET = 1000

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


async def add_items(
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
        item_kind = result_kind(item) if kind == MIXED else kind  # search/all/'s mix
        child = child_info(item_kind, item, exchange, list_path + jsonpath.index_step(index))
        label = item_label(item_kind, item)
        if child.loads:
            node.add(label, child)
        else:
            node.add_leaf(label, child)
        batch += 1
        if batch >= CHUNK:
            batch = 0
            await asyncio.sleep(0)


async def add_page(node: TreeNode[NodeInfo], page: Any, *, open_range: bool = True) -> None:
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
        await add_items(node, results, ".results", page.exchange, kind=info.child_kind)
        return
    index = 0
    while index < len(results):
        position = info.loaded + index
        bucket = range_node(node, position // BUCKET, total, open_range)
        chunk = results[index : index + BUCKET - position % BUCKET]
        await add_items(bucket, chunk, ".results", page.exchange, kind=info.child_kind, start=index)
        index += len(chunk)


def range_node(
    node: TreeNode[NodeInfo], number: int, total: int, expand: bool = True
) -> TreeNode[NodeInfo]:
    """The range node `number` (0-based) under `node`; a new one closes the one before
    (`expand=False`: it comes closed too; load all adds ranges without new lines)."""
    last = next((c for c in reversed(node.children) if c.data and c.data.kind == "bucket"), None)
    if last is not None and last.data is not None and last.data.count == number:
        return last
    if last is not None:
        last.collapse()
    first, end = number * BUCKET + 1, min((number + 1) * BUCKET, total)
    label = bucket_label(first, end, total)
    info = NodeInfo(kind="bucket", title=label.plain, count=number, target=node)
    return node.add(label, info, expand=expand)
