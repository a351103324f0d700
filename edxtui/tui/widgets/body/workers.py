"""The body viewer's background work: indexing, wrapping and measuring in steps.

`BackgroundMixin` is part of JsonView (view.py), split out to keep one concern a module:
the first screen of a body comes inside `load()`, and the rest of the work runs as
workers (group "json-view-index", cancelled by the next `load()`) in short steps
(body.steps), so keys and painting never wait: indexing the JSON, wrapping the raw view
at the view's width, and measuring the rows' screen lines when long rows wrap (`w`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len

from edxtui.tui.widgets.body.document import JsonDocument
from edxtui.tui.widgets.body.lines import BodyLines
from edxtui.tui.widgets.body.raw import RawRows
from edxtui.tui.widgets.body.rows import BodyRows
from edxtui.tui.widgets.body.steps import run_in_steps
from edxtui.tui.widgets.body.wrap import WrapMap, row_indent

if TYPE_CHECKING:
    from textual.widget import Widget as _Base
else:
    _Base = object

FIRST_SCREEN_SECONDS = 0.03  # wrap raw rows this long inside load() before using a worker
FIRST_LINES = 3_000  # lines indexed (or measured) at once; more than any screen is tall


class BackgroundMixin(_Base):
    """Indexing, wrapping and measuring for JsonView (see the module docstring)."""

    # provided by JsonView
    _rows: BodyRows
    _lines: BodyLines
    _pending_path: str
    _wrap_map: WrapMap | None
    _wrap_key: tuple[object, ...]
    _layout: int
    _drawn_width: int
    generation: int
    wrap: bool

    if TYPE_CHECKING:  # JsonView's; stubs here would shadow them at run time

        @property
        def _doc(self) -> JsonDocument | None: ...
        @property
        def _raw(self) -> RawRows | None: ...
        def shown_mode(self, mode: str | None = None) -> str: ...
        def row_count(self) -> int: ...
        def row_tokens(self, row: int) -> list[tuple[str, str]]: ...
        def goto_path(self, path: str) -> bool: ...
        def _changed(self, cursor: int | None = None) -> None: ...
        def _cursor_line_in(self, shown: str) -> int | None: ...
        def _cursor_offset(self) -> int: ...
        def _goto_line(self, line: int) -> None: ...
        def _raw_goto(self, offset: int) -> None: ...
        def _update_status(self) -> None: ...

    def _start_indexing(self, doc: JsonDocument) -> None:
        if doc is self._doc:
            # Not exclusive: the raw view may be wrapping in the same group. load() cancels
            # the group; a worker whose body was replaced stops at its next step.
            self.run_worker(self._index_rest(doc), group="json-view-index")

    @property
    def wrap_map(self) -> WrapMap | None:
        """The wrapped layout of the rows on screen, once measured (None: not wrapping)."""
        shown = self.shown_mode()
        if not self.wrap or shown == "raw":  # the raw view always wraps, at bytes
            return None
        key = (self._rows, shown, self._layout, self._lines.scrollable_content_region.width)
        current = self._wrap_map
        if current is None or self._wrap_key != key or current.rows != self.row_count():
            current = self._wrap_map = WrapMap(self.row_count(), key[3], self._measure_row)
            self._wrap_key = key
            if not current.measure_step(FIRST_LINES):
                self.call_later(self._start_measuring, current)
        return current if current.done else None

    def _measure_row(self, row: int) -> tuple[int, int]:
        text = "".join(piece for piece, _ in self.row_tokens(row))
        return cell_len(text), row_indent(text)

    def _start_measuring(self, wrap: WrapMap) -> None:
        def wanted() -> bool:
            return wrap is self._wrap_map

        async def measure() -> None:
            step = lambda: wrap.measure_step(500)  # noqa: E731
            if await run_in_steps(step, wanted=wanted, progress=self._progress):
                self._lines.reset()
                self._lines.scroll_to_cursor()

        if wanted():
            self.run_worker(measure(), group="json-view-index")

    def _ensure_raw(self) -> None:
        if self.shown_mode() == "raw" and self._raw is None:
            self._wrap()

    def _wrap(self) -> None:
        """Wrap the raw rows at the view's width: the first screen now, the rest in a worker."""
        width = max(20, self._lines.scrollable_content_region.width or 80)
        done = self._rows.wrap_step(width, FIRST_SCREEN_SECONDS)
        self._lines.update_size()
        if not done and (raw := self._raw) is not None:
            self.run_worker(self._index_raw(raw), group="json-view-index")

    def _progress(self) -> None:
        self._lines.update_size()
        self._update_status()

    async def _index_rest(self, doc: JsonDocument) -> None:
        rows = self._rows

        def wanted() -> bool:
            return rows is self._rows

        if not await run_in_steps(
            lambda: rows.index_step(1_000), wanted=wanted, progress=self._progress
        ):
            return
        if doc.error:  # not JSON after all: the raw view, with the note saying why
            self._ensure_raw()
            self._changed()
            return
        line = self._cursor_line_in("pretty")  # shown pretty while indexing
        self._changed()
        if self._pending_path:
            self.goto_path(self._pending_path)
        elif line is not None and self.shown_mode() == "tree":
            self._goto_line(line)

    async def _index_raw(self, raw: RawRows) -> None:
        def wanted() -> bool:
            return raw is self._raw

        if await run_in_steps(
            lambda: raw.index_step(5_000), wanted=wanted, progress=self._progress
        ):
            self._progress()

    def _rewrap(self) -> None:
        width = self._lines.scrollable_content_region.width
        if width != self._drawn_width and (self.wrap or self.shown_mode() == "tree"):
            self.generation += 1  # previews are cut to the width, wrapped rows wrap at it
            self._lines.reset()
        self._drawn_width = width
        self._lines.update_size()
        raw, width = self._raw, max(20, self._lines.scrollable_content_region.width)
        if raw is not None and self.shown_mode() == "raw" and width != raw.width:
            offset = self._cursor_offset()
            self._wrap()
            self._changed()
            self._raw_goto(offset)
