"""When to retry an idempotent request, and how long to wait first.

Retried: 429 (throttled: wait for Retry-After, capped, or back off with jitter when the
header is missing), 502/503/504 (a gateway or an overloaded server: usually gone in a
moment), and failures that happen before or while reading a response of an idempotent GET
(connection refused, a dropped or cut-short connection).

Not retried: 500. On this API a 500 is a server bug triggered by this very request, so
asking again repeats the bug, multiplies the load and only delays the message the person
needs to see. Other 4xx are answers, not accidents (400, 401 handled by the auth flow, 403,
404). TLS failures, names that do not resolve and read timeouts are not retried either: the
first is permanent, the second almost always is, and the third would multiply a long wait.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from dataclasses import dataclass, field

import httpx

from edxtui.api.errors import exception_chain

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3  # retries after the first attempt, for any retryable cause
    backoff_base: float = 0.5  # seconds; attempt n waits up to base * 2**(n-1)
    backoff_max: float = 8.0
    retry_after_cap: float = 30.0  # never wait longer than this for a 429's Retry-After
    statuses: frozenset[int] = RETRY_STATUSES
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, retry: int) -> float:
        """Full jitter: a random wait in [base/2, base * 2**(retry-1)], capped."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** max(0, retry - 1))
        return self.rng.uniform(min(ceiling, self.backoff_base / 2), ceiling)

    def retry_after(
        self, response: httpx.Response, now: float | None = None, *, capped: bool = True
    ) -> float | None:
        """Retry-After in seconds (delta or HTTP date), capped; None if absent or unreadable."""
        value = response.headers.get("retry-after")
        if value is None:
            return None
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return None
            seconds = when - (time.time() if now is None else now)
        if math.isnan(seconds):
            return None
        return max(0.0, min(self.retry_after_cap, seconds) if capped else seconds)

    def delay_for_response(self, response: httpx.Response, retry: int) -> float | None:
        """Seconds to wait before retry number `retry` (1-based), or None: do not retry."""
        if retry > self.max_retries or response.status_code not in self.statuses:
            return None
        if response.status_code == 429:
            after = self.retry_after(response)
            if after is not None:
                return after
        return self.backoff(retry)

    def delay_for_error(self, exc: Exception, retry: int) -> float | None:
        """Seconds to wait before retrying after a transport failure, or None."""
        if retry > self.max_retries or not is_retryable_error(exc):
            return None
        return self.backoff(retry)


def is_tls_error(exc: BaseException) -> bool:
    import ssl

    return any(
        isinstance(e, ssl.SSLError) for e in exception_chain(exc)
    ) or "CERTIFICATE_VERIFY" in str(exc)


def is_name_error(exc: BaseException) -> bool:
    import socket

    if any(isinstance(e, socket.gaierror) for e in exception_chain(exc)):
        return True
    text = " ".join(str(e) for e in exception_chain(exc)).lower()
    return any(
        s in text
        for s in (
            "name or service not known",
            "nodename nor servname",
            "name resolution",
            "getaddrinfo failed",
            "no address associated",
        )
    )


def is_retryable_error(exc: BaseException) -> bool:
    if isinstance(exc, httpx.ConnectError):
        return not (is_tls_error(exc) or is_name_error(exc))
    return isinstance(exc, httpx.ConnectTimeout | httpx.RemoteProtocolError | httpx.ReadError)
