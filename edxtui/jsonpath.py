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
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from edxtui.textsafe import json_quote

Part = str | int

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


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
    path = path.strip()
    if path in ("", "."):
        return []
    parts: list[Part] = []
    pos = 0
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None:
            return None
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        else:
            try:
                parts.append(json.loads(m.group(3)))
            except ValueError:
                return None
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
