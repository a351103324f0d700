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
indexed once per body (``body.document``); a big body is indexed in steps by a worker
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

import re
import time
from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input, Static

from edxtui.jsonpath import parse_path
from edxtui.textsafe import visible
from edxtui.tui.widgets.body.document import JsonDocument, classify
from edxtui.tui.widgets.body.folds import Folds
from edxtui.tui.widgets.body.lines import BodyLines
from edxtui.tui.widgets.body.raw import RawRows
from edxtui.tui.widgets.body.search import BodySearch
from edxtui.tui.widgets.body.steps import run_in_steps

MODES = ("pretty", "tree", "raw")
#: the body's commands in the command palette: (title, help, action)
PALETTE = (
    ("Search the body", "Find text in the shown body (/ in the body)", "open_search"),
    ("Next match", "Go to the next search match (n)", "next_match"),
    ("Previous match", "Go to the previous search match (N)", "prev_match"),
    ("Switch body view", "Pretty, tree or raw (m in the body)", "cycle_mode"),
    ("Copy selected value", "The JSON value under the body's cursor (Y)", "copy_value"),
    ("Copy value path", "Its path, like .results[3].key (p)", "copy_path"),
    ("Expand all", "Unfold every node of the body's tree view (E)", "expand_all"),
    ("Collapse all", "Fold every node of the body's tree view (C)", "collapse_all"),
)
FIRST_SCREEN_SECONDS = 0.03  # wrap raw rows this long inside load() before using a worker
FIRST_LINES = 3_000  # lines indexed inside load(); more than any screen is tall


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
        self.generation = 0  # bumped whenever a row may look different (see BodyLines)
        self._search = BodySearch()
        self._folds: Folds | None = None  # the tree view's, once the body is indexed
        self._pending_path = ""
        self._raw_anchor: tuple[int, int] | None = None  # (raw row, exact offset) last jumped to
        self._lines = BodyLines(self)
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
        self._search.forget_hits()
        self._folds = None
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
        self._search.start(text)
        self.generation += 1
        self._lines.reset()
        if not text:
            self._update_status()
            return False
        return self._goto_hit(self._cursor_offset(), backward=False)

    def next_match(self) -> bool:
        """Go to the next match (wrapping); False when there is none."""
        if not self._search.needle:
            return False
        return self._goto_hit(self._search.next_start(self._cursor_offset(), False), False)

    def prev_match(self) -> bool:
        """Go to the previous match (wrapping); False when there is none."""
        if not self._search.needle:
            return False
        return self._goto_hit(self._search.next_start(self._cursor_offset(), True), True)

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
        """(title, help, callback) for the command palette; each focuses the body first."""
        return [
            (title, help_text, partial(self._from_palette, action))
            for title, help_text, action in PALETTE
        ]

    def _from_palette(self, action: str) -> None:
        self.focus()
        getattr(self, f"action_{action}")()

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
        box.value = self._search.needle
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

    # -- what BodyLines draws (its RowSource) ----------------------------------------

    @property
    def highlight(self) -> re.Pattern[str] | None:
        return self._search.highlight

    def shown_mode(self) -> str:
        return self._mode_shown()

    def row_count(self) -> int:
        shown = self._mode_shown()
        if shown == "raw":
            return len(self._raw) if self._raw is not None else 0
        if shown == "tree":
            return len(self._folds) if self._folds is not None else 0
        return len(self._doc) if self._doc is not None else 0

    def row_tokens(self, row: int) -> list[tuple[str, str]]:
        shown = self._mode_shown()
        if shown == "raw":
            assert self._raw is not None
            return [(self._raw.row_text(row), "plain")]
        assert self._doc is not None
        if shown == "tree":
            assert self._folds is not None
            line = self._folds.line(row)
            return self._doc.tree_tokens(line, self._folds.is_folded(line))
        return self._doc.pretty_tokens(row)

    def cursor_moved(self) -> None:
        self._update_status()

    def arrow_span(self, row: int) -> tuple[int, int]:
        folds = self._folds
        return folds.arrow_span(row) if folds is not None and row < len(folds) else (0, 0)

    def toggle_fold(self, row: int, fold: bool | None = None) -> None:
        if self._folds is not None and self._folds.toggle(row, fold):
            self._folds_changed()

    def fold_left(self) -> None:
        self._fold_key("left")

    def fold_right(self) -> None:
        self._fold_key("right")

    def _fold_key(self, key: str) -> None:
        folds, row = self._folds, self._lines.cursor
        if folds is None or row >= len(folds):
            return
        changed, to = folds.left(row) if key == "left" else folds.right(row)
        if changed:
            self._folds_changed()
        elif to != row:
            self._lines.move_to(to)

    def _folds_changed(self) -> None:
        self.generation += 1
        self._lines.reset()
        self._update_status()

    def _cursor_line_in(self, shown: str) -> int | None:
        """The document line under the cursor while `shown` is on screen."""
        doc = self._doc
        if doc is None or doc.error or not len(doc):
            return None
        row = self._lines.cursor
        if shown == "raw":
            return doc.line_at(self._cursor_offset_in("raw"))
        if shown == "tree":
            folds = self._folds
            return folds.line(row) if folds is not None and row < len(folds) else None
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
        self.generation += 1
        if cursor is not None:
            self._lines.set_reactive(BodyLines.cursor, cursor)
            self._lines.scroll_to(0, 0, animate=False, immediate=True)
        self._lines.reset(widths=True)
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

    def _progress(self) -> None:
        self._lines.update_size()
        self._update_status()

    async def _index_rest(self, doc: JsonDocument) -> None:
        def wanted() -> bool:
            return doc is self._doc

        if not await run_in_steps(
            lambda: doc.index_step(1_000), wanted=wanted, progress=self._progress
        ):
            return
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
        def wanted() -> bool:
            return raw is self._raw

        if await run_in_steps(
            lambda: raw.index_step(5_000), wanted=wanted, progress=self._progress
        ):
            self._progress()

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
        if doc is not None and not doc.error:
            self._folds = Folds(doc)

    def _fold_all(self, depth: int) -> None:
        folds = self._folds
        if self._mode_shown() != "tree" or folds is None:
            return
        line = self._cursor_line()
        folds.fold_all(depth)
        self._changed()
        if line is not None:  # stay on the line, or on the nearest ancestor still shown
            self._lines.move_to(folds.shown_row(line), center=True)

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
        folds = self._folds
        assert folds is not None
        line = doc.opener(line)
        if folds.unfold_to(line):
            self.generation += 1
            self._lines.reset()
        self._lines.move_to(folds.row_of(line), center=True)

    # -- search ----------------------------------------------------------------------

    def _goto_hit(self, start: int, backward: bool) -> bool:
        search, doc, raw = self._search, self._doc, self._mode_shown() == "raw"
        unindexed = doc is not None and not raw and not doc.done
        indexed = doc.start[len(doc) - 1] if unindexed else None  # type: ignore[union-attr]
        hit = search.find(self._data, start, backward, indexed)
        if hit is None:
            self._update_status()
            if search.not_found:
                self.notify(
                    f"No match for {visible(search.needle)!r}.", severity="warning", timeout=3
                )
            return False
        if raw:
            self._raw_goto(hit)
            row_start = self._raw.span(self._lines.cursor)[0] if self._raw is not None else 0
        else:
            assert doc is not None
            line = doc.line_at(hit)
            self._goto_line(line)
            row_start = doc.start[line]
        self._lines.reveal_match(search.hits_between(self._data, row_start, hit))
        self._update_status()
        return True

    # -- status ----------------------------------------------------------------------

    def _show_note(self) -> None:
        if not self.is_mounted:
            return
        note = self._note_bar
        note.update(Text(self._note))
        note.display = bool(self._note)

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        shown = self._mode_shown()
        count = self.row_count()
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
        if self._search.note:
            parts.append(self._search.note)
        self._status_bar.update(Text("  ·  ".join(parts)))
