"""Helpers for the TUI's Pilot tests: wait on conditions (never fixed sleeps), find nodes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets.tree import TreeNode

from edxtui.tui.app import EdxApp
from edxtui.tui.widgets.catalog.nodes import NodeInfo
from edxtui.tui.widgets.catalog.tree import CatalogTree
from edxtui.tui.widgets.inspector import Inspector

#: a generous bound for one condition: a loaded CI machine is slow, a hang is not
WAIT_LIMIT = 20.0


async def wait_for(
    pilot: Pilot,
    condition: Callable[[], Any],
    what: str = "condition",
    showing: Callable[[], object] | None = None,
) -> Any:
    """Let the app run until `condition()` is truthy; fail (not hang) past WAIT_LIMIT, saying
    what `showing()` returns then (what the screen said instead), when given."""
    deadline = time.monotonic() + WAIT_LIMIT
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            instead = f"; it shows {showing()!r}" if showing is not None else ""
            raise AssertionError(f"timed out waiting for {what}{instead}")
        await pilot.pause(0.02)


def mounted(app: EdxApp, selector: str) -> Any:
    """The widget `selector` finds on the screen, or None: the explorer mounts the widgets
    hidden at start-up (the filter, the request bar...) only when first used."""
    found = app.screen.query(selector)
    return found.first() if found else None


def cursor_to(node: TreeNode[NodeInfo]) -> None:
    """Put the tree's cursor on `node`, as a person does with the arrow keys.

    Not Tree.move_cursor: it reads the node's line number, which stays stale until the tree
    next lays out its lines (-1 right after a page of nodes came in, and the cursor then lands
    on line 0: Catalogs). CatalogTree.reveal lays the lines out first, as the app does."""
    tree = node.tree
    assert isinstance(tree, CatalogTree)
    tree.reveal(node)
    assert tree.cursor_node is node


def tree_of(app: EdxApp) -> CatalogTree:
    return app.screen.query_one(CatalogTree)


def group(app: EdxApp, title: str) -> TreeNode[NodeInfo]:
    for node in tree_of(app).root.children:
        if node.data is not None and node.data.title == title:
            return node
    raise AssertionError(f"no group {title!r}")


def child_by_label(node: TreeNode[NodeInfo], needle: str) -> TreeNode[NodeInfo] | None:
    for child in node.children:
        if needle in child.label.plain:
            return child
    return None


def kinds(node: TreeNode[NodeInfo]) -> list[str]:
    return [child.data.kind for child in node.children if child.data is not None]


def loaded(node: TreeNode[NodeInfo]) -> bool:
    return node.data is not None and node.data.state in ("loaded", "error", "unavailable")


def settled(node: TreeNode[NodeInfo]) -> bool:
    """Nothing in flight for `node`: loaded, failed, or (a group at start-up) counted."""
    return loaded(node) or (node.data is not None and node.data.state == "counted")


def tree_ready(app: EdxApp) -> bool:
    """The explorer is built (the tree and inspector mounted, its keys and palette live: the
    tree can load its groups before that) and its tree has its groups."""
    screen, trees = app.screen, app.screen.query(CatalogTree)
    built = getattr(screen, "built", False)
    return app.session is not None and built and bool(trees) and bool(trees.first().root.children)


async def open_explorer(pilot: Pilot) -> EdxApp:
    """Wait until the explorer shows, the Catalogs group has loaded and the other groups
    have their counts (or failed): start-up's requests are all answered."""
    app = pilot.app
    assert isinstance(app, EdxApp)
    await wait_for(pilot, lambda: tree_ready(app), "explorer")
    catalogs = group(app, "Catalogs")
    await wait_for(pilot, lambda: loaded(catalogs), "catalogs to load")
    groups = tree_of(app).root.children
    await wait_for(pilot, lambda: all(settled(node) for node in groups), "the groups' counts")
    # ... and the screen has shown it: the inspector follows the cursor when a load's message
    # arrives, after the node is marked loaded, and a test that shows something else in the
    # inspector must not race that.
    inspector = app.screen.query_one(Inspector)
    exchange = catalogs.data.exchange if catalogs.data is not None else None
    if exchange is not None and tree_of(app).cursor_node is catalogs:
        await wait_for(pilot, lambda: inspector.exchange is exchange, "catalogs shown")
    return app


def items(node: TreeNode[NodeInfo]) -> list[TreeNode[NodeInfo]]:
    """The item children of a list node, looking inside its range ("bucket") nodes."""
    found = []
    for child in node.children:
        if child.data is not None and child.data.kind == "bucket":
            found.extend(child.children)
        elif child.data is not None and child.data.kind not in ("more", "error", "loading", "info"):
            found.append(child)
    return found


async def expand_catalog(pilot: Pilot, app: EdxApp, name: str) -> TreeNode[NodeInfo]:
    """Open the catalog whose label holds `name` as a person would (cursor, enter) and wait
    for its first page."""
    catalog = child_by_label(group(app, "Catalogs"), name)
    assert catalog is not None, f"no catalog {name!r}"
    cursor_to(catalog)
    await pilot.press("enter")
    await wait_for(pilot, lambda: loaded(catalog), f"the first page of {name!r}")
    return catalog


def sandbox_app(server: Any, layout: str = "openedx", **kwargs: Any) -> EdxApp:
    """The explorer on `server`'s credentials, as `edxtui --sandbox` opens it (no system
    clipboard: tests must not touch the machine's)."""
    return EdxApp(
        credentials=server.credentials(layout),
        profile_name="sandbox",
        use_system_clipboard=False,
        **kwargs,
    )
