"""The exchange log: every request and response the session made, kept for inspection.

The TUI's inspector and history, and the CLI's `-v`, read from here. Headers are stored
already redacted (the Authorization value, cookies, and the client secret or access token
inside a token exchange's bodies never enter the log); a viewer that must show the live
token (reveal, copy as curl) asks the TokenManager for it at that moment.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

REDACTED = "<redacted>"


@dataclass(slots=True)
class Exchange:
    """One HTTP request and what came back (or the error that stopped it)."""

    id: int
    kind: str  # "token" for the token endpoint, "api" for everything else
    method: str
    url: str  # never carries a secret: edxtui puts none in URLs
    request_headers: list[tuple[str, str]]
    request_body: bytes  # redacted for token requests
    started_at: float  # wall clock (time.time()) when the request was sent
    status: int | None = None  # None when no response arrived
    reason: str = ""
    http_version: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""  # the exact bytes received (token responses: access_token redacted)
    elapsed: float = 0.0  # seconds, monotonic, from send to the last body byte
    error: str | None = None  # a one-line message when the request failed without a response
    attempt: int = 1  # 1 for the first try; >1 for retries and the retry after a 401

    @property
    def size(self) -> int:
        return len(self.body)

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
        self._max_body_bytes = max_body_bytes
        self._body_bytes = 0
        self._ids = itertools.count(1)
        self._subscribers: list[Callable[[Exchange], None]] = []

    def next_id(self) -> int:
        return next(self._ids)

    def add(self, exchange: Exchange) -> None:
        self._entries.append(exchange)
        self._body_bytes += exchange.size
        while len(self._entries) > 1 and (
            len(self._entries) > self._max_entries or self._body_bytes > self._max_body_bytes
        ):
            dropped = self._entries.popleft()
            self._body_bytes -= dropped.size
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

    def __iter__(self) -> Iterator[Exchange]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._body_bytes = 0
