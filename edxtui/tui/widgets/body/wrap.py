"""The wrap toggle's layout (no Textual): which screen lines each row of a view takes.

With wrapping on (`w`), a row wider than the view continues on the lines below it,
indented to the row's own indentation, instead of being cut at the right edge. `WrapMap`
holds, per row, the first screen line it takes (an `array`, 4 bytes a row), so a screen
line finds its row by bisection. Measuring needs each row's drawn width, so a big view is
measured in steps (`measure_step`), like indexing; until it is done the view stays unwrapped.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable

MIN_TEXT = 8  # a continuation line shows at least this many cells of text


def row_indent(text: str) -> int:
    """The leading blank cells of a row's text (where its continuation lines start)."""
    return len(text) - len(text.lstrip(" "))


def continuation(width: int, indent: int) -> tuple[int, int]:
    """(indent, cells of text) of a continuation line of a row indented `indent` cells."""
    indent = min(indent, max(0, width - MIN_TEXT))
    return indent, max(1, width - indent)


def height(row_width: int, indent: int, width: int) -> int:
    """Screen lines a row `row_width` cells wide takes in a view `width` cells wide."""
    if row_width <= width:
        return 1
    _, text = continuation(width, indent)
    return 1 + -(-(row_width - width) // text)


class WrapMap:
    """The screen lines of `rows` rows at `width` cells; `measure(row)` -> (width, indent)."""

    def __init__(self, rows: int, width: int, measure: Callable[[int], tuple[int, int]]) -> None:
        self.rows = rows
        self.width = max(1, width)
        self._measure = measure
        self.first = array("i", [0])  # first screen line of each measured row, then the total
        self.indents = array("i")

    @property
    def done(self) -> bool:
        return len(self.indents) >= self.rows

    @property
    def total(self) -> int:
        """Screen lines of all measured rows."""
        return self.first[-1]

    def measure_step(self, rows: int) -> bool:
        """Measure up to `rows` more rows; True when every row is measured."""
        first, indents = self.first, self.indents
        end = min(self.rows, len(indents) + rows)
        for row in range(len(indents), end):
            row_width, indent = self._measure(row)
            indents.append(indent)
            first.append(first[-1] + height(row_width, indent, self.width))
        return self.done

    def top(self, row: int) -> int:
        """The first screen line of `row`."""
        return self.first[max(0, min(row, self.rows))]

    def locate(self, line: int) -> tuple[int, int]:
        """(row, part) shown on screen line `line`: part 0 is the row's first line."""
        row = max(0, min(bisect_right(self.first, line) - 1, self.rows - 1))
        return row, line - self.first[row]

    def span(self, row: int, part: int) -> tuple[int, int, int]:
        """(blank cells, first cell, last cell + 1) of the row's text on its line `part`."""
        if part == 0:
            return 0, 0, self.width
        indent, text = continuation(self.width, self.indents[row])
        start = self.width + (part - 1) * text
        return indent, start, start + text
