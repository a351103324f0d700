"""What a server can make one request spend: time (a deadline) and memory (a body cap).

A read timeout bounds each read, not the request: a server that sends a byte every few
seconds never trips it. So every request, the token POST included, also has an overall
deadline. A body is read while streaming and decoded here, in pieces of at most
`PIECE` bytes, so a small gzip body that inflates to gigabytes costs at most the cap
(plus a piece) before it is refused: the cap counts the bytes after decompression.

The settings come from a flag, else the environment, else the default (`bounds_from`).
"""

from __future__ import annotations

import math
import os
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from edxtui.api.errors import BodyTooLargeError, ConfigError

DEFAULT_DEADLINE = 120.0  # seconds
DEFAULT_MAX_BODY_MB = 256
MIB = 1024 * 1024
TIMEOUT_ENV = "EDXTUI_TIMEOUT"
MAX_BODY_ENV = "EDXTUI_MAX_BODY_MB"
#: the most one decompression step may produce: the cap is checked between steps
PIECE = 64 * 1024
if TYPE_CHECKING:  # the CLI reads its flags (bounds_from) before it needs httpx
    import httpx

#: what we ask servers for: the encodings this module decodes with a bound
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class Bounds:
    deadline: float = DEFAULT_DEADLINE  # seconds for a whole request, retries included
    max_body_bytes: int = DEFAULT_MAX_BODY_MB * MIB  # after decompression


def bounds_from(
    timeout: str | float | None = None,
    max_body_mb: str | float | None = None,
    environ: Mapping[str, str] | None = None,
) -> Bounds:
    """Flag > environment > default; ConfigError (a usage message) for a bad value."""
    env = os.environ if environ is None else environ
    deadline = _number(timeout, env.get(TIMEOUT_ENV), "--timeout", TIMEOUT_ENV, "seconds", 30)
    body_mb = _number(max_body_mb, env.get(MAX_BODY_ENV), "--max-body-mb", MAX_BODY_ENV, "MiB", 512)
    return Bounds(
        deadline=DEFAULT_DEADLINE if deadline is None else deadline,
        max_body_bytes=DEFAULT_MAX_BODY_MB * MIB if body_mb is None else int(body_mb * MIB),
    )


def _number(
    flag: str | float | None,
    env_value: str | None,
    flag_name: str,
    env_name: str,
    unit: str,
    example: int,
) -> float | None:
    value, source = (flag, flag_name) if flag is not None else (env_value, env_name)
    if value is None or (source == env_name and not str(value).strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise ConfigError(
            f"{source} must be a number of {unit} greater than 0",  # never echoed: see cli
            f"e.g. {flag_name} {example} (or {env_name}={example})",
        )
    return number


def size_text(n: int) -> str:
    """1 MiB, 256 MiB, 1.5 MiB, 900 KiB: the cap as a person set it."""
    if n >= MIB:
        return f"{n / MIB:g} MiB"
    return f"{n / 1024:g} KiB"


# --- reading a body with a bound ------------------------------------------------------------


class _Inflater:
    """One content coding (gzip or deflate), decoded in pieces of at most PIECE bytes."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        # deflate is meant to be zlib-wrapped, but some servers send raw deflate (as httpx)
        wbits = zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._z.decompress(data, PIECE)
            except zlib.error:
                if self.coding == "deflate" and not self._started:
                    self._z, self._started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise
            self._started = True
            data = self._z.unconsumed_tail
            if out:
                yield out
            if self._z.eof or (not data and len(out) < PIECE):
                return

    def flush(self) -> Iterator[bytes]:
        out = self._z.flush()
        if out:
            yield out


def _decoders(response: httpx.Response) -> list[_Inflater]:
    """The codings to undo, last applied first; others (identity, unknown) pass as they are,
    as httpx does."""
    codings = [
        c.strip().lower() for c in response.headers.get_list("content-encoding", split_commas=True)
    ]
    return [_Inflater(c) for c in reversed(codings) if c in ("gzip", "deflate")]


def _through(stages: list[_Inflater], data: bytes, flush: bool = False) -> Iterator[bytes]:
    if not stages:
        if data:
            yield data
        return
    first, rest = stages[0], stages[1:]
    if data:
        for piece in first.feed(data):  # lazily: the cap is checked between pieces
            yield from _through(rest, piece)
    if flush:
        for piece in first.flush():
            yield from _through(rest, piece)
        yield from _through(rest, b"", flush=True)


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, read while streaming; BodyTooLargeError as soon as it passes `limit`
    (the connection is closed then, nothing more is read). A corrupt coding raises
    httpx.DecodingError, as httpx's own reader would."""
    import httpx

    def too_large() -> BodyTooLargeError:
        return BodyTooLargeError(
            f"the response from {response.url.host} is larger than the "
            f"{size_text(limit)} limit (counted after decompression); stopped reading",
            f"raise the limit with --max-body-mb N (or {MAX_BODY_ENV}) if it is expected",
        )

    if response.is_stream_consumed:  # built in memory (httpx.MockTransport in tests)
        if len(response.content) > limit:
            raise too_large()
        return response.content
    stages = _decoders(response)
    body = bytearray()

    def take(pieces: Iterator[bytes]) -> None:
        for piece in pieces:
            if len(body) + len(piece) > limit:
                raise too_large()
            body.extend(piece)

    try:
        async for raw in response.aiter_raw():
            take(_through(stages, raw))
        take(_through(stages, b"", flush=True))
    except zlib.error as exc:
        raise httpx.DecodingError(str(exc), request=response.request) from None
    finally:
        await response.aclose()
    return bytes(body)
