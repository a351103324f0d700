"""The TUI's formatters: plain, safe rich Text and strings for what the widgets show.

Untrusted strings (API data, server error bodies, header values, claims) go through
`safe()`: never markup, so `Text(...)` keeps `[bold]` literal, and `visible()` turns control
and bidi characters into printable escapes so nothing from the network can drive the
terminal. The rest are the numbers and times several widgets show the same way.
"""

from __future__ import annotations

import reprlib
import time
from typing import Any

from rich.text import Text

from edxtui.api.exchange import Exchange
from edxtui.textsafe import steady_width, visible

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
    """A one-line Text of `value` with control characters made visible (and an emoji's
    variation selector that would widen it dropped: textsafe.steady_width)."""
    text = steady_width(visible(_as_text(value)))
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


def countdown(seconds: float | None) -> str:
    """59:07, or 1:02:03 past an hour; '--:--' when unknown."""
    if seconds is None:
        return "--:--"
    total = int(max(0.0, seconds) + 0.999)  # round up: never show 00:00 for a live token
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def local_time(timestamp: Any) -> str:
    """A claim's epoch seconds in local time; claims are untrusted, so anything else as text."""
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)):
        return safe(timestamp).plain if timestamp is not None else "?"
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))
    except (OverflowError, OSError, ValueError):
        return str(timestamp)


def clock_time(timestamp: float, *, stable: bool = False) -> str:
    """An exchange's start as HH:MM:SS; `stable` (snapshots) hides it."""
    return "--:--:--" if stable else time.strftime("%H:%M:%S", time.localtime(timestamp))


def elapsed_ms(seconds: float, *, stable: bool = False) -> str:
    """A duration in whole milliseconds (`1,234`); `stable` (snapshots) hides it."""
    return "‒" if stable else f"{seconds * 1000:,.0f}"


def status_text(exchange: Exchange) -> Text:
    """An exchange's status (`200 OK`, coloured by class), or why there was no response."""
    if exchange.status is None:
        text = Text("no response", style="bold red")
        if exchange.error:
            text.append(": ")
            text.append_text(safe(exchange.error, "red", limit=200))
        return text
    style = (
        "bold green"
        if exchange.status < 300
        else "bold yellow"
        if exchange.status < 400
        else "bold red"
    )
    text = Text(str(exchange.status), style=style)
    if exchange.reason:
        text.append(" ")
        text.append_text(safe(exchange.reason, style, limit=40))
    return text
