"""The catalog tree's line cache: the one module that leans on Textual's Tree internals.

Tree keys its line cache on counters that every added node bumps, so each page loaded
repaints every visible line. `LineCachedTree` keys a painted line on what it shows
instead, and measures each label once. The inputs it reads are Tree._render_line's
(Textual 7 to 8.2): the public `TreeNode.id` and `is_last`, and the private `_updates`,
`_hover`, `_selected`, `_tree_lines` and `_pseudo_class_state`, which have no public
form. tests/test_tui_tree_paint.py compares the cache with fresh renders, so a Textual
upgrade that changes them fails there first.
"""

from __future__ import annotations

from typing import Self

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from edxtui.tui.widgets.catalog.nodes import NodeInfo

#: painted lines kept by content (a few screens' worth, as Tree's own cache)
LINES_KEPT = 1024


class LineCachedTree(Tree[NodeInfo]):
    """A Tree of NodeInfo whose painted lines are cached by what they show."""

    def __init__(self, label: str, data: NodeInfo, *, id: str | None = None) -> None:
        self._painted: LRUCache[tuple, Strip] = LRUCache(LINES_KEPT)
        self._clears = 0  # node ids start again at 0 after a clear()
        self._paint_style: Style | None = None  # the widget's style while it paints
        super().__init__(label, data, id=id)

    # Tree keys its line cache on counters that every added node bumps (the tree's, and
    # the parent's, which is in the key of every sibling's line), so each page loaded
    # repaints every visible line (docs/performance.md, "Catalog tree") even when the page
    # went in below the screen. This cache keys a line on what it shows instead; a line is
    # rendered again only when its node, its ancestors' guides, the cursor, hover, focus,
    # size, scroll or styles changed. (The inputs are Tree._render_line's, Textual 7-8.2;
    # tests/test_tui_tree_paint.py compares the cache with fresh renders.)

    def _invalidate(self) -> None:
        # Tree asks for a layout of the whole screen (every widget painted again) on every
        # node added, even under a collapsed node. The lines' count and width ask for one
        # themselves when they change (virtual_size is a layout reactive, set when the
        # lines are rebuilt), which is exactly when one is needed; else a repaint will do.
        self._clear_line_cache()
        self._updates += 1
        self.root._reset()
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Tree.render_line asks for the widget's style once per line; it is the same for
        # the whole paint, and working it out walks every ancestor, for every line.
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
            (line.node.id, line.node._updates),
            # its ancestors draw the guides: only their hover, cursor and last-ness matter
            # (adding a child bumps a parent's _updates, which would repaint every sibling)
            tuple((node.id, node._hover, node._selected, node.is_last) for node in line.path),
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
            return 2 + _cells(node.label)
        if info.width < 0:
            info.width = 2 + _cells(node.label)  # room for the icon, expandable or not
        return info.width


def _cells(label: str | Text) -> int:
    """A label's width. TreeNode keeps every label as Text (its tree's process_label) but
    types the property as str | Text."""
    return label.cell_len if isinstance(label, Text) else cell_len(label)
