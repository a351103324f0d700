"""One body as the rows of each view, and what each row stands for (no Textual).

The body viewer shows one of three views of a body: "pretty" (a row per document line),
"tree" (the rows its Folds show) and "raw" (the bytes wrapped at the view's width). This
model owns the body's bytes, its JsonDocument, Folds and RawRows, and answers, for a
view and a row, what to draw, which document line and which byte offset it stands for,
and what copying it gives. JsonView keeps the cursor, the workers and the widgets.
"""

from __future__ import annotations

import time

from edxtui.tui.widgets.body.document import JsonDocument, classify
from edxtui.tui.widgets.body.folds import Folds
from edxtui.tui.widgets.body.preview import with_preview
from edxtui.tui.widgets.body.raw import RawRows

Token = tuple[str, str]


class BodyRows:
    """The rows of one body; `BodyRows()` is the empty body."""

    def __init__(self, data: bytes = b"", content_type: str = "") -> None:
        self.data = bytes(data)
        self.doc: JsonDocument | None = None
        self.raw: RawRows | None = None  # wrapped on first use of the raw view
        self.folds: Folds | None = None  # once the whole document is indexed
        self.raw_anchor: tuple[int, int] | None = None  # (raw row, exact offset) last jumped to
        try_json, self.note = classify(self.data, content_type)
        if try_json:
            self.doc = JsonDocument(self.data)

    @property
    def is_json(self) -> bool:
        return self.doc is not None and self.doc.error is None

    def index_step(self, lines: int) -> bool:
        """Index up to `lines` more lines of the JSON; True when indexing is over.

        At the end the tree view's Folds exist, or, for a body that is not valid JSON,
        the note says why the raw view shows instead.
        """
        doc = self.doc
        assert doc is not None
        if not doc.index_step(lines):
            return False
        if doc.error:
            self.note = f"Not valid JSON: {doc.error} Showing the raw body."
        else:
            self.folds = Folds(doc)
        return True

    def wrap_step(self, width: int, seconds: float) -> bool:
        """Wrap the raw rows at `width` (again, if it changed) for up to `seconds`; True
        when wrapping is done. Rows wrapped at another width are thrown away."""
        if self.raw is None or self.raw.width != max(8, width):
            self.raw = RawRows(self.data, width)
            self.raw_anchor = None
        deadline = time.perf_counter() + seconds
        while not self.raw.index_step(2_000) and time.perf_counter() < deadline:
            pass
        return self.raw.done

    def shown(self, mode: str) -> str:
        """The view on screen when the user asked for `mode`."""
        doc = self.doc
        if doc is None or doc.error:
            return "raw"
        if mode == "tree" and not doc.done:
            return "pretty"  # the tree needs the whole index; until then show it pretty
        return mode

    def count(self, shown: str) -> int:
        if shown == "raw":
            return len(self.raw) if self.raw is not None else 0
        if shown == "tree":
            return len(self.folds) if self.folds is not None else 0
        return len(self.doc) if self.doc is not None else 0

    def tokens(self, shown: str, row: int, width: int = 0) -> list[Token]:
        """Row `row` of view `shown` as (text, role) pieces, each safe to show; a folded
        tree row previews its content within `width` cells (0: no preview)."""
        if shown == "raw":
            assert self.raw is not None
            return [(self.raw.row_text(row), "plain")]
        assert self.doc is not None
        if shown == "tree":
            assert self.folds is not None
            line = self.folds.line(row)
            folded = self.folds.is_folded(line)
            tokens = self.doc.tree_tokens(line, folded)
            return with_preview(self.doc, line, tokens, width) if folded and width else tokens
        return self.doc.pretty_tokens(row)

    def line_at(self, shown: str, row: int) -> int | None:
        """The document line that row `row` of view `shown` stands for."""
        doc = self.doc
        if doc is None or doc.error or not len(doc):
            return None
        if shown == "raw":
            return doc.line_at(self.offset_at("raw", row))
        if shown == "tree":
            folds = self.folds
            return folds.line(row) if folds is not None and row < len(folds) else None
        return min(row, len(doc) - 1)

    def offset_at(self, shown: str, row: int) -> int:
        """The body offset that row `row` of view `shown` stands for."""
        if shown == "raw":
            raw = self.raw
            if raw is None or not len(raw):
                return 0
            anchor = self.raw_anchor
            if anchor is not None and anchor[0] == row:
                return anchor[1]  # the exact byte last jumped to, not its row's start
            return raw.rows[min(row, len(raw) - 1)]
        line = self.line_at(shown, row)
        return 0 if line is None or self.doc is None else self.doc.start[line]

    def raw_row_of(self, offset: int) -> int | None:
        """The raw row holding byte `offset`, remembered as the exact place jumped to."""
        if self.raw is None:
            return None
        row = self.raw.row_at(offset)
        self.raw_anchor = (row, offset)
        return row

    def path(self, shown: str, row: int) -> str:
        line = self.line_at(shown, row)
        return "" if line is None or self.doc is None else self.doc.path(line)

    def value_text(self, shown: str, row: int) -> str:
        """The JSON value of the row; in the raw view (or a non-JSON body) the row's text."""
        line = self.line_at(shown, row)
        if line is not None and self.doc is not None:
            try:
                return self.doc.value_text(line)
            except ValueError:  # a container whose end is not indexed yet
                return ""
        raw = self.raw
        if raw is not None and len(raw):
            start, end = raw.span(min(row, len(raw) - 1))
            return self.data[start:end].decode("utf-8", "backslashreplace")
        return ""
