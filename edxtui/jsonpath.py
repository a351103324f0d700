"""JSON paths such as `.results[3].key`: one grammar, written once.

The catalog tree records where each node's object sits in its response body, the body
viewer copies the path of the value under its cursor and goes back from a path to its
line; all of them read and write paths here, so a path copied from one works in the other
and in jq. The grammar is jq's:

- `.` alone is the whole body;
- `.key` for a key that is an ASCII identifier (`[A-Za-z_][A-Za-z0-9_]*`);
- `["any key"]` (a JSON string literal) for every other key: dots, spaces, brackets,
  quotes, non-ASCII letters, the empty key; unsafe characters written as `\\uXXXX`
  (edxtui.textsafe.json_quote), so a path is always safe to show;
- `[3]` for an array index.

A *query* (`parse_query`) is a path that may also hold jq's iteration `[]` (every item of
an array, every value of an object), and may write a bracket step after a dot (`.[]`,
`.[0]`, `.results.[]`), as jq allows: `.results[].key` is every result's key.
`query_values` evaluates one on parsed JSON (the body viewer walks its own index).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from edxtui.textsafe import json_quote

Part = str | int


class Each:
    """jq's `[]` in a query: every item of an array, every value of an object."""

    def __repr__(self) -> str:
        return "EACH"


EACH = Each()
QueryPart = str | int | Each

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')
#: a query's steps: a path's, or `[]`, each bracket step optionally after a dot
_QUERY_STEP = re.compile(
    r'\.([A-Za-z_][A-Za-z0-9_]*)|\.?\[(\d+)\]|\.?\[("(?:[^"\\]|\\.)*")\]|\.?\[\s*(\])'
)


def key_step(key: str) -> str:
    """The step into an object's `key`: `.key`, or `["odd key"]`."""
    return f".{key}" if IDENTIFIER.match(key) else f"[{json_quote(key)}]"


def index_step(index: int) -> str:
    """The step into an array's item `index`: `[3]`."""
    return f"[{index}]"


def format_path(parts: Iterable[Part]) -> str:
    """["results", 3, "a b"] -> `.results[3]["a b"]`; no parts -> `.`."""
    path = "".join(index_step(p) if isinstance(p, int) else key_step(p) for p in parts)
    return path or "."


def parse_path(path: str) -> list[Part] | None:
    """`.results[3]["a b"]` -> ["results", 3, "a b"]; None if it is not such a path."""
    parts = _parse(path, _STEP)
    return None if parts is None else [p for p in parts if not isinstance(p, Each)]


def parse_query(query: str) -> list[QueryPart] | None:
    """`.results[].key` -> ["results", EACH, "key"]; None if it is not such a query."""
    return _parse(query, _QUERY_STEP)


def query_error(query: str) -> str:
    """Why `query` does not parse, in one line ("" when it does)."""
    text = query.strip()
    if not text:
        return "An empty query: write a path such as .results[].key"
    if parse_query(text) is not None:
        return ""
    pos = 0
    while (m := _QUERY_STEP.match(text, pos)) is not None:
        pos = m.end()
    if pos == 0 and text != "." and not text.startswith((".", "[")):
        return "A query starts with . or [ (such as .results[].key)"
    shown = json_quote(text[pos : pos + 20])
    return f"Cannot read the query at character {pos + 1}: {shown} (try .results[].key)"


def _parse(path: str, step: re.Pattern[str]) -> list[QueryPart] | None:
    path = path.strip()
    if path in ("", "."):
        return []
    parts: list[QueryPart] = []
    pos = 0
    while pos < len(path):
        m = step.match(path, pos)
        if m is None:
            return None
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        elif m.group(3) is not None:
            try:
                parts.append(json.loads(m.group(3)))
            except ValueError:
                return None
        else:
            parts.append(EACH)
        pos = m.end()
    return parts


def value_at(value: Any, parts: Iterable[Part]) -> Any:
    """The value at `parts` inside the parsed JSON `value`; None where there is none."""
    for part in parts:
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and part < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def query_values(value: Any, parts: Iterable[QueryPart]) -> list[Any]:
    """Every value the query `parts` reaches inside the parsed JSON `value`, in order.

    Steps that do not apply (a key of an array, an index out of range, `[]` of a scalar)
    reach nothing, as jq's `.key?` does, instead of failing.
    """
    found = [value]
    for part in parts:
        reached: list[Any] = []
        for item in found:
            if isinstance(part, Each):
                if isinstance(item, list):
                    reached.extend(item)
                elif isinstance(item, dict):
                    reached.extend(item.values())
            elif isinstance(part, int):
                if isinstance(item, list) and part < len(item):
                    reached.append(item[part])
            elif isinstance(item, dict) and part in item:
                reached.append(item[part])
        found = reached
    return found
