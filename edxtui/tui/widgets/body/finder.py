"""The body viewer's two ways of finding: the text search and the jq-style path query.

`FinderMixin` is part of JsonView (view.py), split out to keep one concern a module: the
search (`/`, smart case over the bytes: body.search) and the path query (`.`, such as
`.results[].key`: body.query), their input boxes, and `n` / `N`, which step through the
matches of whichever of the two was used last. It uses the view's cursor and rows
through the few attributes declared below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input

from edxtui.textsafe import visible
from edxtui.tui.widgets.body.lines import BodyLines
from edxtui.tui.widgets.body.query import BodyQuery
from edxtui.tui.widgets.body.rows import BodyRows
from edxtui.tui.widgets.body.search import BodySearch

if TYPE_CHECKING:
    from textual.widget import AwaitMount, Widget
    from textual.widgets import Static


class FinderMixin:
    """Search and path query for JsonView (see the module docstring)."""

    # provided by JsonView
    _rows: BodyRows
    _search: BodySearch
    _query: BodyQuery
    _search_box: Input | None  # each mounted the first time it opens (see _box)
    _query_box: Input | None
    _lines: BodyLines
    _status_bar: Static
    _stepping: str  # "search" or "query": what n / N step through
    generation: int

    if TYPE_CHECKING:  # JsonView's; stubs here would shadow them at run time

        def shown_mode(self, mode: str | None = None) -> str: ...
        def _cursor_offset(self) -> int: ...
        def _cursor_line(self) -> int | None: ...
        def _goto_line(self, line: int) -> None: ...
        def _raw_goto(self, offset: int) -> None: ...
        def _update_status(self) -> None: ...
        def _warn(self, message: str, timeout: float = 3) -> None: ...
        def mount(
            self,
            *widgets: Widget,
            before: int | str | Widget | None = None,
            after: int | str | Widget | None = None,
        ) -> AwaitMount: ...

    # -- the text search -------------------------------------------------------------

    def search(self, text: str) -> bool:
        """Find `text` (smart case) from the cursor on; True if found. Empty text clears."""
        self._search.start(text)
        self._stepping = "search"
        self.generation += 1
        self._lines.reset()
        if not text:
            self._update_status()
            return False
        return self._goto_hit(self._cursor_offset(), backward=False)

    def next_match(self) -> bool:
        """Go to the next match (wrapping) of the search or the path query; False if none."""
        return self._step(backward=False)

    def prev_match(self) -> bool:
        """Go to the previous match (wrapping); False when there is none."""
        return self._step(backward=True)

    def _step(self, backward: bool) -> bool:
        if self._stepping == "query" and self._query.active:
            return self._step_query(backward)
        if not self._search.needle:
            return False
        return self._goto_hit(self._search.next_start(self._cursor_offset(), backward), backward)

    def _goto_hit(self, start: int, backward: bool) -> bool:
        search, doc, raw = self._search, self._rows.doc, self.shown_mode() == "raw"
        indexed: int | None = None  # while the body is being indexed: how far it got
        if doc is not None and not raw and not doc.done:
            indexed = doc.start[len(doc) - 1]
        hit = search.find(self._rows.data, start, backward, indexed)
        if hit is None:
            self._update_status()
            if search.not_found:
                self._warn(f"No match for {visible(search.needle)!r}.")
            return False
        if raw:
            self._raw_goto(hit)
            rows = self._rows.raw
            row_start = rows.span(self._lines.cursor)[0] if rows is not None else 0
        else:
            assert doc is not None
            line = doc.line_at(hit)
            self._goto_line(line)
            row_start = doc.start[line]
        self._lines.reveal_match(search.hits_between(self._rows.data, row_start, hit))
        self._update_status()
        return True

    def action_open_search(self) -> None:
        self._open_box(self._box("search"), self._search.needle)

    def action_close_search(self) -> None:
        for box in (self._search_box, self._query_box):
            if box is not None and box.has_class("-active"):
                box.remove_class("-active")
                self._lines.focus()

    def box_open(self) -> bool:
        """Whether the search or the query box is open."""
        return any(
            box is not None and box.has_class("-active")
            for box in (self._search_box, self._query_box)
        )

    def _box(self, which: str) -> Input:
        """The search or the query box, mounted the first time it opens: most bodies are
        never searched, and an Input costs the inspector's first paint (docs/performance.md)."""
        if which == "search":
            if self._search_box is None:
                self._search_box = Input(
                    placeholder="search the body (Enter: find, Esc: close)",
                    id="json-view-search",
                )
                self.mount(self._search_box, after=self._lines)
            return self._search_box
        if self._query_box is None:
            self._query_box = Input(
                placeholder="path query such as .results[].key (Enter: find, Esc: close)",
                id="json-view-query",
                select_on_focus=False,  # typing goes after the "." it opens with
            )
            self.mount(self._query_box, before=self._status_bar)
        return self._query_box

    def _open_box(self, box: Input, value: str) -> None:
        self.action_close_search()
        box.add_class("-active")
        box.value = value
        box.cursor_position = len(value)
        box.focus()

    def action_next_match(self) -> None:
        self.next_match()

    def action_prev_match(self) -> None:
        self.prev_match()

    # -- the path query ----------------------------------------------------------------

    def run_query(self, text: str) -> bool:
        """Highlight the values the jq-style path `text` reaches (`.results[].key`) and go
        to the first from the cursor on; False (with a one-line message) if it cannot run
        or reaches nothing. Empty text clears the query."""
        doc = self._rows.doc
        self._stepping = "query"
        if not text.strip():
            self._query.clear()
            self._query_changed()
            return False
        if doc is None or doc.error or not doc.done:
            why = "Still indexing this body" if doc is not None and not doc.error else "Not JSON"
            self._warn(f"{why}: no path query.")
            return False
        error = self._query.run(doc, text)
        if error:
            self._warn(error, timeout=4)
            return False
        self._query_changed()
        line = self._query.first(self._cursor_line() or 0)
        if line is None:
            self._warn(f"No value at {visible(text.strip())}.")
            return False
        self._goto_line(line)
        self._update_status()
        return True

    def query_matches_json_lines(self) -> str:
        """The path query's matches as JSON lines ("" without a query or a match)."""
        doc = self._rows.doc
        if doc is None or not self._query.lines:
            return ""
        return self._query.json_lines(doc)

    def _step_query(self, backward: bool) -> bool:
        line = self._query.step(self._cursor_line() or 0, backward)
        if line is None:
            self._update_status()
            return False
        self._goto_line(line)
        self._update_status()
        return True

    def _query_changed(self) -> None:
        self.generation += 1
        self._lines.reset()
        self._update_status()

    def row_marked(self, row: int) -> bool:
        if not self._query.lines:
            return False
        shown = self.shown_mode()
        line = self._rows.line_at(shown, row) if shown != "raw" else None
        return line is not None and self._query.is_match(line)

    def action_open_query(self) -> None:
        self._open_box(self._box("query"), self._query.text or ".")
