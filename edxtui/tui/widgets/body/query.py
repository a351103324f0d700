"""The body viewer's jq-style path query (no Textual): `.results[].key` over the index.

`edxtui.jsonpath.parse_query` reads the query (one grammar for every path in edxtui);
this walks the body's JsonDocument to the lines it reaches without parsing the body:
`[]` and a key step visit only the direct children of the containers reached so far, so
a query costs what it reaches, not the body's size. `BodyQuery` is one viewer's query:
the matched lines, the one the cursor went to, the status note, and the matches as JSON
lines for copying.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right

from edxtui.jsonpath import Each, QueryPart, parse_query, query_error
from edxtui.textsafe import visible
from edxtui.tui.widgets.body.document import OPEN_ARR, OPEN_OBJ, OPENS, JsonDocument

MAX_MATCHES = 100_000  # a query reaching more stops there (the note says so)


def query_lines(doc: JsonDocument, parts: list[QueryPart], limit: int = MAX_MATCHES) -> list[int]:
    """The document lines (in body order) of the values `parts` reaches, at most `limit`."""
    found = [0] if len(doc) else []
    for part in parts:
        reached: list[int] = []
        for line in found:
            kind = doc.kind[line]
            if kind not in OPENS:
                continue
            if isinstance(part, Each):
                reached.extend(doc.children(line))
            elif isinstance(part, int):
                if kind == OPEN_ARR:
                    reached.extend(c for c in doc.children(line) if doc.index[c] == part)
            elif kind == OPEN_OBJ:
                reached.extend(c for c in doc.children(line) if doc.key(c) == part)
            if len(reached) >= limit:
                break
        found = reached[:limit]
    return found


def compact_json(doc: JsonDocument, line: int) -> str:
    """Line `line`'s value as one line of JSON (jq -c style), for JSON lines."""
    begin, end = doc.value_span(line)
    text = doc.data[begin:end].decode("utf-8", "backslashreplace")
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    except (RecursionError, ValueError):
        # Too deep for the json module: JSON strings hold no raw newline, so joining the
        # lines as received still gives one line of the same JSON.
        return " ".join(text.splitlines())


class BodyQuery:
    """One viewer's path query: its matches and which one the cursor is on."""

    def __init__(self) -> None:
        self.text = ""
        self.lines: list[int] = []
        self.current: int | None = None  # index into `lines` of the match last gone to
        self.capped = False

    @property
    def active(self) -> bool:
        return bool(self.text)

    def clear(self) -> None:
        self.text = ""
        self.lines = []
        self.current = None
        self.capped = False

    def run(self, doc: JsonDocument, text: str) -> str:
        """Run the query `text` over `doc`; "" when it ran, else the one-line reason why not."""
        parts = parse_query(text)
        if parts is None:
            return query_error(text)
        self.text = text.strip()
        self.lines = query_lines(doc, parts, MAX_MATCHES + 1)
        self.capped = len(self.lines) > MAX_MATCHES
        del self.lines[MAX_MATCHES:]
        self.current = None
        return ""

    def is_match(self, line: int) -> bool:
        i = bisect_left(self.lines, line)
        return i < len(self.lines) and self.lines[i] == line

    def step(self, from_line: int, backward: bool) -> int | None:
        """The next (previous) match after (before) `from_line`, wrapping; None if none."""
        lines = self.lines
        if not lines:
            return None
        if self.current is not None and lines[self.current] == from_line:
            i = self.current + (-1 if backward else 1)
        elif backward:
            i = bisect_left(lines, from_line) - 1
        else:
            i = bisect_right(lines, from_line)
        self.current = i % len(lines)
        return lines[self.current]

    def first(self, from_line: int) -> int | None:
        """The first match at or after `from_line` (wrapping), for a query just run."""
        if not self.lines:
            return None
        self.current = bisect_left(self.lines, from_line) % len(self.lines)
        return self.lines[self.current]

    @property
    def note(self) -> str:
        """For the status line: the query and which match the cursor is on."""
        if not self.text:
            return ""
        query = visible(self.text[:60])
        if not self.lines:
            return f"query {query}: no match"
        more = "+" if self.capped else ""
        at = f"{self.current + 1:,}/" if self.current is not None else ""
        return f"query {query}: match {at}{len(self.lines):,}{more}"

    def json_lines(self, doc: JsonDocument) -> str:
        """The matched values as JSON lines (one compact JSON value a line)."""
        return "".join(compact_json(doc, line) + "\n" for line in self.lines)
