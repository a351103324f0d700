"""The explorer's two panes: which has the focus, zoom, and the split between them.

`PanesMixin` is part of ExplorerScreen (explorer.py), split out to keep one concern a
module: `l` and `i` focus the tree or the inspector, `z` gives the focused one the whole
screen (again restores it), and `<` / `>` move the split between them by SPLIT_STEP
percent of the width, within SPLIT_MIN..SPLIT_MAX so both stay usable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen

    from edxtui.tui.widgets.catalog.tree import CatalogTree
    from edxtui.tui.widgets.inspector import Inspector

    _Base = Screen[None]
else:
    _Base = object

#: the tree pane's share of the width: each `<`/`>` moves the split this much, within bounds
SPLIT_STEP, SPLIT_MIN, SPLIT_MAX = 5, 15, 85


class PanesMixin(_Base):
    """Focus, zoom and the split for ExplorerScreen (see the module docstring)."""

    # provided by ExplorerScreen
    split: int  # the tree pane's width in percent

    if TYPE_CHECKING:  # ExplorerScreen's; stubs here would shadow them at run time

        @property
        def catalog_tree(self) -> CatalogTree: ...
        @property
        def inspector(self) -> Inspector: ...

    def action_focus_inspector(self) -> None:
        self.inspector.body_view.focus()

    def action_zoom(self) -> None:
        """Give the focused pane (tree or inspector) the whole screen, or restore it."""
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        if focused is not None and self.inspector in focused.ancestors_with_self:
            self.maximize(self.inspector, container=False)
        else:
            self.maximize(self.catalog_tree, container=False)

    def action_focus_tree(self) -> None:
        self.catalog_tree.focus()

    def action_narrow_tree(self) -> None:
        self.move_split(-SPLIT_STEP)

    def action_widen_tree(self) -> None:
        self.move_split(SPLIT_STEP)

    def move_split(self, percent: int) -> None:
        """Move the split by `percent` of the width, keeping both panes usable."""
        self.split = max(SPLIT_MIN, min(SPLIT_MAX, self.split + percent))
        self.query_one("#left").styles.width = f"{self.split}%"
