"""Hostile servers: what a broken or malicious server sends to make a client hang or blow up.

Each is a fault switch (faults.py) the app applies to an API response:
- `trickle = S`: the body goes out one byte every S seconds (a read timeout never trips);
- `bomb_mb = N`: the body is replaced by gzip that inflates to N MiB (JSON whitespace, then
  `{}`), streamed as it is compressed: neither the inflated nor the compressed body is ever
  held whole, and each request compresses afresh (~1 MB of gzip for 1 GiB);
- `endless_next`: every list page links to a `next` page, each with a distinct URL, forever
  (the count stays what it is);
- `server_time = T`: the server's clock is frozen at T (token issue and expiry checks).
`Counters.body_bytes_sent` counts the bytes these bodies really sent.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

from starlette.responses import Response, StreamingResponse

from edxtui.sandbox.faults import Counters, Faults
from edxtui.sandbox.pagination import replace_param

_MIB = 1024 * 1024
_SPACES = b" " * _MIB  # JSON allows any amount of whitespace before a value


def endless_next(url: str) -> str:
    """A next link that never repeats: the request's URL with `after` one higher."""
    after = parse_qs(urlsplit(url).query).get("after", ["0"])[0]
    step = int(after) + 1 if after.isdigit() else 1
    return replace_param(url, "after", step)


async def body_of(response: Response) -> bytes:
    if isinstance(response, StreamingResponse):
        chunks = [
            c.encode() if isinstance(c, str) else bytes(c) async for c in response.body_iterator
        ]
        return b"".join(chunks)
    return bytes(response.body)


async def apply(response: Response, faults: Faults, counters: Counters) -> Response:
    """The hostile version of `response` when a body fault is on, else `response`."""
    if faults.bomb_mb > 0 and response.status_code == 200:
        return _bomb(faults.bomb_mb, counters)
    if faults.trickle > 0:
        return _trickle(await body_of(response), response, faults, counters)
    return response


def _bomb(mib: int, counters: Counters) -> Response:
    async def body() -> AsyncIterator[bytes]:
        z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)  # gzip
        for _ in range(mib):
            chunk = z.compress(_SPACES)
            if chunk:
                counters.bump(body_bytes_sent=len(chunk))
                yield chunk
            await asyncio.sleep(0)  # a big bomb takes seconds: let other requests through
        tail = z.compress(b"{}") + z.flush()
        counters.bump(body_bytes_sent=len(tail))
        yield tail

    return StreamingResponse(
        body(),
        media_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )


def _trickle(data: bytes, response: Response, faults: Faults, counters: Counters) -> Response:
    async def body() -> AsyncIterator[bytes]:
        for i in range(len(data)):
            if i:
                await asyncio.sleep(faults.trickle)
            counters.bump(body_bytes_sent=1)
            yield data[i : i + 1]

    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("content-length", "content-type")
    }
    headers["Content-Length"] = str(len(data))  # the whole body is promised
    return StreamingResponse(
        body(),
        response.status_code,
        headers=headers,
        media_type=response.media_type or "application/json",
    )
