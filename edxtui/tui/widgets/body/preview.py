"""One-line previews of folded containers in the tree view (no Textual), jless style.

A folded object shows `{key: "value", other: 3, …}` and a folded array `["a", "b", …]`
(nested containers as `{…}` / `[…]`), cut to the room left on its row. A preview reads
only the children it shows, from the body's index, when its row is drawn: its cost is
bounded by the row's width, never by the size of the container or of the body.
Everything shown is body text made visible (edxtui.textsafe), never markup.
"""

from __future__ import annotations

from edxtui.jsonpath import IDENTIFIER
from edxtui.textsafe import json_quote, visible
from edxtui.tui.widgets.body.document import (
    EMPTY_ARR,
    EMPTY_OBJ,
    OPEN_ARR,
    OPEN_OBJ,
    JsonDocument,
)

Token = tuple[str, str]
MIN_ROOM = 8  # less room than this on the row: keep the plain `{…}`
ELLIPSIS = "…"


def _value_tokens(doc: JsonDocument, line: int, room: int) -> list[Token]:
    kind = doc.kind[line]
    if kind == OPEN_OBJ:
        return [("{…}", "punct")]
    if kind == OPEN_ARR:
        return [("[…]", "punct")]
    if kind == EMPTY_OBJ:
        return [("{}", "punct")]
    if kind == EMPTY_ARR:
        return [("[]", "punct")]
    begin, end = doc.value_span(line)
    raw = doc.data[begin : min(end, begin + 4 * room + 8)]  # never more than can show
    text = visible(raw.decode("utf-8", "replace" if end - begin > len(raw) else "backslashreplace"))
    if end - begin > len(raw):
        text = text.rstrip("\ufffd") + ELLIPSIS
    first = doc.data[begin]
    role = "string" if first == 0x22 else "literal" if first in b"tfn" else "number"
    return [(text, role)]


def _key_tokens(doc: JsonDocument, line: int) -> list[Token]:
    key = doc.key(line) or ""
    shown = key if IDENTIFIER.match(key) else json_quote(key)
    return [(shown, "key"), (": ", "punct")]


def preview_tokens(doc: JsonDocument, line: int, room: int) -> list[Token] | None:
    """The folded container on `line` as a one-line preview at most `room` cells wide;
    None when there is too little room (the caller keeps its `{…}`)."""
    kind = doc.kind[line]
    if room < MIN_ROOM or kind not in (OPEN_OBJ, OPEN_ARR) or doc.match[line] < 0:
        return None
    is_obj = kind == OPEN_OBJ
    opener, closer = ("{", "}") if is_obj else ("[", "]")
    out: list[Token] = [(opener, "punct")]
    used = 1
    for n, child in enumerate(doc.children(line)):
        piece = ([(", ", "punct")] if n else []) + (_key_tokens(doc, child) if is_obj else [])
        budget = room - used - sum(len(t) for t, _ in piece) - 4  # room for ", …}"
        if budget < 1:
            out.append((", …" if n else "…", "punct"))
            used = room  # nothing more fits
            break
        piece += _value_tokens(doc, child, budget)
        width = sum(len(t) for t, _ in piece)
        if used + width > room - 4:
            # the last child that starts here is cut, with an ellipsis
            cut = room - 4 - used
            out += _cut_tokens(piece, cut) + [(ELLIPSIS, "punct")]
            used = room
            break
        out += piece
        used += width
    out.append((closer, "punct"))
    return out


def _cut_tokens(tokens: list[Token], width: int) -> list[Token]:
    """`tokens` cut to `width` characters."""
    out: list[Token] = []
    for text, role in tokens:
        if width <= 0:
            break
        out.append((text[:width], role))
        width -= len(text)
    return out


def with_preview(doc: JsonDocument, line: int, tokens: list[Token], width: int) -> list[Token]:
    """A folded tree row's `tokens` with its `{…}` / `[…]` replaced by a preview that
    keeps the row within `width` cells (the row as it was when there is no room)."""
    for at in range(len(tokens) - 1, -1, -1):
        if tokens[at] in (("{…}", "punct"), ("[…]", "punct")):
            break
    else:
        return tokens
    room = width - sum(len(text) for text, _ in tokens) + len(tokens[at][0])
    preview = preview_tokens(doc, line, room)
    if preview is None:
        return tokens
    return [*tokens[:at], *preview, *tokens[at + 1 :]]
