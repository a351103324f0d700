"""BodyLines: the body viewer's drawing surface (Textual's Line API) and its cursor.

It draws only the rows on screen, each cached by (generation, row), and knows nothing of
JSON: what a row shows, how many there are and what folding does come from its owner
through the small `RowSource` surface below (the JsonView implements it).
"""

from __future__ import annotations

import re
from typing import Protocol

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from edxtui.tui.widgets.body.wrap import WrapMap

ROLES = ("key", "string", "number", "literal", "punct", "index", "note", "arrow")


class RowSource(Protocol):
    """What BodyLines asks of its owner."""

    #: bumped whenever any row may look different (new body, view, folds or search)
    generation: int

    @property
    def highlight(self) -> re.Pattern[str] | None:
        """What to highlight as a search match in every row, if anything."""
        ...

    def shown_mode(self) -> str:
        """The view on screen: "pretty", "tree" or "raw"."""
        ...

    @property
    def wrap_map(self) -> WrapMap | None:
        """The screen lines of each row when long rows wrap (None: one line a row)."""
        ...

    def row_count(self) -> int: ...

    def row_marked(self, row: int) -> bool:
        """Whether row `row` is a match of the path query (highlighted whole)."""
        ...

    def row_tokens(self, row: int) -> list[tuple[str, str]]:
        """Row `row` as (text, role) pieces, every piece already safe to show."""
        ...

    def arrow_span(self, row: int) -> tuple[int, int]:
        """Columns of the fold arrow on tree row `row` ((0, 0) when it has none)."""
        ...

    def fold_left(self) -> None:
        """Tree view, left key: fold the cursor's container, or go to its parent."""
        ...

    def fold_right(self) -> None:
        """Tree view, right key: unfold the cursor's container, or go into it."""
        ...

    def toggle_fold(self, row: int) -> None: ...

    def cursor_moved(self) -> None: ...


class BodyLines(ScrollView, can_focus=True):
    """Draws the rows of its owner (a RowSource); owns the cursor."""

    COMPONENT_CLASSES = {f"json-view--{role}" for role in ROLES} | {
        "json-view--cursor",
        "json-view--match",
        "json-view--query",
    }
    DEFAULT_CSS = """
    BodyLines {
        background: $surface;
        color: $foreground;
        overflow: auto auto;
        height: 1fr;
        & > .json-view--key { color: $primary; text-style: bold; }
        & > .json-view--string { color: $success; }
        & > .json-view--number { color: $warning; }
        & > .json-view--literal { color: $secondary; text-style: italic; }
        & > .json-view--punct { color: $foreground-muted; }
        & > .json-view--index { color: $accent; }
        & > .json-view--note { color: $foreground-muted; text-style: italic; }
        & > .json-view--arrow { color: $accent; }
        & > .json-view--cursor { background: $accent 30%; }
        & > .json-view--match { background: $warning 60%; color: $text; }
        & > .json-view--query { background: $success 35%; }
        &:focus > .json-view--cursor { background: $accent 50%; }
    }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First line", show=False),
        Binding("end", "edge(1)", "Last line", show=False),
        Binding("left", "left", "Fold / left", show=False),
        Binding("right", "right", "Unfold / right", show=False),
        Binding("enter,space", "toggle_fold", "Fold/unfold"),
        # jless's keys (docs/json-view.md). h / l only in the tree view, where they fold:
        # elsewhere they stay the explorer's (h history, l focus the tree)
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("h", "tree_left", "Fold / parent", show=False),
        Binding("l", "tree_right", "Unfold / child", show=False),
        Binding("g", "edge(0)", "First line", show=False),
        Binding("G", "edge(1)", "Last line", show=False),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_fold", "tree_left", "tree_right"):
            # only the tree folds; elsewhere Enter, h and l are the screen's
            return self.owner.shown_mode() == "tree"
        return True

    cursor: var[int] = var(0, init=False)

    def __init__(self, owner: RowSource) -> None:
        super().__init__(id="json-view-lines")
        self.owner = owner
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(2048)
        self._max_width = 0
        self._styles: dict[str, Style] = {}

    # -- state changes from the owner ----------------------------------------------

    def reset(self, *, widths: bool = False) -> None:
        """Forget drawn lines (new body, mode, folds or search); `widths`: their widths too."""
        if widths:
            self._max_width = 0
        self._cache.clear()
        self._styles.clear()
        self.update_size()
        self.refresh()

    def update_size(self) -> None:
        count = self.owner.row_count()
        width = max(self._max_width, self.scrollable_content_region.width)
        wrap = self.owner.wrap_map
        if wrap is not None:  # wrapped rows: no sideways scrolling, a line per piece
            self.virtual_size = Size(self.scrollable_content_region.width, wrap.total)
        else:
            self.virtual_size = Size(width, count)
        if count and self.cursor >= count:
            self.cursor = count - 1

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    # -- drawing -------------------------------------------------------------------

    def _style(self, role: str) -> Style:
        """The style of a role: its colour and attributes; cursor and match add a background."""
        style = self._styles.get(role)
        if style is None:
            name = f"json-view--{role}"
            if name not in self.COMPONENT_CLASSES:
                style = Style()
            else:
                full = self.get_component_rich_style(name)  # colours blended with the background
                if role in ("cursor", "query"):
                    style = Style(bgcolor=full.bgcolor)
                elif role == "match":
                    style = Style(color=full.color, bgcolor=full.bgcolor)
                else:
                    style = Style(color=full.color, bold=full.bold, italic=full.italic)
            self._styles[role] = style
        return style

    def _row_strip(self, row: int) -> Strip:
        key = (self.owner.generation, row)
        strip = self._cache.get(key)
        if strip is not None:
            return strip
        text = Text(no_wrap=True, end="", style=self.rich_style)
        for piece, role in self.owner.row_tokens(row):
            text.append(piece, self._style(role))
        if self.owner.row_marked(row):  # from the first non-blank cell to the end
            plain = text.plain
            text.stylize(self._style("query"), len(plain) - len(plain.lstrip(" ")))
        pattern = self.owner.highlight
        if pattern is not None:
            match_style = self._style("match")
            for m in pattern.finditer(text.plain):
                text.stylize(match_style, m.start(), m.end())
        strip = Strip(text.render(self.app.console), text.cell_len)
        self._cache[key] = strip
        if strip.cell_length > self._max_width:
            self._max_width = strip.cell_length
            self.call_later(self.update_size)
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        wrap = self.owner.wrap_map
        if wrap is not None:
            if row >= wrap.total:
                return Strip.blank(width, base)
            line = row
            row, part = wrap.locate(line)
            blank, start, end = wrap.span(row, part)
            strip = self._row_strip(row).crop_extend(start, end, base)
            if blank:
                strip = Strip.join([Strip.blank(blank, base), strip])
            if row == self.cursor:
                cursor = self._style("cursor")
                strip = Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
            return strip.apply_offsets(0, line)
        if row >= self.owner.row_count():
            return Strip.blank(width, base)
        strip = self._row_strip(row).crop_extend(scroll_x, scroll_x + width, base)
        if row == self.cursor:
            cursor = self._style("cursor")
            strip = Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
        return strip.apply_offsets(scroll_x, row)

    # -- cursor --------------------------------------------------------------------

    def top(self, row: int) -> int:
        """The screen line (in the whole view) where `row` starts."""
        wrap = self.owner.wrap_map
        return row if wrap is None else wrap.top(row)

    def row_at(self, line: int) -> int:
        """The row shown on screen line `line` (in the whole view)."""
        wrap = self.owner.wrap_map
        return line if wrap is None else wrap.locate(line)[0]

    def watch_cursor(self, old: int, new: int) -> None:
        if self.owner.wrap_map is not None:
            self.refresh()  # a wrapped row takes several lines
        else:
            self.refresh_lines(old - int(self.scroll_y))
            self.refresh_lines(new - int(self.scroll_y))
        self.scroll_to_cursor()
        self.owner.cursor_moved()

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        if 0 <= y_start < self.size.height:
            super().refresh_lines(y_start, line_count)

    def scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        first, last = self.top(self.cursor), self.top(self.cursor + 1) - 1
        if self.owner.wrap_map is None:
            last = first
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + height:
            y = min(first, last - height + 1)
            self.scroll_to(y=y, animate=False, immediate=True)

    def move_to(self, row: int, center: bool = False) -> None:
        count = self.owner.row_count()
        row = max(0, min(row, count - 1))
        if center:
            height = max(1, self.scrollable_content_region.height)
            self.scroll_to(y=max(0, self.top(row) - height // 3), animate=False, immediate=True)
        if row == self.cursor:
            self.scroll_to_cursor()
            self.owner.cursor_moved()
        else:
            self.cursor = row

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=max(0, self.scroll_y + direction * height), animate=False, immediate=True)
        self.move_to(self.row_at(self.top(self.cursor) + direction * height))

    def action_edge(self, end: int) -> None:
        self.move_to(self.owner.row_count() - 1 if end else 0)

    def action_left(self) -> None:
        if self.owner.shown_mode() == "tree":
            self.owner.fold_left()
        else:
            self.scroll_to(x=max(0, self.scroll_x - 8), animate=False)

    def action_right(self) -> None:
        if self.owner.shown_mode() == "tree":
            self.owner.fold_right()
        else:
            self.scroll_to(x=self.scroll_x + 8, animate=False)

    def action_tree_left(self) -> None:
        self.owner.fold_left()

    def action_tree_right(self) -> None:
        self.owner.fold_right()

    def action_toggle_fold(self) -> None:
        if self.owner.shown_mode() == "tree":
            self.owner.toggle_fold(self.cursor)

    def reveal_match(self, nth: int) -> None:
        """Scroll sideways so the `nth` highlighted match on the cursor's row is on screen."""
        pattern, row = self.owner.highlight, self.cursor
        if pattern is None or row >= self.owner.row_count() or self.owner.wrap_map is not None:
            return
        text = "".join(piece for piece, _ in self.owner.row_tokens(row))
        found = list(pattern.finditer(text))
        if not found:
            return  # e.g. the match is in the cut-off part of a very long value
        match = found[min(nth, len(found) - 1)]
        column = cell_len(text[: match.start()])
        width = self.scrollable_content_region.width
        if column < self.scroll_x or column + cell_len(match.group()) > self.scroll_x + width:
            self._max_width = max(self._max_width, cell_len(text))
            self.update_size()
            self.scroll_to(x=max(0, column - width // 3), animate=False, immediate=True)
        elif self.scroll_x and column + cell_len(match.group()) <= width:
            self.scroll_to(x=0, animate=False, immediate=True)  # back to the left edge

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        line = offset.y + int(self.scroll_y)
        row = self.row_at(line)
        if row >= self.owner.row_count():
            return
        self.move_to(row)
        if self.owner.shown_mode() == "tree" and self.top(row) == line:
            start, end = self.owner.arrow_span(row)
            on_arrow = start <= offset.x + int(self.scroll_x) < end
            if (event.chain == 1 and on_arrow) or (event.chain == 2 and not on_arrow):
                self.owner.toggle_fold(row)
