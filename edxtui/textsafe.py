"""Make untrusted strings safe to show in a terminal.

Every string that came from an API (titles, descriptions, header values, error bodies)
is data. Shown as-is, an ESC or C1 byte could move the cursor, set the clipboard (OSC 52)
or forge a link (OSC 8), and a bidi override could reorder what the reader sees. `visible()`
turns every such character into a printable escape, so the reader sees exactly what was
sent and the terminal is never driven by it. Rich markup is a separate concern: callers
wrap the result in `rich.text.Text` (never `Text.from_markup`) so `[bold]` stays literal.
"""

from __future__ import annotations

import json
import re
import unicodedata

# The one set of characters a terminal may act on: C0 controls, DEL, C1 controls; the bidi
# embeddings, overrides and isolates; the Unicode line and paragraph separators (they break
# a line in some terminals but not in others) and the BOM.
_BREAKS = "\t\n"
_OTHER_C0 = "\x00-\x08\x0b-\x1f"
_REST = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
_UNSAFE = re.compile(f"[{_BREAKS}{_OTHER_C0}{_REST}]")
_UNSAFE_KEEP_LINES = re.compile(f"[{_OTHER_C0}{_REST}]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Return `text` with every control or reordering character shown as an escape.

    With `keep_newlines`, "\\n" and "\\t" stay as they are (for multi-line bodies whose
    lines are split by the caller); everything else is escaped the same way.
    """
    pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


_VS16 = "\ufe0f"
_AFTER_VS16 = re.compile(f"(.){_VS16}", re.DOTALL)


def _narrow_vs16(match: re.Match[str]) -> str:
    char = match.group(1)
    return match.group() if unicodedata.east_asian_width(char) in "WF" else char


def steady_width(text: str) -> str:
    """`text` without the emoji variation selector (U+FE0F) after a narrow character.

    "⚗\ufe0f" is one cell by Unicode's width tables (what Rich and Textual count) but two in
    the many terminals that honour the selector, so everything after it on the row, a
    pane's border included, moved one cell right. Without the selector every terminal
    draws the one-cell text glyph. After a wide character it changes nothing and stays.
    """
    if _VS16 not in text:
        return text
    return _AFTER_VS16.sub(_narrow_vs16, text)


def visible_bytes(data: bytes, *, keep_newlines: bool = True) -> str:
    """Decode bytes as UTF-8, showing invalid bytes as \\xNN, then make the text visible."""
    return visible(data.decode("utf-8", errors="backslashreplace"), keep_newlines=keep_newlines)


def is_safe(text: str) -> bool:
    """True when `text` has nothing that `visible()` would escape (newlines included)."""
    return _UNSAFE.search(text) is None


# One escape of a JSON string literal: a surrogate pair, one \uXXXX, or any other (\n, \").
_JSON_ESCAPE = re.compile(
    r"\\(?:u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|.)",
    re.DOTALL,
)


def _unescape(match: re.Match[str]) -> str:
    high, low, single = match.groups()
    if high is not None:
        code = 0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00)
    elif single is not None:
        code = int(single, 16)
    else:
        return match.group()  # \n, \", \\ ... stay as JSON writes them
    char = chr(code)
    if char in '"\\' or 0xD800 <= code <= 0xDFFF or _UNSAFE.search(char):
        return match.group()  # a quote, a lone surrogate, a control or bidi character
    return char


def json_unicode_decoded(literal: str) -> str:
    """A JSON string literal with its \\uXXXX escapes of printable characters decoded.

    A server that escapes non-ASCII (Python's json.dumps default) writes "\\u041f\\u0440";
    a reader wants "Пр". Everything `visible()` would escape (controls, bidi, separators),
    a quote, a backslash and a lone surrogate keep their escape, so the result is still the
    same JSON literal and safe to show. An escape cut in half (a long value drawn cut) stays.
    """
    if "\\u" not in literal:
        return literal
    return _JSON_ESCAPE.sub(_unescape, literal)


def json_escaped(json_text: str) -> str:
    """JSON text (as json.dumps writes it) with every unsafe character as a \\uXXXX escape.

    Outside strings JSON text holds only spaces and line breaks, so the result is still
    valid JSON of the same value, and safe to print on a terminal. json.dumps escapes C0
    controls itself; the C1 controls, DEL, bidi, separator characters and BOM it leaves
    raw (with ensure_ascii=False) are escaped here.
    """
    return _UNSAFE_KEEP_LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def json_quote(text: str) -> str:
    """A valid JSON string literal for `text`: readable, with no unsafe character raw."""
    return json_escaped(json.dumps(text, ensure_ascii=False))
