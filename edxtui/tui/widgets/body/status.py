"""The body viewer's status line: which view is on screen, where the cursor is, and what
is still going on (indexing, wrapping, a search). Plain text, no Textual: the view shows
it as a plain Text, and a path quoted from the body is made visible here."""

from __future__ import annotations

from edxtui.textsafe import visible
from edxtui.tui.widgets.body.rows import BodyRows

SEPARATOR = "  ·  "
PATH_SHOWN = 200  # characters of the cursor's JSON path shown at most


def status_line(rows: BodyRows, mode: str, cursor: int, search_note: str = "") -> str:
    """The status of `rows` when the user asked for view `mode` and the cursor is on row
    `cursor` of the view on screen (a non-JSON body, or one still indexing, shows another)."""
    shown = rows.shown(mode)
    count = rows.count(shown)
    parts = [shown]
    if search_note:
        # Right after the view's name: the path that follows can fill a wide line, and the
        # right end of the line is where toasts sit.
        parts.append(search_note)
    if count:
        parts.append(f"line {min(cursor, count - 1) + 1:,}/{count:,}")
    doc = rows.doc
    if doc is not None and not doc.error:
        if not doc.done:
            parts.append(f"indexing… {doc.progress:.0%}")
            if mode == "tree":
                parts.append("tree view when indexing finishes")
        else:
            path = rows.path(shown, cursor)
            if path:
                parts.append(visible(path[:PATH_SHOWN]))
    if shown == "raw" and rows.raw is not None and not rows.raw.done:
        parts.append("wrapping…")
    return SEPARATOR.join(parts)
