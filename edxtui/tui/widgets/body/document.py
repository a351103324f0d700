"""A pre-indexed document model for showing a response body of any size (no Textual here).

The body viewer (``edxtui.tui.widgets.body.view``) renders only the lines on screen; this
module gives it what it needs to do that in constant time per line:

``JsonDocument(data)``
    Indexes a JSON body *without building Python objects for its values*: a strict
    JSON scanner (one regex match per pretty-printed line, an explicit stack, no
    recursion, so 10,000 levels of nesting are fine) records, per pretty line, the byte
    offset of its first token, its kind, depth, parent line, index within the parent
    and the line of its matching bracket, all in compact ``array`` columns (about 21-25
    bytes a line). Values are read back from the original bytes only when a line is drawn,
    a value is copied or a path is asked for. Indexing can be resumed in steps
    (``index_step``) so a UI can show the first screen before the rest is indexed.

    - ``pretty_tokens(i)`` / ``tree_tokens(i, folded)``: a line as ``(text, role)`` pairs,
      every piece of body text passed through ``edxtui.textsafe.visible`` (roles: key,
      string, number, literal, punct, index, note); long values are cut at
      ``MAX_TOKEN_BYTES`` with a note saying how much is hidden.
    - ``path(i)``: ``.results[3].key`` style (``edxtui.jsonpath``'s grammar);
      ``find_path(parse_path(path))`` goes back from a path to its line.
    - ``value_text(i)``: the value for copying (strings decoded, containers as JSON).
    - ``line_at(offset)``: the line that shows byte ``offset`` (for search hits).
    It also checks, in step with the scan, that the body is UTF-8.

``classify(data, content_type)``
    Decide whether a body should be tried as JSON, and the note to show if not.

The raw view's rows are ``body.raw``; searching the bytes is ``body.search``. Nothing here
raises on bad input: an invalid body ends indexing with ``error`` set (a one-line reason)
and the caller falls back to the raw view.
"""

from __future__ import annotations

import codecs
import json
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache

from edxtui.jsonpath import IDENTIFIER, Part, format_path
from edxtui.textsafe import json_unicode_decoded, steady_width, visible

# Line kinds.
SCALAR, OPEN_OBJ, OPEN_ARR, EMPTY_OBJ, EMPTY_ARR, CLOSE = range(6)
OPENS = (OPEN_OBJ, OPEN_ARR)

MAX_TOKEN_BYTES = 2000  # a longer key or value is drawn cut, with a note; copy gets it all
MAX_INDENT_DEPTH = 16  # deeper lines show their depth as a number instead of more spaces
PRETTY_COPY_LIMIT = 4_000_000  # containers bigger than this are copied as received
_UTF8_CHUNK = 1 << 22

_WS = rb"[ \t\n\r]*"
_STRING = rb'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'
_NUMBER = rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
# One pretty-printed line of JSON: an optional key, then a scalar, an opening bracket or a
# closing bracket, then an optional comma. Groups: 1 key, 2 scalar, 3 open, 4 close, 5 comma.
_LINE = (
    rb"(?:(" + _STRING + rb")" + _WS + rb":" + _WS + rb")?"
    rb"(?:("
    + _STRING
    + rb"|"
    + _NUMBER
    + rb"|true|false|null)|([{\[])|([}\]]))"
    + _WS
    + rb"(?:(,)"
    + _WS
    + rb")?"
)
# The indexer's form of a line: leading space, then exactly one alternative, so that
# `lastindex` alone says which: 1+2 key and scalar, 1+3 key and "{" or "[", 4 scalar,
# 5 "{" or "[", 6 "}" or "]"; then an optional comma (the last byte of the match).
_SCALAR = _STRING + rb"|" + _NUMBER + rb"|true|false|null"
_SCAN = (
    _WS
    + rb"(?:("
    + _STRING
    + rb")"
    + _WS
    + rb":"
    + _WS
    + rb"(?:("
    + _SCALAR
    + rb")|([{\[]))|("
    + _SCALAR
    + rb")|([{\[])|([}\]]))"
    + _WS
    + rb",?"
)
_LEADING_WS = re.compile(_WS)


# The two patterns above are compiled when first used (~1.5 ms): the inspector's module is
# imported while the explorer builds, long before a body is shown.
@cache
def _line_re() -> re.Pattern[bytes]:
    return re.compile(_LINE)


@cache
def _scan_re() -> re.Pattern[bytes]:
    return re.compile(_SCAN)


def _skip_space(data: bytes, pos: int = 0) -> int:
    """The offset of the first byte at or after `pos` that is not JSON whitespace."""
    space = _LEADING_WS.match(data, pos)
    assert space is not None  # `[ \t\n\r]*` matches everywhere, if only the empty string
    return space.end()


_JSONISH_TYPE = re.compile(r"[/+]json\b|^json$", re.IGNORECASE)

Token = tuple[str, str]  # (text, role)


def _char_start(data: bytes, pos: int) -> int:
    """Move `pos` back to the start of a UTF-8 character (at most 3 bytes)."""
    n = len(data)
    for _ in range(3):
        if 0 < pos < n and 0x80 <= data[pos] < 0xC0:
            pos -= 1
        else:
            break
    return pos


def _cut(data: bytes, start: int, end: int) -> tuple[str, int]:
    """Decode data[start:end] made visible, cut at MAX_TOKEN_BYTES; return (text, hidden bytes).

    A string's \\uXXXX escapes of printable characters show decoded (a server that escapes
    non-ASCII reads like one that does not); the raw view keeps the bytes as received.
    """
    stop = end
    if end - start > MAX_TOKEN_BYTES:
        stop = _char_start(data, start + MAX_TOKEN_BYTES)
    text = data[start:stop].decode("utf-8", "backslashreplace")
    return steady_width(visible(json_unicode_decoded(text))), end - stop


def classify(data: bytes, content_type: str = "") -> tuple[bool, str]:
    """(try_as_json, note). The note explains a raw-only view; it is empty for JSON."""
    if not data.strip():
        return False, "Empty body." if not data else "Body is only whitespace."
    ctype = content_type.split(";", 1)[0].strip()
    first = data.lstrip(b" \t\r\n")[:1]
    looks_json = first in (b"{", b"[") or bool(_JSONISH_TYPE.search(ctype))
    if not looks_json:
        kind = visible(ctype) if ctype else "not JSON"
        return False, f"Not JSON ({kind}): showing the raw body."
    return True, ""


class JsonDocument:
    """A JSON body indexed as pretty-printed lines. See the module docstring."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        big = len(data) >= 1 << 32
        self.start = array("q" if big else "I")  # byte offset of the line's first token
        self.kind = bytearray()
        self.depth = array("i")
        self.parent = array("i")  # line of the enclosing open bracket, -1 at the top
        self.index = array("i")  # position within the parent container
        self.match = array("i")  # open <-> close line; -1 for scalars and empty containers
        self.error: str | None = None
        self.done = False
        self._scanner = None
        self._pos = _skip_space(data)
        self._opens: list[int] = []  # open lines of the containers being scanned
        self._counts: list[int] = []  # children seen so far in each of them
        self._state = _START
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._valid = 0  # bytes checked to be UTF-8 so far (in step with the scan)

    # -- indexing -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def progress(self) -> float:
        """Fraction of the body indexed so far (0..1)."""
        return 1.0 if self.done else self._pos / max(1, len(self.data))

    def index_all(self) -> JsonDocument:
        while not self.index_step(1 << 30):
            pass
        return self

    def index_step(self, max_lines: int = 20_000) -> bool:
        """Index up to `max_lines` more lines; True when indexing is finished (or failed)."""
        if self.done:
            return True
        data = self.data
        scan = _scan_re().match
        start, kind, depth, parent, index, match = (
            self.start,
            self.kind,
            self.depth,
            self.parent,
            self.index,
            self.match,
        )
        opens, counts = self._opens, self._counts
        state, pos = self._state, self._pos
        in_object = bool(opens) and kind[opens[-1]] == OPEN_OBJ
        n = len(data)
        for _ in range(max_lines):
            if state == _END:
                break
            m = scan(data, pos)
            if m is None:
                pos = _skip_space(data, pos)
                what = "Unexpected end of body" if pos >= n else f"Invalid JSON at byte {pos}"
                return self._fail(f"{what}.")
            group = m.lastindex  # which alternative matched: see _SCAN
            assert group is not None  # _SCAN matches nothing outside its groups
            end = m.end()
            comma = data[end - 1] == 0x2C
            if group == 6:  # a closing bracket
                at = m.start(6)
                if not opens or state == _ITEM:
                    return self._fail(f"Invalid JSON at byte {at}.")
                if (data[at] == 0x7D) != in_object:  # "}" closes an object, "]" an array
                    return self._fail(f"Mismatched bracket at byte {at}.")
                open_line = opens.pop()
                counts.pop()
                if state == _OPENED:
                    kind[open_line] = EMPTY_OBJ if in_object else EMPTY_ARR
                else:
                    line = len(kind)
                    start.append(at)
                    kind.append(CLOSE)
                    depth.append(depth[open_line])
                    parent.append(parent[open_line])
                    index.append(index[open_line])
                    match.append(open_line)
                    match[open_line] = line
                in_object = bool(opens) and kind[opens[-1]] == OPEN_OBJ
            else:
                has_key = group <= 3
                at = m.start(1) if has_key else m.start(group)
                if state == _AFTER or has_key != in_object:
                    return self._fail(f"Invalid JSON at byte {at}.")
                line = len(kind)
                start.append(at)
                depth.append(len(opens))
                if opens:
                    parent.append(opens[-1])
                    index.append(counts[-1])
                    counts[-1] += 1
                else:
                    parent.append(-1)
                    index.append(0)
                match.append(-1)
                if group == 3 or group == 5:  # an opening bracket
                    if comma:  # "[," or "{,"
                        return self._fail(f"Invalid JSON at byte {end - 1}.")
                    in_object = data[m.start(group)] == 0x7B
                    kind.append(OPEN_OBJ if in_object else OPEN_ARR)
                    opens.append(line)
                    counts.append(0)
                    state = _OPENED
                    pos = end
                    continue
                kind.append(SCALAR)
            pos = end
            if not opens:
                if comma:
                    return self._fail(f"Invalid JSON at byte {end - 1}.")
                state = _END
            else:
                state = _ITEM if comma else _AFTER
        if state == _END and pos != n:
            return self._fail(f"Extra data after the JSON value at byte {pos}.")
        self._state, self._pos = state, pos
        finished = state == _END
        if self._check_utf8(pos, final=finished):
            return True
        self.done = finished
        return self.done

    def _check_utf8(self, upto: int, final: bool) -> bool:
        """Validate the body as UTF-8 up to `upto`; True (and `error` set) if it is not."""
        while True:
            end = min(upto, self._valid + _UTF8_CHUNK)
            pending = len(self._utf8.getstate()[0])
            try:
                self._utf8.decode(self.data[self._valid : end], final=final and end == upto)
            except UnicodeDecodeError as exc:
                return self._fail(f"Not valid UTF-8 at byte {self._valid - pending + exc.start}.")
            self._valid = end
            if end >= upto:
                return False

    def _fail(self, reason: str) -> bool:
        self.error = reason
        self.done = True
        return True

    # -- reading lines ------------------------------------------------------------------

    def _m(self, i: int) -> re.Match[bytes]:
        m = _line_re().match(self.data, self.start[i])
        assert m is not None
        return m

    def opener(self, i: int) -> int:
        """The line that starts the value shown on line `i` (a close line maps to its open)."""
        return self.match[i] if self.kind[i] == CLOSE else i

    def child_count(self, i: int) -> int:
        """Children of the container opened on line `i` (0 for scalars)."""
        k = self.kind[i]
        if k not in OPENS:
            return 0
        close = self.match[i]
        if close < 0:  # not indexed yet
            return -1
        last = self.opener(close - 1)
        return self.index[last] + 1

    def key(self, i: int) -> str | None:
        """The decoded key of line `i` when its parent is an object."""
        m = self._m(self.opener(i))
        if m.start(1) < 0:
            return None
        return json.loads(m.group(1))

    def _comma(self, i: int, m: re.Match[bytes]) -> bool:
        k = self.kind[i]
        if k in (EMPTY_OBJ, EMPTY_ARR):
            after = _line_re().match(self.data, m.end())  # the closing bracket right after
            return after is not None and after.start(5) >= 0
        return m.start(5) >= 0

    def _indent(self, depth: int) -> list[Token]:
        if depth <= MAX_INDENT_DEPTH:
            return [("  " * depth, "punct")] if depth else []
        return [("  " * MAX_INDENT_DEPTH, "punct"), (f"⋮{depth} ", "note")]

    def _scalar(self, start: int, end: int, role: str | None = None) -> list[Token]:
        text, hidden = _cut(self.data, start, end)
        if role is None:
            first = self.data[start]
            role = "string" if first == 0x22 else "literal" if first in b"tfn" else "number"
        out = [(text, role)]
        if hidden:
            out.append((f"… (+{hidden:,} bytes)", "note"))
        return out

    def pretty_tokens(self, i: int) -> list[Token]:
        """Line `i` of the pretty-printed document as (text, role) pieces."""
        m = self._m(i)
        k = self.kind[i]
        out = self._indent(self.depth[i])
        if m.start(1) >= 0:
            out += self._scalar(m.start(1), m.end(1), "key")
            out.append((": ", "punct"))
        if k == SCALAR:
            out += self._scalar(m.start(2), m.end(2))
        elif k == CLOSE:
            out.append((chr(self.data[m.start(4)]), "punct"))
        elif k in OPENS:
            out.append(("{" if k == OPEN_OBJ else "[", "punct"))
        else:
            out.append(("{}" if k == EMPTY_OBJ else "[]", "punct"))
        if k != OPEN_OBJ and k != OPEN_ARR and self._comma(i, m):
            out.append((",", "punct"))
        return out

    def tree_tokens(self, i: int, folded: bool) -> list[Token]:
        """Line `i` as a tree row: arrow, key or [index], value or a folded summary."""
        m = self._m(i)
        k = self.kind[i]
        out = self._indent(self.depth[i])
        if k in OPENS:
            out.append(("▸ " if folded else "▾ ", "arrow"))
        else:
            out.append(("  ", "punct"))
        p = self.parent[i]
        if p >= 0 and self.kind[p] == OPEN_ARR:
            out.append((f"[{self.index[i]}]", "index"))
            out.append((": ", "punct"))
        elif m.start(1) >= 0:
            key = self.key(i) or ""
            if IDENTIFIER.match(key):
                out += self._scalar(m.start(1) + 1, m.end(1) - 1, "key")
            else:
                out += self._scalar(m.start(1), m.end(1), "key")
            out.append((": ", "punct"))
        if k == SCALAR:
            out += self._scalar(m.start(2), m.end(2))
        elif k in (EMPTY_OBJ, EMPTY_ARR):
            out.append(("{}" if k == EMPTY_OBJ else "[]", "punct"))
        else:
            is_obj = k == OPEN_OBJ
            out.append(
                ((("{…}" if is_obj else "[…]") if folded else ("{" if is_obj else "[")), "punct")
            )
            count = self.child_count(i)
            if count >= 0:
                noun = ("key" if is_obj else "item") + ("" if count == 1 else "s")
                out.append((f" {count:,} {noun}", "note"))
        return out

    def path(self, i: int) -> str:
        """The path of line `i`'s value: `.results[3].key`, `["a b"]`, `.` for the root."""
        if not len(self):
            return ""
        i = self.opener(i)
        parts: list[Part] = []
        while (p := self.parent[i]) >= 0:
            parts.append(self.index[i] if self.kind[p] == OPEN_ARR else self.key(i) or "")
            i = p
        return format_path(reversed(parts))

    def value_span(self, i: int) -> tuple[int, int]:
        """Byte range of line `i`'s value in the body."""
        i = self.opener(i)
        m = self._m(i)
        k = self.kind[i]
        if k == SCALAR:
            return m.start(2), m.end(2)
        begin = m.start(3)
        if k in OPENS:
            if self.match[i] < 0:
                raise ValueError("this container is not indexed to its end yet")
            return begin, self.start[self.match[i]] + 1
        after = _line_re().match(self.data, m.end())  # empty container: the close follows
        return begin, (after.end(4) if after else m.end(3))

    def value_text(self, i: int) -> str:
        """Line `i`'s value for copying: a string decoded, anything else as JSON text.

        Raises ValueError for a container whose end is not indexed yet.
        """
        begin, end = self.value_span(i)
        raw = self.data[begin:end]
        if raw[:1] == b'"':
            return json.loads(raw)
        text = raw.decode("utf-8", "backslashreplace")
        if raw[:1] in (b"{", b"[") and len(raw) <= PRETTY_COPY_LIMIT:
            try:
                return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
            except (RecursionError, ValueError):
                return text  # too deep for the json module: copy it as received
        return text

    def children(self, i: int) -> Iterator[int]:
        """The lines of the direct children of the container opened on line `i`."""
        if self.kind[i] not in OPENS or self.match[i] < 0:
            return
        j, end = i + 1, self.match[i]
        while j < end:
            yield j
            j = self.match[j] + 1 if self.kind[j] in OPENS else j + 1

    def find_path(self, parts: list[Part] | None) -> int | None:
        """The line of the value at `parts` (see `edxtui.jsonpath.parse_path`), or None."""
        if parts is None or not len(self) or not self.done or self.error:
            return None
        line = 0
        for part in parts:
            kind = self.kind[line]
            if isinstance(part, int) != (kind == OPEN_ARR) or kind not in OPENS:
                return None
            for child in self.children(line):
                if (
                    (self.index[child] == part)
                    if isinstance(part, int)
                    else (self.key(child) == part)
                ):
                    line = child
                    break
            else:
                return None
        return line

    def line_at(self, offset: int) -> int:
        """The indexed line whose text covers byte `offset` (e.g. a search hit)."""
        return max(0, bisect_right(self.start, offset) - 1)


_START, _OPENED, _ITEM, _AFTER, _END = range(5)
