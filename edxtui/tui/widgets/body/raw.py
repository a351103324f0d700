"""The raw view's rows: a body's exact bytes wrapped at the view's width (no Textual)."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right

from rich.cells import cell_len

from edxtui.textsafe import steady_width, visible, visible_bytes

_NOT_PLAIN = re.compile(rb"[^\x20-\x7e]")


def _char_at(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """(bytes, cells) of the character at `pos` as `visible_bytes` shows it."""
    lead = data[pos]
    if lead < 0x80:
        return 1, len(visible(chr(lead)))
    size = (
        2 if 0xC0 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF8 else 1
    )
    if size > 1 and pos + size <= end:
        try:
            char = data[pos : pos + size].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return size, cell_len(visible(char))
    return 1, 4  # an invalid byte shows as \xNN


class RawRows:
    """The raw body as rows of at most `width` cells, as `row_text` draws them.

    Lines split at newlines; a longer line wraps. Printable ASCII runs are measured at C
    speed; other characters by what they show as (a wide character takes 2 cells, a
    control character or an invalid byte its escape), so no row is wider than `width`
    and no row splits a character.
    """

    def __init__(self, data: bytes, width: int) -> None:
        self.data = data
        self.width = max(8, width)
        self.rows = array("q" if len(data) >= 1 << 32 else "I")
        self._pos = 0  # where the next row starts
        self._end = -1  # where the line being wrapped ends
        self.done = not data

    def __len__(self) -> int:
        return len(self.rows)

    def index_step(self, max_rows: int = 50_000) -> bool:
        """Add up to `max_rows` rows; True when the whole body is wrapped."""
        data, n, append, row_end = self.data, len(self.data), self.rows.append, self._row_end
        pos, end = self._pos, self._end
        for _ in range(max_rows):
            if pos >= n:
                break
            if pos > end:  # a new line
                nl = data.find(b"\n", pos)
                end = n if nl < 0 else nl
            append(pos)
            stop = row_end(pos, end)
            pos = stop if stop < end else end + 1
        self._pos, self._end = pos, end
        self.done = pos >= n
        return self.done

    def _row_end(self, start: int, end: int) -> int:
        """Where a row that starts at `start` ends: `width` cells on, or at `end`."""
        data, width = self.data, self.width
        cells, pos = 0, start
        while pos < end:
            limit = min(end, pos + width - cells)
            special = _NOT_PLAIN.search(data, pos, limit)
            if special is None:
                return limit
            cells += special.start() - pos
            pos = special.start()
            size, cost = _char_at(data, pos, end)
            if cells + cost > width:
                return pos if pos > start else pos + size
            cells += cost
            pos += size
        return pos

    def index_all(self) -> RawRows:
        while not self.index_step(1 << 30):
            pass
        return self

    def span(self, r: int) -> tuple[int, int]:
        start = self.rows[r]
        end = self.rows[r + 1] if r + 1 < len(self.rows) else len(self.data)
        if end > start and self.data[end - 1] == 0x0A:
            end -= 1
        return start, end

    def row_text(self, r: int) -> str:
        start, end = self.span(r)
        return steady_width(visible_bytes(self.data[start:end], keep_newlines=False))

    def row_at(self, offset: int) -> int:
        return max(0, bisect_right(self.rows, offset) - 1)
