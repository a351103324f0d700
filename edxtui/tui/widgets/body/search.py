"""Searching a response body (no Textual): the bytes at C speed, wrapping, smart case.

``find_bytes`` / ``count_hits`` search the raw bytes; ``BodySearch`` is one viewer's
search: the needle, the pattern that highlights it in drawn rows, the last hit, and the
status note ("match 3/17 (wrapped)").
"""

from __future__ import annotations

import re

from edxtui.textsafe import visible

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


class BodySearch:
    """The body viewer's search state. The needle outlives a new body; hits do not."""

    def __init__(self) -> None:
        self.needle = ""
        #: matches of the needle as drawn (made visible), for highlighting rows
        self.highlight: re.Pattern[str] | None = None
        self.hit: int | None = None  # byte offset of the match the cursor went to
        self.total: int | None = None  # matches in the body, counted once per needle
        self.note = ""  # for the status line
        self.not_found = False  # the last search found nothing at all

    def start(self, needle: str) -> None:
        """Search for `needle` from now on ("" clears the search)."""
        self.needle = needle
        flags = re.I | re.ASCII if folds_case(needle) else 0
        self.highlight = re.compile(re.escape(visible(needle)), flags) if needle else None
        self.forget_hits()

    def forget_hits(self) -> None:
        self.hit = None
        self.total = None
        self.note = ""

    def next_start(self, cursor_offset: int, backward: bool) -> int:
        """Where the next (or previous) search starts: after the last hit, or the cursor."""
        if self.hit is None:
            return cursor_offset
        return self.hit if backward else self.hit + 1

    def find(self, data: bytes, start: int, backward: bool, indexed: int | None) -> int | None:
        """The next hit from `start` (wrapping), remembered with its note; None if none.

        `indexed`: the offset past which the document is not indexed yet (None: all is),
        where a hit cannot be shown yet.
        """
        hit = find_bytes(data, self.needle, start, backward)
        self.not_found = hit is None
        if hit is None:
            self.note = f"no match for {visible(self.needle)!r}"
            return None
        if indexed is not None and hit >= indexed:
            self.note = "match beyond the indexed part: try again when indexing finishes"
            return None
        wrapped = (hit < start) if not backward else (hit >= start)
        self.hit = hit
        if self.total is None:
            self.total = count_hits(data, self.needle)
        nth = count_hits(data, self.needle, 0, hit) + 1
        self.note = f"match {nth:,}/{self.total:,}" + (" (wrapped)" if wrapped else "")
        return hit

    def hits_between(self, data: bytes, lo: int, hi: int) -> int:
        """How many matches start in [lo, hi) (e.g. before the hit on its row)."""
        return count_hits(data, self.needle, lo, hi)
