"""A pre-indexed document model for showing a response body of any size (no Textual here).

The body viewer (``edxtui.tui.widgets.json_view``) renders only the lines on screen; this
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
    - ``path(i)``: ``.results[3].key`` style, ``["weird key"]`` for non-identifiers;
      ``find_path(parse_path(path))`` goes back from a path to its line.
    - ``value_text(i)``: the value for copying (strings decoded, containers as JSON).
    - ``line_at(offset)``: the line that shows byte ``offset`` (for search hits).
    It also checks, in step with the scan, that the body is UTF-8.

``find_bytes(data, needle, offset, backward)``, ``count_hits(data, needle, lo, hi)``
    Search the bytes at C speed, wrapping around; smart case (``folds_case``).

``RawRows(data, width)``
    Row starts of the raw bytes wrapped at ``width`` bytes (never splitting a UTF-8
    character); ``row_text(r)`` is the row made visible (invalid bytes as ``\\xNN``).

``classify(data, content_type)``
    Decide whether a body should be tried as JSON, and the note to show if not.

Nothing here raises on bad input: an invalid body ends indexing with ``error`` set (a
one-line reason) and the caller falls back to the raw view.
"""

from __future__ import annotations

import codecs
import json
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator

from rich.cells import cell_len

from edxtui.textsafe import visible, visible_bytes

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
_LINE = re.compile(
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
_SCAN = re.compile(
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
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_JSONISH_TYPE = re.compile(r"[/+]json\b|^json$", re.IGNORECASE)

Token = tuple[str, str]  # (text, role)


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def json_quote(text: str) -> str:
    """A valid JSON string literal for `text`: readable, with no control characters raw."""
    quoted = json.dumps(text, ensure_ascii=False)  # escapes C0 already
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


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
    """Decode data[start:end] made visible, cut at MAX_TOKEN_BYTES; return (text, hidden bytes)."""
    stop = end
    if end - start > MAX_TOKEN_BYTES:
        stop = _char_start(data, start + MAX_TOKEN_BYTES)
    return visible(data[start:stop].decode("utf-8", "backslashreplace")), end - stop


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
        self._pos = _LEADING_WS.match(data).end()
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
        scan = _SCAN.match
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
                pos = _LEADING_WS.match(data, pos).end()
                what = "Unexpected end of body" if pos >= n else f"Invalid JSON at byte {pos}"
                return self._fail(f"{what}.")
            group = m.lastindex  # which alternative matched: see _SCAN
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
        m = _LINE.match(self.data, self.start[i])
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
            after = _LINE.match(self.data, m.end())  # the closing bracket right after
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
            if _IDENT.match(key):
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
        parts: list[str] = []
        while (p := self.parent[i]) >= 0:
            if self.kind[p] == OPEN_ARR:
                parts.append(f"[{self.index[i]}]")
            else:
                key = self.key(i) or ""
                parts.append(f".{key}" if _IDENT.match(key) else f"[{json_quote(key)}]")
            i = p
        return "".join(reversed(parts)) or "."

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
        after = _LINE.match(self.data, m.end())  # empty container: the close follows
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

    def find_path(self, parts: list[str | int] | None) -> int | None:
        """The line of the value at `parts` (see `parse_path`), or None."""
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

    # -- search -------------------------------------------------------------------------

    def line_at(self, offset: int) -> int:
        """The indexed line whose text covers byte `offset`."""
        return max(0, bisect_right(self.start, offset) - 1)

    def find(self, needle: str, offset: int, backward: bool = False) -> int | None:
        return find_bytes(self.data, needle, offset, backward)


_START, _OPENED, _ITEM, _AFTER, _END = range(5)


_CHUNK = 1 << 22  # case-insensitive search lower-cases the body this much at a time


def folds_case(needle: str) -> bool:
    """Smart case: ignore the case of ASCII letters when the needle has no capital."""
    return needle == needle.lower() and any("a" <= c <= "z" for c in needle)


def find_bytes(data: bytes, needle: str, offset: int, backward: bool = False) -> int | None:
    """Next (or previous) hit of `needle` at/after (before) byte `offset`, wrapping around.

    Smart case: a needle with no capital letter matches ASCII letters of either case. The
    body is searched as bytes (C speed: a whole 50 MB body in well under a second).
    """
    if not needle or not data:
        return None
    raw = needle.encode("utf-8")
    fold = folds_case(needle)
    if fold:
        raw = raw.lower()
    n = len(data)
    offset = min(max(0, offset), n)
    if not backward:
        hit = _find(data, raw, fold, offset, n)
        return hit if hit is not None else _find(data, raw, fold, 0, offset)
    hit = _rfind(data, raw, fold, 0, offset)
    return hit if hit is not None else _rfind(data, raw, fold, offset, n)


def count_hits(data: bytes, needle: str, lo: int = 0, hi: int | None = None) -> int:
    """How many (non-overlapping) hits of `needle` start in [lo, hi), with the same smart case."""
    if not needle or not data:
        return 0
    raw = needle.encode("utf-8")
    fold = folds_case(needle)
    hi = len(data) if hi is None else min(hi, len(data))
    tail = len(raw) - 1
    if not fold:
        return data.count(raw, lo, hi + tail)
    raw = raw.lower()
    return sum(
        data[begin : min(hi, begin + _CHUNK) + tail].lower().count(raw)
        for begin in range(lo, hi, _CHUNK)
    )


def _find(data: bytes, needle: bytes, fold: bool, lo: int, hi: int) -> int | None:
    """First hit starting in [lo, hi)."""
    tail = len(needle) - 1
    if not fold:
        hit = data.find(needle, lo, hi + tail)
        return hit if hit >= 0 else None
    for begin in range(lo, hi, _CHUNK):
        end = min(hi, begin + _CHUNK)
        hit = data[begin : end + tail].lower().find(needle)
        if hit >= 0:
            return begin + hit
    return None


def _rfind(data: bytes, needle: bytes, fold: bool, lo: int, hi: int) -> int | None:
    """Last hit starting in [lo, hi)."""
    tail = len(needle) - 1
    if not fold:
        hit = data.rfind(needle, lo, hi + tail)
        return hit if hit >= 0 else None
    end = hi
    while end > lo:
        begin = max(lo, end - _CHUNK)
        hit = data[begin : end + tail].lower().rfind(needle)
        if hit >= 0:
            return begin + hit
        end = begin
    return None


_NOT_PLAIN = re.compile(rb"[^\x20-\x7e]")


def _char_at(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """(bytes, cells) of the character at `pos` as `visible_bytes` shows it."""
    lead = data[pos]
    if lead < 0x80:
        return 1, len(visible(chr(lead)))
    size = (
        2 if 0xC0 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF8 else 1
    )
    if size > 1 and pos + size <= end:
        try:
            char = data[pos : pos + size].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return size, cell_len(visible(char))
    return 1, 4  # an invalid byte shows as \xNN


class RawRows:
    """The raw body as rows of at most `width` cells, as `row_text` draws them.

    Lines split at newlines; a longer line wraps. Printable ASCII runs are measured at C
    speed; other characters by what they show as (a wide character takes 2 cells, a
    control character or an invalid byte its escape), so no row is wider than `width`
    and no row splits a character.
    """

    def __init__(self, data: bytes, width: int) -> None:
        self.data = data
        self.width = max(8, width)
        self.rows = array("q" if len(data) >= 1 << 32 else "I")
        self._pos = 0  # where the next row starts
        self._end = -1  # where the line being wrapped ends
        self.done = not data

    def __len__(self) -> int:
        return len(self.rows)

    def index_step(self, max_rows: int = 50_000) -> bool:
        """Add up to `max_rows` rows; True when the whole body is wrapped."""
        data, n, append, row_end = self.data, len(self.data), self.rows.append, self._row_end
        pos, end = self._pos, self._end
        for _ in range(max_rows):
            if pos >= n:
                break
            if pos > end:  # a new line
                nl = data.find(b"\n", pos)
                end = n if nl < 0 else nl
            append(pos)
            stop = row_end(pos, end)
            pos = stop if stop < end else end + 1
        self._pos, self._end = pos, end
        self.done = pos >= n
        return self.done

    def _row_end(self, start: int, end: int) -> int:
        """Where a row that starts at `start` ends: `width` cells on, or at `end`."""
        data, width = self.data, self.width
        cells, pos = 0, start
        while pos < end:
            limit = min(end, pos + width - cells)
            special = _NOT_PLAIN.search(data, pos, limit)
            if special is None:
                return limit
            cells += special.start() - pos
            pos = special.start()
            size, cost = _char_at(data, pos, end)
            if cells + cost > width:
                return pos if pos > start else pos + size
            cells += cost
            pos += size
        return pos

    def index_all(self) -> RawRows:
        while not self.index_step(1 << 30):
            pass
        return self

    def span(self, r: int) -> tuple[int, int]:
        start = self.rows[r]
        end = self.rows[r + 1] if r + 1 < len(self.rows) else len(self.data)
        if end > start and self.data[end - 1] == 0x0A:
            end -= 1
        return start, end

    def row_text(self, r: int) -> str:
        start, end = self.span(r)
        return visible_bytes(self.data[start:end], keep_newlines=False)

    def row_at(self, offset: int) -> int:
        return max(0, bisect_right(self.rows, offset) - 1)


_PATH_PART = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(path: str) -> list[str | int] | None:
    """`.results[3]["a b"]` -> ["results", 3, "a b"]; None if it is not such a path."""
    path = path.strip()
    if path in ("", "."):
        return []
    parts: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _PATH_PART.match(path, pos)
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
