"""The tree view's fold state: which containers are folded, and so which rows show.

No Textual here. A row of the tree view is a document line (``JsonDocument``); closing
brackets never show, and a folded container hides every line up to its close. Containers
at ``depth`` or deeper start folded; a toggle flips one container against that default,
so "expand all" and "collapse all" are a new depth with no toggles. The rows are kept as
a sorted array of lines, so finding a line's row is a bisection and a fold or unfold
splices only that container's rows.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right

from edxtui.tui.widgets.body.document import CLOSE, OPENS, JsonDocument

#: containers this deep or deeper start folded
START_DEPTH = 2


class Folds:
    """Fold state and visible rows over one fully indexed, valid JsonDocument."""

    def __init__(self, doc: JsonDocument, depth: int = START_DEPTH) -> None:
        self.doc = doc
        self.depth = depth
        self._toggled = bytearray(len(doc))
        self.rows = self._walk(0, len(doc))

    def __len__(self) -> int:
        return len(self.rows)

    def line(self, row: int) -> int:
        """The document line shown on `row`."""
        return self.rows[row]

    def is_folded(self, line: int) -> bool:
        return (self.doc.depth[line] >= self.depth) != bool(self._toggled[line])

    def row_of(self, line: int) -> int:
        """The row of `line`, or of the first shown line after it."""
        return bisect_left(self.rows, line)

    def toggle(self, row: int, fold: bool | None = None) -> bool:
        """Fold or unfold the container on `row` (`fold` None: flip it); True if it changed."""
        doc = self.doc
        if row >= len(self.rows):
            return False
        line = self.rows[row]
        if doc.kind[line] not in OPENS:
            return False
        folded = self.is_folded(line)
        if fold is not None and fold == folded:
            return False
        self._toggled[line] ^= 1
        rows = self.rows
        if folded:  # unfold: insert the subtree's visible rows
            rows[row + 1 : row + 1] = self._walk(line + 1, doc.match[line])
        else:
            end = bisect_right(rows, doc.match[line], row + 1)
            del rows[row + 1 : end]
        return True

    def left(self, row: int) -> tuple[bool, int]:
        """The left key on `row`: fold its open container (True, row), or go to the
        parent's row (False, that row); (False, row) when there is neither."""
        line, doc = self.rows[row], self.doc
        if doc.kind[line] in OPENS and not self.is_folded(line):
            return self.toggle(row, fold=True), row
        if doc.parent[line] >= 0:
            return False, self.row_of(doc.parent[line])
        return False, row

    def right(self, row: int) -> tuple[bool, int]:
        """The right key on `row`: unfold its folded container (True, row), or step into
        its first child (False, row + 1); (False, row) when there is neither."""
        line, doc = self.rows[row], self.doc
        if doc.kind[line] not in OPENS:
            return False, row
        if self.is_folded(line):
            return self.toggle(row, fold=False), row
        return False, row + 1 if doc.child_count(line) > 0 else row

    def arrow_span(self, row: int) -> tuple[int, int]:
        """Columns of the fold arrow on `row` ((0, 0) when it has none)."""
        line, x = self.rows[row], 0
        for text, role in self.doc.tree_tokens(line, self.is_folded(line)):
            if role == "arrow":
                return x, x + len(text)
            x += len(text)
        return 0, 0

    def fold_all(self, depth: int) -> None:
        """Fold every container at `depth` or deeper and unfold the rest."""
        self.depth = depth
        self._toggled = bytearray(len(self.doc))
        self.rows = self._walk(0, len(self.doc))

    def unfold_to(self, line: int) -> bool:
        """Unfold every container around `line` so that it shows; True if rows changed."""
        doc = self.doc
        unfolded = False
        p = doc.parent[line]
        while p >= 0:
            if self.is_folded(p):
                self._toggled[p] ^= 1
                unfolded = True
            p = doc.parent[p]
        if unfolded:
            self.rows = self._walk(0, len(doc))
        return unfolded

    def shown_row(self, line: int) -> int:
        """The row of `line`, or of its nearest ancestor that shows."""
        doc, rows = self.doc, self.rows
        line = doc.opener(line)
        while True:
            row = bisect_left(rows, line)
            if (row < len(rows) and rows[row] == line) or doc.parent[line] < 0:
                return row
            line = doc.parent[line]

    def _walk(self, lo: int, hi: int) -> array:
        """Rows (document lines) between lines lo and hi, skipping folded subtrees."""
        doc = self.doc
        kind, depth, match, toggled = doc.kind, doc.depth, doc.match, self._toggled
        fold_depth = self.depth
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
