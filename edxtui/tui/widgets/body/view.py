"""JsonView: a response-body viewer that opens a body of any size at once.

Three views of one body, switched with `m` (or the `mode` reactive):

- ``"pretty"``: the JSON re-indented, with keys, strings, numbers, literals and
  punctuation in distinct styles (component classes ``json-view--key`` etc.);
- ``"tree"``: a collapsible tree (jless/fx style): arrows, ``[index]`` / key labels,
  child counts; left/right/enter/space fold, ``E`` / ``C`` expand / collapse all;
- ``"raw"``: the exact bytes as received, wrapped at the view's width, invalid UTF-8 as
  ``\\xNN`` and every control character made visible.

A body that is not JSON (HTML, CSV, text, empty, invalid or not UTF-8) is shown raw with a
note saying why. Only the lines on screen are drawn (Textual's Line API) over a document
indexed once per body (``edxtui.tui.jsondoc``); a big body is indexed in steps by a worker
while the first screen is already up. Body text is always plain rich Text: never markup,
control characters escaped, so nothing in a body can drive the terminal.

Public API (everything else is private):

``JsonView(id=...)``
    ``load(body: bytes, content_type: str = "")``   show a body (replaces the last one)
    ``mode``                                         reactive: "pretty" | "tree" | "raw"
    ``search(text) -> bool``, ``next_match() -> bool``, ``prev_match() -> bool``
    ``goto_path(path) -> bool``                      move the cursor to `.results[3].key`
    ``selected_path() -> str``                       path of the cursor's value ("" if none)
    ``selected_value_text() -> str``                 the cursor's value (strings decoded;
                                                     "" for a container still being indexed)
    ``body_text() -> str``                           the whole body (invalid bytes as \\xNN)
    ``is_json -> bool``, ``note -> str``             what the view decided about the body
    ``commands()``                                   (title, help, callback) for the palette

``JsonView.CopyRequested(text, what)``
    Posted (bubbling) by the copy keys; ``what`` is "value", "path" or "body". The widget
    never touches the clipboard: the app handles this message and says what it copied.

Keys (in the footer while the view has focus): up/down/pgup/pgdn/home/end move the cursor,
mouse click selects a line and the wheel scrolls; `/` search, `n` / `N` next / previous
match (wrapping); `m` switch view; `Y` copy value, `p` copy path, `ctrl+y` copy body;
in the tree view left/right/enter/space (or a click on the arrow, or a double click) fold
and unfold, `E` expand all, `C` collapse all;
in the pretty and raw views left/right scroll sideways.
"""

from __future__ import annotations

import asyncio
import re
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from edxtui.textsafe import visible
from edxtui.tui.jsondoc import (
    CLOSE,
    OPENS,
    JsonDocument,
    RawRows,
    classify,
    count_hits,
    find_bytes,
    folds_case,
    parse_path,
)

MODES = ("pretty", "tree", "raw")
STEP_SECONDS = 0.01  # longest the indexer holds the event loop at a time
PROGRESS_SECONDS = 0.5  # how often indexing updates the scroll range and the status line
FIRST_SCREEN_SECONDS = 0.03  # wrap raw rows this long inside load() before using a worker
FIRST_LINES = 3_000  # lines indexed inside load(); more than any screen is tall

_ROLES = ("key", "string", "number", "literal", "punct", "index", "note", "arrow")


class _Lines(ScrollView, can_focus=True):
    """Draws the rows of the owning JsonView; owns the cursor."""

    COMPONENT_CLASSES = {f"json-view--{role}" for role in _ROLES} | {
        "json-view--cursor",
        "json-view--match",
    }
    DEFAULT_CSS = """
    _Lines {
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
        Binding("enter,space", "toggle", "Fold/unfold"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle":  # only the tree folds; elsewhere Enter is the screen's
            return self.owner._mode_shown() == "tree"
        return True

    cursor: var[int] = var(0, init=False)

    def __init__(self, owner: JsonView) -> None:
        super().__init__(id="json-view-lines")
        self.owner = owner
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(2048)
        self._max_width = 0
        self._styles: dict[str, Style] = {}

    # -- state changes from the owner ----------------------------------------------

    def reset(self) -> None:
        """Forget drawn lines (new body, mode, folds or search)."""
        self._cache.clear()
        self._styles.clear()
        self.update_size()
        self.refresh()

    def update_size(self) -> None:
        count = self.owner._row_count()
        width = max(self._max_width, self.scrollable_content_region.width)
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
                if role == "cursor":
                    style = Style(bgcolor=full.bgcolor)
                elif role == "match":
                    style = Style(color=full.color, bgcolor=full.bgcolor)
                else:
                    style = Style(color=full.color, bold=full.bold, italic=full.italic)
            self._styles[role] = style
        return style

    def _row_strip(self, row: int) -> Strip:
        key = (self.owner._generation, row)
        strip = self._cache.get(key)
        if strip is not None:
            return strip
        text = Text(no_wrap=True, end="", style=self.rich_style)
        for piece, role in self.owner._row_tokens(row):
            text.append(piece, self._style(role))
        pattern = self.owner._highlight
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
        if row >= self.owner._row_count():
            return Strip.blank(width, base)
        strip = self._row_strip(row).crop_extend(scroll_x, scroll_x + width, base)
        if row == self.cursor:
            cursor = self._style("cursor")
            strip = Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
        return strip.apply_offsets(scroll_x, row)

    # -- cursor --------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_lines(old - int(self.scroll_y))
        self.refresh_lines(new - int(self.scroll_y))
        self.scroll_to_cursor()
        self.owner._cursor_moved()

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        if 0 <= y_start < self.size.height:
            super().refresh_lines(y_start, line_count)

    def scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def move_to(self, row: int, center: bool = False) -> None:
        count = self.owner._row_count()
        row = max(0, min(row, count - 1))
        if center:
            height = max(1, self.scrollable_content_region.height)
            self.scroll_to(y=max(0, row - height // 3), animate=False, immediate=True)
        if row == self.cursor:
            self.scroll_to_cursor()
            self.owner._cursor_moved()
        else:
            self.cursor = row

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=max(0, self.scroll_y + direction * height), animate=False, immediate=True)
        self.move_to(self.cursor + direction * height)

    def action_edge(self, end: int) -> None:
        self.move_to(self.owner._row_count() - 1 if end else 0)

    def action_left(self) -> None:
        if self.owner._mode_shown() == "tree":
            self.owner._tree_left()
        else:
            self.scroll_to(x=max(0, self.scroll_x - 8), animate=False)

    def action_right(self) -> None:
        if self.owner._mode_shown() == "tree":
            self.owner._tree_right()
        else:
            self.scroll_to(x=self.scroll_x + 8, animate=False)

    def action_toggle(self) -> None:
        if self.owner._mode_shown() == "tree":
            self.owner._tree_toggle(self.cursor)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + int(self.scroll_y)
        if row >= self.owner._row_count():
            return
        self.move_to(row)
        if self.owner._mode_shown() == "tree":
            start, end = self.owner._arrow_span(row)
            on_arrow = start <= offset.x + int(self.scroll_x) < end
            if (event.chain == 1 and on_arrow) or (event.chain == 2 and not on_arrow):
                self.owner._tree_toggle(row)


class JsonView(Vertical, can_focus=False):
    """The body viewer. See the module docstring for the public API and keys."""

    DEFAULT_CSS = """
    JsonView {
        height: 1fr;
        & > #json-view-note { color: $warning; padding: 0 1; height: auto; }
        & > #json-view-search { dock: bottom; display: none; }
        & > #json-view-search.-active { display: block; }
        & > #json-view-status { dock: bottom; height: 1; color: $foreground-muted; padding: 0 1; }
    }
    """
    BINDINGS = [
        Binding("slash", "open_search", "Search"),
        Binding("n", "next_match", "Next match"),
        Binding("N", "prev_match", "Prev match"),
        Binding("m", "cycle_mode", "View: pretty/tree/raw"),
        Binding("Y", "copy_value", "Copy value"),
        Binding("p", "copy_path", "Copy path"),
        Binding("ctrl+y", "copy_body", "Copy body", show=False),
        Binding("E", "expand_all", "Expand all"),
        Binding("C", "collapse_all", "Collapse all"),
        Binding("escape", "close_search", "Close search", show=False),
    ]

    mode: var[str] = var("pretty", init=False)
    """The view the user asked for: "pretty", "tree" or "raw" (a non-JSON body is raw)."""

    class CopyRequested(Message):
        """The user asked to copy `text`; `what` is "value", "path" or "body"."""

        def __init__(self, text: str, what: str) -> None:
            super().__init__()
            self.text = text
            self.what = what

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._data = b""
        self._doc: JsonDocument | None = None
        self._raw: RawRows | None = None
        self._note = "Empty body."
        self._generation = 0
        self._needle = ""
        self._highlight: re.Pattern[str] | None = None
        self._hit: int | None = None
        self._hit_total: int | None = None
        self._search_note = ""
        self._tree_rows = array("i")
        self._toggled = bytearray()
        self._fold_depth = 2  # containers this deep or deeper start folded
        self._pending_path = ""
        self._raw_anchor: tuple[int, int] | None = None  # (raw row, exact offset) last jumped to
        self._lines = _Lines(self)
        self._note_bar = Static(id="json-view-note")
        self._search_box = Input(
            placeholder="search the body (Enter: find, Esc: close)", id="json-view-search"
        )
        self._status_bar = Static(id="json-view-status")

    def compose(self) -> ComposeResult:
        yield self._note_bar
        yield self._lines
        yield self._search_box
        yield self._status_bar

    def on_mount(self) -> None:
        self._show_note()
        self._update_status()

    def focus(self, scroll_visible: bool = True) -> JsonView:
        self._lines.focus(scroll_visible)
        return self

    # -- public API ------------------------------------------------------------------

    @property
    def is_json(self) -> bool:
        return self._doc is not None and self._doc.error is None

    @property
    def note(self) -> str:
        return self._note

    def load(self, body: bytes, content_type: str = "") -> None:
        """Show `body`. Fast at any size: the rest of a big body is indexed by a worker."""
        self.workers.cancel_group(self, "json-view-index")
        self._data = bytes(body)
        self._raw = None
        self._raw_anchor = None
        self._doc = None
        self._hit = None
        self._hit_total = None
        self._search_note = ""
        self._tree_rows = array("i")
        self._toggled = bytearray()
        self._fold_depth = 2
        self._pending_path = ""
        try_json, self._note = classify(self._data, content_type)
        if try_json:
            doc = JsonDocument(self._data)
            self._doc = doc
            doc.index_step(FIRST_LINES)  # enough for a screen; a worker does the rest
            if doc.error:
                self._json_failed()
            elif doc.done:
                self._index_finished()
            else:  # start after the first frame is drawn, so the first screen is not kept waiting
                self.call_after_refresh(self._start_indexing, doc)
        self._ensure_raw()
        self._changed(cursor=0)

    def _start_indexing(self, doc: JsonDocument) -> None:
        if doc is self._doc:
            # Not exclusive: the raw view may be wrapping in the same group. load() cancels
            # the group; a worker whose body was replaced stops at its next step.
            self.run_worker(self._index_rest(doc), group="json-view-index")

    def search(self, text: str) -> bool:
        """Find `text` (smart case) from the cursor on; True if found. Empty text clears."""
        self._needle = text
        self._highlight = (
            re.compile(re.escape(visible(text)), re.I | re.ASCII if folds_case(text) else 0)
            if text
            else None
        )
        self._hit = None
        self._hit_total = None
        self._generation += 1
        self._lines.reset()
        if not text:
            self._search_note = ""
            self._update_status()
            return False
        return self._goto_hit(self._cursor_offset(), backward=False)

    def next_match(self) -> bool:
        """Go to the next match (wrapping); False when there is none."""
        if not self._needle:
            return False
        start = self._cursor_offset() if self._hit is None else self._hit + 1
        return self._goto_hit(start, backward=False)

    def prev_match(self) -> bool:
        """Go to the previous match (wrapping); False when there is none."""
        if not self._needle:
            return False
        start = self._cursor_offset() if self._hit is None else self._hit
        return self._goto_hit(start, backward=True)

    def goto_path(self, path: str) -> bool:
        """Move the cursor to the value at `path` (e.g. `.results[3].key`); False if absent."""
        doc = self._doc
        if doc is None or doc.error or not path:
            return False
        if not doc.done:
            self._pending_path = path
            return False
        line = doc.find_path(parse_path(path))
        if line is None:
            return False
        self._goto_line(line)
        return True

    def selected_path(self) -> str:
        line = self._cursor_line()
        return "" if line is None else self._doc.path(line)  # type: ignore[union-attr]

    def selected_value_text(self) -> str:
        """The cursor's JSON value; in the raw view (or for a non-JSON body) its row's text."""
        line = self._cursor_line()
        if line is not None:
            try:
                return self._doc.value_text(line)  # type: ignore[union-attr]
            except ValueError:  # a container whose end is not indexed yet
                return ""
        raw = self._raw
        if raw is not None and len(raw):
            start, end = raw.span(min(self._lines.cursor, len(raw) - 1))
            return self._data[start:end].decode("utf-8", "backslashreplace")
        return ""

    def body_text(self) -> str:
        return self._data.decode("utf-8", "backslashreplace")

    def commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback) for the command palette (an app's get_system_commands)."""
        return [
            ("Body: search", "Search the response body (/)", self.action_open_search),
            ("Body: next match", "Go to the next search match (n)", self.next_match),
            ("Body: previous match", "Go to the previous search match (N)", self.prev_match),
            ("Body: switch view", "Pretty, tree or raw body (m)", self.action_cycle_mode),
            ("Body: copy value", "Copy the value under the cursor (Y)", self.action_copy_value),
            (
                "Body: copy path",
                "Copy the path of the value, e.g. .results[3].key (p)",
                self.action_copy_path,
            ),
            ("Body: expand all", "Unfold every node of the tree view (E)", self.action_expand_all),
            (
                "Body: collapse all",
                "Fold every node of the tree view (C)",
                self.action_collapse_all,
            ),
        ]

    # -- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False lets the key fall through to the screen (e.g. escape clears its filter).
        if action == "close_search":
            return self._search_box.has_class("-active")
        if action in ("expand_all", "collapse_all"):
            return self._mode_shown() == "tree"
        if action == "copy_path":
            return self.is_json
        return True

    def action_open_search(self) -> None:
        box = self._search_box
        box.add_class("-active")
        box.value = self._needle
        box.focus()

    def action_close_search(self) -> None:
        box = self._search_box
        if box.has_class("-active"):
            box.remove_class("-active")
            self._lines.focus()

    @on(Input.Submitted, "#json-view-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_close_search()
        self.search(event.value)

    def action_next_match(self) -> None:
        self.next_match()

    def action_prev_match(self) -> None:
        self.prev_match()

    def action_cycle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]

    def action_copy_value(self) -> None:
        text = self.selected_value_text()
        if not text and self._doc is not None and not self._doc.done:
            self.notify("Still indexing this body: try again in a moment.", severity="warning")
            return
        self.post_message(self.CopyRequested(text, "value"))

    def action_copy_path(self) -> None:
        path = self.selected_path()
        if path:
            self.post_message(self.CopyRequested(path, "path"))
        else:
            self.notify("No JSON path here (not a JSON view).", severity="warning")

    def action_copy_body(self) -> None:
        self.post_message(self.CopyRequested(self.body_text(), "body"))

    def action_expand_all(self) -> None:
        self._fold_all(10**9)

    def action_collapse_all(self) -> None:
        self._fold_all(1)

    # -- modes and rows --------------------------------------------------------------

    def _mode_shown(self, mode: str | None = None) -> str:
        """The view actually on screen when the user asked for `mode` (default: `self.mode`)."""
        doc = self._doc
        mode = mode or self.mode
        if doc is None or doc.error:
            return "raw"
        if mode == "tree" and not doc.done:
            return "pretty"  # the tree needs the whole index; until then show it pretty
        return mode

    def watch_mode(self, old: str, new: str) -> None:
        if new not in MODES:
            self.mode = old
            return
        old_shown = self._mode_shown(old)
        line = self._cursor_line_in(old_shown)
        offset = self._cursor_offset_in(old_shown)
        self._ensure_raw()
        self._changed()
        shown = self._mode_shown()
        if line is not None and shown != "raw":
            self._goto_line(line)
        elif shown == "raw":
            self._raw_goto(offset)

    def _raw_goto(self, offset: int) -> None:
        """Put the raw view's cursor on the row holding byte `offset`, and remember it."""
        if self._raw is None:
            return
        row = self._raw.row_at(offset)
        self._raw_anchor = (row, offset)
        self._lines.move_to(row, center=True)

    def _row_count(self) -> int:
        shown = self._mode_shown()
        if shown == "raw":
            return len(self._raw) if self._raw is not None else 0
        if shown == "tree":
            return len(self._tree_rows)
        return len(self._doc) if self._doc is not None else 0

    def _row_tokens(self, row: int) -> list[tuple[str, str]]:
        shown = self._mode_shown()
        if shown == "raw":
            assert self._raw is not None
            return [(self._raw.row_text(row), "plain")]
        assert self._doc is not None
        if shown == "tree":
            line = self._tree_rows[row]
            return self._doc.tree_tokens(line, self._is_folded(line))
        return self._doc.pretty_tokens(row)

    def _cursor_line_in(self, shown: str) -> int | None:
        """The document line under the cursor while `shown` is on screen."""
        doc = self._doc
        if doc is None or doc.error or not len(doc):
            return None
        row = self._lines.cursor
        if shown == "raw":
            return doc.line_at(self._cursor_offset_in("raw"))
        if shown == "tree":
            return self._tree_rows[row] if row < len(self._tree_rows) else None
        return min(row, len(doc) - 1)

    def _cursor_line(self) -> int | None:
        return self._cursor_line_in(self._mode_shown())

    def _cursor_offset_in(self, shown: str) -> int:
        """The body offset under the cursor while `shown` is on screen."""
        row = self._lines.cursor
        if shown == "raw":
            raw = self._raw
            if raw is None or not len(raw):
                return 0
            anchor = self._raw_anchor
            return (
                anchor[1]
                if anchor is not None and anchor[0] == row
                else raw.rows[min(row, len(raw) - 1)]
            )
        line = self._cursor_line_in(shown)
        return 0 if line is None else self._doc.start[line]  # type: ignore[union-attr]

    def _cursor_offset(self) -> int:
        return self._cursor_offset_in(self._mode_shown())

    def _changed(self, cursor: int | None = None) -> None:
        self._generation += 1
        if cursor is not None:
            self._lines.set_reactive(_Lines.cursor, cursor)
            self._lines.scroll_to(0, 0, animate=False, immediate=True)
        self._lines._max_width = 0
        self._lines.reset()
        self._show_note()
        self._update_status()
        if self.is_mounted:
            self.refresh_bindings()  # which keys apply depends on the view and the body
            self._lines.refresh_bindings()

    def _json_failed(self) -> None:
        assert self._doc is not None and self._doc.error
        self._note = f"Not valid JSON: {self._doc.error} Showing the raw body."

    def _ensure_raw(self) -> None:
        if self._mode_shown() != "raw" or self._raw is not None:
            return
        width = max(20, self._lines.scrollable_content_region.width or 80)
        self._raw = RawRows(self._data, width)
        deadline = time.perf_counter() + FIRST_SCREEN_SECONDS
        while not self._raw.index_step(2_000) and time.perf_counter() < deadline:
            pass
        self._lines.update_size()
        if not self._raw.done:
            self.run_worker(self._index_raw(self._raw), group="json-view-index")

    async def _index_rest(self, doc: JsonDocument) -> None:
        shown_at = time.perf_counter()
        while True:
            deadline = time.perf_counter() + STEP_SECONDS
            finished = False
            while not finished and time.perf_counter() < deadline:
                finished = doc.index_step(1_000)
            if doc is not self._doc:
                return
            if finished:
                break
            if time.perf_counter() - shown_at > PROGRESS_SECONDS:  # a repaint costs a step
                shown_at = time.perf_counter()
                self._lines.update_size()
                self._update_status()
            await asyncio.sleep(0.001)  # a timer, so waiting input and timers run first
        if doc.error:
            cursor_line = self._cursor_line_in("pretty")
            self._json_failed()
            self._ensure_raw()
            self._changed()
            if cursor_line is not None:
                self._raw_goto(doc.start[cursor_line])
        else:
            line = self._cursor_line_in("pretty")  # shown pretty while indexing
            self._index_finished()
            self._changed()
            if self._pending_path:
                self.goto_path(self._pending_path)
            elif line is not None and self._mode_shown() == "tree":
                self._goto_line(line)

    async def _index_raw(self, raw: RawRows) -> None:
        shown_at = time.perf_counter()
        while not raw.done:
            deadline = time.perf_counter() + STEP_SECONDS
            while not raw.done and time.perf_counter() < deadline:
                raw.index_step(5_000)
            if raw is not self._raw:
                return
            if time.perf_counter() - shown_at > PROGRESS_SECONDS:
                shown_at = time.perf_counter()
                self._lines.update_size()
                self._update_status()
            await asyncio.sleep(0.001)  # a timer, so waiting input and timers run first
        self._lines.update_size()
        self._update_status()

    def on_resize(self) -> None:
        self.call_after_refresh(self._rewrap)  # after layout, when the lines know their width

    def _rewrap(self) -> None:
        self._lines.update_size()
        raw = self._raw
        if raw is not None and self._mode_shown() == "raw":
            width = max(20, self._lines.scrollable_content_region.width)
            if width != raw.width:
                offset = self._cursor_offset()
                self._raw = None
                self._ensure_raw()
                self._changed()
                self._raw_goto(offset)

    # -- tree ------------------------------------------------------------------------

    def _index_finished(self) -> None:
        doc = self._doc
        if doc is None or doc.error:
            return
        self._toggled = bytearray(len(doc))
        self._tree_rows = self._walk(0, len(doc))

    def _is_folded(self, line: int) -> bool:
        doc = self._doc
        assert doc is not None
        return (doc.depth[line] >= self._fold_depth) != bool(self._toggled[line])

    def _walk(self, lo: int, hi: int) -> array:
        """Tree rows (document lines) between lines lo and hi, skipping folded subtrees."""
        doc = self._doc
        assert doc is not None
        kind, depth, match, toggled = doc.kind, doc.depth, doc.match, self._toggled
        fold_depth = self._fold_depth
        rows = array("i")
        append = rows.append
        i = lo
        while i < hi:
            k = kind[i]
            if k == CLOSE:
                i += 1
                continue
            append(i)
            if k in OPENS and (depth[i] >= fold_depth) != bool(toggled[i]):
                i = match[i] + 1
            else:
                i += 1
        return rows

    def _tree_toggle(self, row: int, fold: bool | None = None) -> None:
        doc = self._doc
        if doc is None or row >= len(self._tree_rows):
            return
        line = self._tree_rows[row]
        if doc.kind[line] not in OPENS:
            return
        folded = self._is_folded(line)
        if fold is not None and fold == folded:
            return
        self._toggled[line] ^= 1
        rows = self._tree_rows
        if folded:  # unfold: insert the subtree's visible rows
            rows[row + 1 : row + 1] = self._walk(line + 1, doc.match[line])
        else:
            end = bisect_right(rows, doc.match[line], row + 1)
            del rows[row + 1 : end]
        self._generation += 1
        self._lines.reset()
        self._update_status()

    def _arrow_span(self, row: int) -> tuple[int, int]:
        """Columns of the fold arrow on tree row `row` ((0, 0) when it has none)."""
        if self._doc is None or row >= len(self._tree_rows):
            return 0, 0
        line = self._tree_rows[row]
        x = 0
        for text, role in self._doc.tree_tokens(line, self._is_folded(line)):
            if role == "arrow":
                return x, x + len(text)
            x += len(text)
        return 0, 0

    def _tree_left(self) -> None:
        doc = self._doc
        row = self._lines.cursor
        if doc is None or row >= len(self._tree_rows):
            return
        line = self._tree_rows[row]
        if doc.kind[line] in OPENS and not self._is_folded(line):
            self._tree_toggle(row, fold=True)
        elif doc.parent[line] >= 0:
            self._lines.move_to(bisect_left(self._tree_rows, doc.parent[line]))

    def _tree_right(self) -> None:
        doc = self._doc
        row = self._lines.cursor
        if doc is None or row >= len(self._tree_rows):
            return
        line = self._tree_rows[row]
        if doc.kind[line] in OPENS:
            if self._is_folded(line):
                self._tree_toggle(row, fold=False)
            elif doc.child_count(line) > 0:
                self._lines.move_to(row + 1)

    def _fold_all(self, depth: int) -> None:
        if self._mode_shown() != "tree" or self._doc is None:
            return
        line = self._cursor_line()
        self._fold_depth = depth
        self._toggled = bytearray(len(self._doc))
        self._tree_rows = self._walk(0, len(self._doc))
        self._changed()
        if line is not None:  # stay on the line, or on the nearest ancestor still shown
            rows, doc = self._tree_rows, self._doc
            line = doc.opener(line)
            while True:
                row = bisect_left(rows, line)
                if (row < len(rows) and rows[row] == line) or doc.parent[line] < 0:
                    break
                line = doc.parent[line]
            self._lines.move_to(row, center=True)

    def _goto_line(self, line: int) -> None:
        """Put the cursor on document line `line` in the current view (unfolding to it)."""
        doc = self._doc
        assert doc is not None
        shown = self._mode_shown()
        if shown == "raw":
            self._raw_goto(doc.start[line])
            return
        if shown == "pretty":
            self._lines.move_to(line, center=True)
            return
        line = doc.opener(line)
        unfolded = False
        p = doc.parent[line]
        while p >= 0:
            if self._is_folded(p):
                self._toggled[p] ^= 1
                unfolded = True
            p = doc.parent[p]
        if unfolded:
            self._tree_rows = self._walk(0, len(doc))
            self._generation += 1
            self._lines.reset()
        self._lines.move_to(bisect_left(self._tree_rows, line), center=True)

    # -- search ----------------------------------------------------------------------

    def _goto_hit(self, start: int, backward: bool) -> bool:
        hit = find_bytes(self._data, self._needle, start, backward)
        shown_needle = visible(self._needle)
        if hit is None:
            self._search_note = f"no match for {shown_needle!r}"
            self._update_status()
            self.notify(f"No match for {shown_needle!r}.", severity="warning", timeout=3)
            return False
        doc = self._doc
        if (
            self._mode_shown() != "raw"
            and doc is not None
            and not doc.done
            and hit >= doc.start[len(doc) - 1]
        ):
            self._search_note = "match beyond the indexed part: try again when indexing finishes"
            self._update_status()
            return False
        wrapped = (hit < start) if not backward else (hit >= start)
        self._hit = hit
        if self._hit_total is None:
            self._hit_total = count_hits(self._data, self._needle)
        nth = count_hits(self._data, self._needle, 0, hit) + 1
        self._search_note = f"match {nth:,}/{self._hit_total:,}" + (" (wrapped)" if wrapped else "")
        if self._mode_shown() == "raw":
            self._raw_goto(hit)
            row_start = self._raw.span(self._lines.cursor)[0] if self._raw is not None else 0
        else:
            assert doc is not None
            line = doc.line_at(hit)
            self._goto_line(line)
            row_start = doc.start[line]
        self._reveal_column(count_hits(self._data, self._needle, row_start, hit))
        self._update_status()
        return True

    def _reveal_column(self, nth: int) -> None:
        """Scroll sideways so the `nth` highlighted match on the cursor's row is on screen."""
        pattern, lines = self._highlight, self._lines
        row = lines.cursor
        if pattern is None or row >= self._row_count():
            return
        text = "".join(piece for piece, _ in self._row_tokens(row))
        found = list(pattern.finditer(text))
        if not found:
            return  # e.g. the match is in the cut-off part of a very long value
        match = found[min(nth, len(found) - 1)]
        column = cell_len(text[: match.start()])
        width = lines.scrollable_content_region.width
        if column < lines.scroll_x or column + cell_len(match.group()) > lines.scroll_x + width:
            lines._max_width = max(lines._max_width, cell_len(text))
            lines.update_size()
            lines.scroll_to(x=max(0, column - width // 3), animate=False, immediate=True)
        elif lines.scroll_x and column + cell_len(match.group()) <= width:
            lines.scroll_to(x=0, animate=False, immediate=True)  # back to the left edge

    # -- status ----------------------------------------------------------------------

    def _show_note(self) -> None:
        if not self.is_mounted:
            return
        note = self._note_bar
        note.update(Text(self._note))
        note.display = bool(self._note)

    def _cursor_moved(self) -> None:
        self._update_status()

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        shown = self._mode_shown()
        count = self._row_count()
        parts = [shown]
        if count:
            parts.append(f"line {min(self._lines.cursor, count - 1) + 1:,}/{count:,}")
        doc = self._doc
        if doc is not None and not doc.error:
            if not doc.done:
                parts.append(f"indexing… {doc.progress:.0%}")
                if self.mode == "tree":
                    parts.append("tree view when indexing finishes")
            else:
                path = self.selected_path()
                if path:
                    parts.append(visible(path[:200]))
        if shown == "raw" and self._raw is not None and not self._raw.done:
            parts.append("wrapping…")
        if self._search_note:
            parts.append(self._search_note)
        self._status_bar.update(Text("  ·  ".join(parts)))
