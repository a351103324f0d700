"""Parsing JSON response bodies fast, with exactly the standard library's results.

A page of 100 courses is ~900 KB: msgspec parses it a few times faster than `json.loads`
(docs/performance.md), and the TUI parses pages on its event loop, inside issue 6's
budgets. msgspec keeps
integers of any size exact (orjson, tried first, turns those past 64 bits into floats).
What msgspec refuses goes to `json.loads`, which decides as it always did: NaN, Infinity
and lone surrogates are accepted, UTF-16 bodies decoded, invalid JSON rejected with the
same errors (ValueError, RecursionError for nesting too deep).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_decode: Callable[[bytes | str], Any] | None = None


def loads(body: bytes | str) -> Any:
    """The JSON value of `body`, as `json.loads(body)` would return it."""
    global _decode
    if _decode is None:
        import msgspec.json  # on first use: the start-up never parses a body

        _decode = msgspec.json.Decoder().decode
    try:
        return _decode(body)
    except (ValueError, RecursionError):  # msgspec.DecodeError is a ValueError
        return json.loads(body)
