"""The exchange log: every request and response the session made, kept for inspection.

The TUI's inspector and history, and the CLI's `-v`, read from here. Headers are stored
already redacted by the Session (edxtui.api.redaction: the Authorization value, cookies, and
the client secret or access token inside a token exchange's bodies never enter the log); a viewer that must show the live
token (reveal, copy as curl) asks the TokenManager for it at that moment.

Big response bodies are held zlib-compressed: the tree keeps every page it shows alive (its
nodes read their JSON back from the body), and 100 pages of ~860 KB are 86 MB as received,
~12 MB compressed. `Exchange.body` gives the exact bytes back either way.
"""

from __future__ import annotations

import itertools
import logging
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

#: bodies longer than this are stored compressed; below it zlib's time and the cache's churn
#: buy little (figures: docs/performance.md)
COMPRESS_OVER = 64 * 1024
_LEVEL = 1  # higher levels are much slower for a few percent less (docs/performance.md)


def compress_body(data: bytes) -> bytes | None:
    """`data` zlib-compressed, when it is over COMPRESS_OVER and gets smaller; else None.

    Pure and thread-safe (zlib releases the GIL): the session runs it in a worker thread.
    """
    if len(data) <= COMPRESS_OVER:
        return None
    packed = zlib.compress(data, _LEVEL)
    return packed if len(packed) < len(data) else None


class _Zlib(bytes):
    """A body held compressed. One attribute holds either this or the body itself, so a
    reader in another thread never sees a compressed body flagged as plain."""

    __slots__ = ()


# The last few bodies decompressed, as (stored compressed bytes, body): the inspector and the
# tree's value_at() tend to read the same page one after the other (each read a decompress).
# Keyed by the identity of the compressed bytes, which the entry itself keeps alive.
_recent: tuple[tuple[bytes, bytes], ...] = ()
_RECENT_KEEP = 2


def _decompress(packed: _Zlib) -> bytes:
    global _recent
    for stored, body in _recent:
        if stored is packed:
            return body
    body = zlib.decompress(packed)
    _recent = ((packed, body), *_recent)[:_RECENT_KEEP]  # one assignment: safe across threads
    return body


@dataclass(slots=True, init=False)
class Exchange:
    """One HTTP request and what came back (or the error that stopped it).

    `body` is the exact bytes received (token responses: access_token redacted); it is held
    compressed when big (see `set_body`, `hold_compressed`), so read it where it is needed
    rather than keeping copies. `size` is its real length.
    """

    id: int
    kind: str  # "token" for the token endpoint, "api" for everything else
    method: str
    url: str  # never carries a secret: edxtui puts none in URLs
    request_headers: list[tuple[str, str]]
    request_body: bytes  # redacted for token requests
    started_at: float  # wall clock (time.time()) when the request was sent
    status: int | None  # None when no response arrived
    reason: str
    http_version: str
    response_headers: list[tuple[str, str]]
    elapsed: float  # seconds, monotonic, from send to the last body byte
    error: str | None  # a one-line message when the request failed without a response
    attempt: int  # 1 for the first try; >1 for retries and the retry after a 401
    size: int  # len(body), the real (uncompressed) length
    token_id: str | None  # tokens.fingerprint of the token the request carried, never the token
    _stored: bytes = field(repr=False)  # the body, or a _Zlib of it

    def __init__(
        self,
        id: int,
        kind: str,
        method: str,
        url: str,
        request_headers: list[tuple[str, str]],
        request_body: bytes,
        started_at: float,
        status: int | None = None,
        reason: str = "",
        http_version: str = "",
        response_headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
        elapsed: float = 0.0,
        error: str | None = None,
        attempt: int = 1,
        token_id: str | None = None,
    ) -> None:
        self.id = id
        self.kind = kind
        self.method = method
        self.url = url
        self.request_headers = request_headers
        self.request_body = request_body
        self.started_at = started_at
        self.status = status
        self.reason = reason
        self.http_version = http_version
        self.response_headers = response_headers if response_headers is not None else []
        self.elapsed = elapsed
        self.error = error
        self.attempt = attempt
        self.token_id = token_id
        self.body = body

    @property
    def body(self) -> bytes:
        """The exact bytes received (decompressed on read when held compressed)."""
        stored = self._stored  # one read: another thread may swap it (hold_compressed)
        return _decompress(stored) if type(stored) is _Zlib else stored

    @body.setter
    def body(self, data: bytes) -> None:
        """Store `data`, compressing it here if big (on an event loop, use set_body)."""
        self.set_body(data, compress_body(data))

    def set_body(self, data: bytes, packed: bytes | None) -> None:
        """Store `data`, as `packed` when given: `compress_body(data)`, computed elsewhere
        (a worker thread) so a big body's compression never holds the event loop."""
        self.size = len(data)
        self._stored = _Zlib(packed) if packed is not None else bytes(data)

    def hold_compressed(self, data: bytes, packed: bytes | None) -> bool:
        """Hold `packed` (`compress_body(data)`, made later in a thread) instead of `data`,
        if the body is still that very `data`; True if it was swapped in."""
        if packed is None or self._stored is not data:
            return False
        self._stored = _Zlib(packed)
        return True

    @property
    def stored_size(self) -> int:
        """Bytes the body really occupies here (its compressed length when compressed)."""
        return len(self._stored)

    @property
    def compressed(self) -> bool:
        return type(self._stored) is _Zlib

    @property
    def content_type(self) -> str:
        for name, value in self.response_headers:
            if name.lower() == "content-type":
                return value
        return ""


class ExchangeLog:
    """A bounded, append-only log of exchanges with change subscribers.

    Bounded by count and by total body bytes, so a long session with big bodies cannot grow
    without limit; the oldest exchanges go first.
    """

    def __init__(self, max_entries: int = 1000, max_body_bytes: int = 256 * 1024 * 1024) -> None:
        self._entries: deque[Exchange] = deque()
        self._max_entries = max_entries
        # The cap is on bytes really held (compressed sizes for big bodies): it exists to
        # bound memory, and a real-size cap would drop ~7x more history than memory needs.
        # Summed on each add rather than kept as a running total, because a body is
        # compressed after it was logged (Session); the sum is cheap next to a request.
        self._max_body_bytes = max_body_bytes
        self._ids = itertools.count(1)
        self._subscribers: list[Callable[[Exchange], None]] = []

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, exchange: Exchange) -> None:
        self._entries.append(exchange)
        held = self.body_bytes
        while len(self._entries) > 1 and (
            len(self._entries) > self._max_entries or held > self._max_body_bytes
        ):
            held -= self._entries.popleft().stored_size
        for callback in list(self._subscribers):
            try:
                callback(exchange)
            except Exception:  # a broken viewer must not break the request that was logged
                logging.getLogger("edxtui.api").exception("exchange log subscriber failed")

    def subscribe(self, callback: Callable[[Exchange], None]) -> Callable[[], None]:
        """Call `callback(exchange)` after each add; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def get(self, exchange_id: int) -> Exchange | None:
        for exchange in reversed(self._entries):
            if exchange.id == exchange_id:
                return exchange
        return None

    @property
    def body_bytes(self) -> int:
        """Body bytes the log holds (compressed sizes where compressed): what the cap counts."""
        return sum(exchange.stored_size for exchange in self._entries)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
