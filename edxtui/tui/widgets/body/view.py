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

The public API (``load``, ``mode``, ``search``, ``goto_path``, ``selected_path``, the
``CopyRequested`` message, ``commands`` for the palette, ...) and the keys are listed in
docs/json-view.md ("For developers"). The parts: ``document`` (the indexed JSON),
``raw`` (wrapped bytes), ``folds`` (the tree's fold state), ``rows`` (what each view's
rows stand for), ``preview`` (folded rows' previews), ``search``, ``query`` (jq-style path
queries), ``wrap`` (the wrap toggle's layout), ``status`` (the status line), ``lines``
(the drawing ScrollView), ``steps``; and two parts of this class in their own modules,
``finder`` (search and path query) and ``workers`` (indexing, wrapping, measuring).
"""

from __future__ import annotations

import re
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
from edxtui.tui.widgets.body.document import JsonDocument
from edxtui.tui.widgets.body.finder import FinderMixin
from edxtui.tui.widgets.body.lines import BodyLines
from edxtui.tui.widgets.body.query import BodyQuery
from edxtui.tui.widgets.body.raw import RawRows
from edxtui.tui.widgets.body.rows import BodyRows
from edxtui.tui.widgets.body.search import BodySearch
from edxtui.tui.widgets.body.status import status_line
from edxtui.tui.widgets.body.workers import FIRST_LINES, BackgroundMixin
from edxtui.tui.widgets.body.wrap import WrapMap

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
    ("Wrap long lines", "Wrap the body's long lines instead of cutting them (w)", "toggle_wrap"),
    ("Path query", "Highlight the values at a jq path such as .results[].key (.)", "open_query"),
    ("Copy query matches", "The path query's matches as JSON lines (P)", "copy_matches"),
)


class JsonView(FinderMixin, BackgroundMixin, Vertical, can_focus=False):
    """The body viewer. See the module docstring for the public API and keys."""

    DEFAULT_CSS = """
    JsonView {
        height: 1fr;
        & > #json-view-note { color: $warning; padding: 0 1; height: auto; }
        & > #json-view-search { dock: bottom; display: none; }
        & > #json-view-search.-active { display: block; }
        & > #json-view-query { dock: bottom; display: none; }
        & > #json-view-query.-active { display: block; }
        & > #json-view-status { dock: bottom; height: 1; color: $foreground-muted; padding: 0 1; }
    }
    """
    BINDINGS = [
        Binding("slash", "open_search", "Search"),
        Binding("n", "next_match", "Next match", show=False),  # the footer is full: see help
        Binding("N", "prev_match", "Prev match", show=False),
        Binding("m", "cycle_mode", "View: pretty/tree/raw"),
        Binding("Y", "copy_value", "Copy value"),
        Binding("p", "copy_path", "Copy path"),
        Binding("ctrl+y", "copy_body", "Copy body", show=False),
        Binding("E", "expand_all", "Expand all"),
        Binding("C", "collapse_all", "Collapse all"),
        Binding("escape", "close_search", "Close search", show=False),
        Binding("w", "toggle_wrap", "Wrap"),
        Binding("full_stop", "open_query", "Path query", key_display="."),
        Binding("P", "copy_matches", "Copy matches", show=False),
    ]

    mode: var[str] = var("pretty", init=False)
    """The view the user asked for: "pretty", "tree" or "raw" (a non-JSON body is raw)."""
    wrap: var[bool] = var(False, init=False)
    """Whether long rows wrap onto the lines below (pretty and tree views) or are cut."""

    class CopyRequested(Message):
        """The user asked to copy `text`; `what` is "value", "path", "body" or "matches"
        (the path query's matches, as JSON lines)."""

        def __init__(self, text: str, what: str) -> None:
            super().__init__()
            self.text = text
            self.what = what

    class SearchNoted(Message):
        """The search's note changed ("match 3/17", "" when none): the status line at the
        bottom can be under a toast, so the host may show it somewhere else too."""

        def __init__(self, note: str) -> None:
            super().__init__()
            self.note = note

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows = BodyRows()
        self._noted = ""  # the search note last posted (SearchNoted)
        self.generation = 0  # bumped whenever a row may look different (see BodyLines)
        self._search = BodySearch()
        self._query = BodyQuery()
        self._stepping = "search"  # what n / N step through: "search" or "query"
        self._wrap_map: WrapMap | None = None
        self._wrap_key: tuple[object, ...] = ()
        self._layout = 0  # bumped when the rows change (body, view, folds): see wrap_map
        self._drawn_width = 0  # the width folded rows' previews were cut to
        self._pending_path = ""  # goto_path() asked before the body was indexed
        self._lines = BodyLines(self)
        self._note_bar = Static(id="json-view-note")
        # the search and query boxes are mounted when first opened (finder.py)
        self._search_box: Input | None = None
        self._query_box: Input | None = None
        self._status_bar = Static(id="json-view-status")

    def compose(self) -> ComposeResult:
        yield self._note_bar
        yield self._lines
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
        return self._rows.is_json

    @property
    def note(self) -> str:
        return self._rows.note

    def load(self, body: bytes, content_type: str = "") -> None:
        """Show `body`. Fast at any size: the rest of a big body is indexed by a worker."""
        self.workers.cancel_group(self, "json-view-index")
        self._rows = rows = BodyRows(body, content_type)
        self._search.forget_hits()
        self._query.clear()
        self._pending_path = ""
        # Enough lines for a screen now; a worker indexes the rest, starting after the first
        # frame is drawn so that the first screen is not kept waiting.
        if rows.doc is not None and not rows.index_step(FIRST_LINES):
            self.call_after_refresh(self._start_indexing, rows.doc)
        self._ensure_raw()
        self._changed(cursor=0)

    @property
    def _doc(self) -> JsonDocument | None:
        return self._rows.doc

    @property
    def _raw(self) -> RawRows | None:
        return self._rows.raw

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
        return self._rows.path(self.shown_mode(), self._lines.cursor)

    def selected_value_text(self) -> str:
        """The cursor's JSON value; in the raw view (or for a non-JSON body) its row's text."""
        return self._rows.value_text(self.shown_mode(), self._lines.cursor)

    def body_text(self) -> str:
        return self._rows.data.decode("utf-8", "backslashreplace")

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
            return self.box_open()
        if action in ("expand_all", "collapse_all"):
            return self.shown_mode() == "tree"
        if action == "copy_path":
            return self.is_json
        return True

    @on(Input.Submitted, "#json-view-search, #json-view-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_close_search()
        if event.input is self._query_box:
            self.run_query(event.value)
        else:
            self.search(event.value)

    def _warn(self, message: str, timeout: float = 3) -> None:
        self.notify(message, severity="warning", timeout=timeout)

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

    def action_copy_matches(self) -> None:
        text = self.query_matches_json_lines()
        if text:
            self.post_message(self.CopyRequested(text, "matches"))
        else:
            self._warn("No path query matches to copy: press . to query.")

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap

    def watch_wrap(self) -> None:
        self._layout += 1
        self._wrap_map = None
        self.generation += 1
        self._lines.scroll_to(x=0, animate=False, immediate=True)
        self._lines.reset(widths=True)
        self._lines.scroll_to_cursor()
        self._update_status()
        self.notify("Long lines wrap." if self.wrap else "Long lines are cut.", timeout=2)

    def action_expand_all(self) -> None:
        self._fold_all(10**9)

    def action_collapse_all(self) -> None:
        self._fold_all(1)

    # -- modes and rows --------------------------------------------------------------

    def watch_mode(self, old: str, new: str) -> None:
        if new not in MODES:
            self.mode = old
            return
        old_shown = self.shown_mode(old)
        line = self._cursor_line_in(old_shown)
        offset = self._cursor_offset_in(old_shown)
        self._ensure_raw()
        self._changed()
        shown = self.shown_mode()
        if line is not None and shown != "raw":
            self._goto_line(line)
        elif shown == "raw":
            self._raw_goto(offset)

    def _raw_goto(self, offset: int) -> None:
        """Put the raw view's cursor on the row holding byte `offset`, and remember it."""
        row = self._rows.raw_row_of(offset)
        if row is not None:
            self._lines.move_to(row, center=True)

    # -- what BodyLines draws (its RowSource) ----------------------------------------

    @property
    def highlight(self) -> re.Pattern[str] | None:
        return self._search.highlight

    def shown_mode(self, mode: str | None = None) -> str:
        """The view actually on screen when the user asked for `mode` (default: `self.mode`)."""
        return self._rows.shown(mode or self.mode)

    def row_count(self) -> int:
        return self._rows.count(self.shown_mode())

    def row_tokens(self, row: int) -> list[tuple[str, str]]:
        shown = self.shown_mode()
        width = self._lines.scrollable_content_region.width if shown == "tree" else 0
        return self._rows.tokens(shown, row, width)

    def cursor_moved(self) -> None:
        self._update_status()

    def arrow_span(self, row: int) -> tuple[int, int]:
        folds = self._rows.folds
        return folds.arrow_span(row) if folds is not None and row < len(folds) else (0, 0)

    def toggle_fold(self, row: int, fold: bool | None = None) -> None:
        if self._rows.folds is not None and self._rows.folds.toggle(row, fold):
            self._folds_changed()

    def fold_left(self) -> None:
        self._fold_key("left")

    def fold_right(self) -> None:
        self._fold_key("right")

    def _fold_key(self, key: str) -> None:
        folds, row = self._rows.folds, self._lines.cursor
        if folds is None or row >= len(folds):
            return
        changed, to = folds.left(row) if key == "left" else folds.right(row)
        if changed:
            self._folds_changed()
        elif to != row:
            self._lines.move_to(to)

    def _folds_changed(self) -> None:
        self._layout += 1
        self.generation += 1
        self._lines.reset()
        self._update_status()

    def _cursor_line_in(self, shown: str) -> int | None:
        """The document line under the cursor while `shown` is on screen."""
        return self._rows.line_at(shown, self._lines.cursor)

    def _cursor_line(self) -> int | None:
        return self._cursor_line_in(self.shown_mode())

    def _cursor_offset_in(self, shown: str) -> int:
        """The body offset under the cursor while `shown` is on screen."""
        return self._rows.offset_at(shown, self._lines.cursor)

    def _cursor_offset(self) -> int:
        return self._cursor_offset_in(self.shown_mode())

    def _changed(self, cursor: int | None = None) -> None:
        self._layout += 1
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

    def on_resize(self) -> None:
        self.call_after_refresh(self._rewrap)  # after layout, when the lines know their width

    # -- tree ------------------------------------------------------------------------

    def _fold_all(self, depth: int) -> None:
        folds = self._rows.folds
        if self.shown_mode() != "tree" or folds is None:
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
        shown = self.shown_mode()
        if shown == "raw":
            self._raw_goto(doc.start[line])
            return
        if shown == "pretty":
            self._lines.move_to(line, center=True)
            return
        folds = self._rows.folds
        assert folds is not None
        line = doc.opener(line)
        if folds.unfold_to(line):
            self._layout += 1
            self.generation += 1
            self._lines.reset()
        self._lines.move_to(folds.row_of(line), center=True)

    # -- status ----------------------------------------------------------------------

    def _show_note(self) -> None:
        # Its own bar's attachment, not `is_mounted`: that is still False in on_mount, and
        # a body loaded before then (the inspector loads the view it has just built) would
        # leave an empty note row on screen.
        if not self._note_bar.is_attached:
            return
        note = self._note_bar
        note.update(Text(self._rows.note))
        note.display = bool(self._rows.note)

    def _update_status(self) -> None:
        if self._status_bar.is_attached:
            note = self._query.note if self._stepping == "query" else self._search.note
            line = status_line(self._rows, self.mode, self._lines.cursor, note)
            self._status_bar.update(Text(line))
            if self._search.note != self._noted:
                self._noted = self._search.note
                self.post_message(self.SearchNoted(self._noted))
