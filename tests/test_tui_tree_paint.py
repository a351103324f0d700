"""The catalog tree's line cache (CatalogTree._render_line) never shows a stale line.

The cache keys a painted line on what it shows instead of on Tree's change counter, so a
page loaded below the screen does not repaint the screen. These tests drive the real app
against the sandbox through the changes a person makes (expand, load more, cursor, collapse,
focus, hover, scroll, theme, reload) and, after each, compare every visible line as the
cache serves it with the same line rendered from scratch by Textual's Tree.
"""

from __future__ import annotations

from textual.widgets import Tree
from tui_helpers import (
    cursor_to,
    expand_catalog,
    loaded,
    open_explorer,
    sandbox_app,
    settled,
    tree_of,
    wait_for,
)

from edxtui.tui.widgets.catalog.tree import PAGE_SIZE, CatalogTree

SIZE = (120, 30)


def segments(strip) -> list[tuple[str, object]]:
    return [(segment.text, segment.style) for segment in strip]


def screen_lines(tree: CatalogTree, *, cached: bool) -> list[list[tuple[str, object]]]:
    """Every visible line of the tree, through the cache or rendered from scratch."""
    tree._pseudo_class_state = tree.get_pseudo_class_state()  # as Tree.render_lines does
    scroll_x, scroll_y = tree.scroll_offset
    width, height = tree.size
    lines = []
    for row in range(height):
        y, x1, x2 = scroll_y + row, scroll_x, scroll_x + width
        if cached:
            strip = tree._render_line(y, x1, x2, tree.rich_style)
        else:
            tree._line_cache.clear()  # Tree's own cache too: a real first render
            strip = Tree._render_line(tree, y, x1, x2, tree.rich_style)
        lines.append(segments(strip))
    return lines


def assert_fresh(tree: CatalogTree, step: str) -> None:
    served = screen_lines(tree, cached=True)
    fresh = screen_lines(tree, cached=False)
    for row, (got, want) in enumerate(zip(served, fresh, strict=True)):
        text = "".join(t for t, _ in want)
        assert got == want, f"after {step}: row {row} is stale (should be {text.rstrip()!r})"


async def test_cached_lines_match_a_fresh_render_through_a_session(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tree = tree_of(app)
        assert_fresh(tree, "opening")

        catalog = await expand_catalog(pilot, app, "All courses")
        await pilot.pause()
        assert_fresh(tree, "expanding a catalog")

        await pilot.press("e")  # the next page goes in at the end, below the screen
        await wait_for(pilot, lambda: catalog.data.loaded >= 2 * PAGE_SIZE, "page two")
        await pilot.pause()
        assert_fresh(tree, "loading more")

        for key in ("down", "down", "down"):
            await pilot.press(key)
        await pilot.pause()
        assert_fresh(tree, "moving the cursor")

        cursor_to(catalog)
        await pilot.press("enter")  # collapse
        await pilot.pause()
        assert_fresh(tree, "collapsing")
        await pilot.press("enter")  # and open again: same lines as before, cursor moved
        await pilot.pause()
        assert_fresh(tree, "expanding again")

        await pilot.hover(CatalogTree, offset=(10, 4))
        await pilot.pause()
        assert_fresh(tree, "hovering")

        tree.scroll_to(y=20, animate=False)
        await pilot.pause()
        assert_fresh(tree, "scrolling")

        await pilot.press("i")  # focus leaves the tree: the cursor line loses its colour
        await pilot.pause()
        assert not tree.has_focus
        assert_fresh(tree, "losing focus")

        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert_fresh(tree, "changing the theme")

        await pilot.press("l")
        cursor_to(catalog)
        await pilot.press("r")  # reload: the catalog's children are replaced
        await wait_for(pilot, lambda: loaded(catalog) and catalog.children, "the reload")
        await pilot.pause()
        assert_fresh(tree, "reloading")


async def test_a_page_loaded_below_the_screen_repaints_almost_nothing(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tree = tree_of(app)
        catalog = await expand_catalog(pilot, app, "All courses")
        await pilot.pause()
        screen_lines(tree, cached=True)  # the screen as painted now

        rendered: list[int] = []
        original = Tree._render_line

        def counting(self, y, *args):
            rendered.append(y)
            return original(self, y, *args)

        Tree._render_line = counting  # what the cache asks Textual to render
        try:
            await pilot.press("e")
            await wait_for(pilot, lambda: catalog.data.loaded >= 2 * PAGE_SIZE, "page two")
            await pilot.pause()
            rendered.clear()
            screen_lines(tree, cached=True)
        finally:
            Tree._render_line = original
        # Only the lines that changed: the catalog's own label ("N left" is on the
        # load-more node, far below) and none of the unchanged courses above the fold.
        assert len(rendered) <= 2, f"re-rendered rows {rendered}"


async def test_a_css_change_to_the_labels_alone_repaints_them(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tree = tree_of(app)
        groups = list(tree.root.children)
        await wait_for(pilot, lambda: all(settled(node) for node in groups), "every group")
        await pilot.pause()
        before = screen_lines(tree, cached=True)
        # Changes the labels' style only: not the tree's own style, not a node.
        app.stylesheet.add_source(
            "CatalogTree > .tree--label { text-style: italic; }", read_from=("test", "italic")
        )
        app.refresh_css()
        await pilot.pause()
        assert_fresh(tree, "a CSS change to the labels")
        assert screen_lines(tree, cached=True) != before
