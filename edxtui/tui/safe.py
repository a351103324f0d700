"""Plain, safe rich Text from untrusted strings (API data, server error bodies, header values).

Never markup: `Text(...)` keeps `[bold]` literal, and `visible()` turns control and bidi
characters into printable escapes so nothing from the network can drive the terminal.
"""

from __future__ import annotations

import reprlib
from typing import Any

from rich.text import Text

from edxtui.textsafe import visible

# Containers are shown shortened and only a few levels deep: JSON from the API may nest
# ~1,000 levels, and str() of that recurses past the stack (RecursionError in a label).
_SHORT = reprlib.Repr()
_SHORT.maxlevel = 4
_SHORT.maxstring = _SHORT.maxother = 200


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict | set | frozenset):
        return _SHORT.repr(value)
    return str(value)


def safe(value: Any, style: str = "", *, limit: int | None = None) -> Text:
    """A one-line Text of `value` with control characters made visible."""
    text = visible(_as_text(value))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return Text(text, style=style, no_wrap=False, end="")


def safe_str(value: Any, *, limit: int | None = None) -> str:
    """The same as `safe()` but as a str, for widgets that take plain strings (never markup)."""
    return safe(value, limit=limit).plain


def human_size(size: int) -> str:
    """1234567 -> '1.2 MB'; small sizes in bytes."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}"
    return f"{size} B"  # unreachable; keeps type checkers happy
