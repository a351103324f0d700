"""The explorer's two questions about the server: search (`S`) and contains (`K`).

`ServerSearchMixin` is part of ExplorerScreen (explorer.py), split out to keep one concern
a module: each asks its question in the tree's AskBox and sends the answer through the
tree's modules (catalog.server_search: a results node; catalog.drill: a catalog's
`contains`). Where the server has no search (the edX.org gateway), `S` filters the loaded
nodes instead. Its imports are inside the methods, as the explorer's are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeVar

    from textual.screen import Screen
    from textual.widget import Widget

    from edxtui.tui.widgets.catalog.tree import CatalogTree

    _Base = Screen[None]
    W = TypeVar("W", bound=Widget)
else:
    _Base = object


class ServerSearchMixin(_Base):
    """Search on the server and contains for ExplorerScreen (see the module docstring)."""

    if TYPE_CHECKING:  # ExplorerScreen's; stubs here would shadow them at run time

        @property
        def catalog_tree(self) -> CatalogTree: ...
        async def action_filter(self) -> None: ...
        async def _ensure(self, widget_id: str, expect: type[W]) -> W: ...

    async def action_server_search(self) -> None:
        from edxtui.api.errors import EdxError
        from edxtui.tui.widgets.catalog import server_search
        from edxtui.tui.widgets.catalog.ask import AskBox
        from edxtui.tui.widgets.catalog.tree import PAGE_SIZE

        tree = self.catalog_tree
        try:
            target = server_search.target_at(tree)
        except EdxError as err:  # the edX.org gateway: no search there, filter instead
            self.notify(f"No server search: {err.message}; filtering the loaded nodes instead")
            await self.action_filter()
            return

        def run(query: str) -> None:
            try:
                server_search.run_search(tree, target, query, PAGE_SIZE)
            except EdxError as err:
                self.notify(err.message, severity="warning")

        prompt = f"search {target.scope} on the server (q=; enter searches, esc cancels)"
        (await self._ensure("tree-ask", AskBox)).ask(prompt, run, back=tree)

    async def action_contains(self) -> None:
        from edxtui.tui.widgets.catalog import drill
        from edxtui.tui.widgets.catalog.ask import AskBox
        from edxtui.tui.widgets.catalog.nodes import catalog_of

        tree = self.catalog_tree
        catalog = catalog_of(tree.cursor_node)
        if catalog is None:
            self.notify("Contains (K) asks a catalog: put the cursor on one first", timeout=4)
            return
        prompt = "course or run keys this catalog may hold (M marks one; enter asks)"
        (await self._ensure("tree-ask", AskBox)).ask(
            prompt,
            lambda text: drill.check_contains(tree, catalog, text),
            value=tree.marked or "",
            back=tree,
        )
