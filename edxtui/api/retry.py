"""When to retry an idempotent request, and how long to wait first.

Retried: 429 (throttled: wait for Retry-After, capped, or back off with jitter when the
header is missing), 502/503/504 (a gateway or an overloaded server: usually gone in a
moment), and failures that happen before or while reading a response of an idempotent GET
(connection refused, a dropped or cut-short connection).

Not retried: 500. On this API a 500 is a server bug triggered by this very request, so
asking again repeats the bug, multiplies the load and only delays the message the person
needs to see. Other 4xx are answers, not accidents (400, 401 handled by the auth flow, 403,
404). TLS failures and names that do not resolve are not retried either: the
first is permanent, the second almost always is. A read timeout is retried once, on a GET
only (a cold page on a big discovery is slow once, then cached); more would multiply a long
wait. A 429 whose Retry-After is past `give_up_after` (30 s) is not waited for at all:
the Session ends the work at once (budget.py, ThrottledError).
"""

from __future__ import annotations

import datetime
import email.utils
import math
import random
import re
import time
from dataclasses import dataclass, field

import httpx

from edxtui.api.errors import is_name_error, is_tls_error

RETRY_STATUSES = frozenset({429, 502, 503, 504})

# delay-seconds is 1*DIGIT (RFC 9110 10.2.3); a fraction is tolerated, a sign or "inf" is not
_DELAY_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After value in seconds from `now` (RFC 9110: delay-seconds or an HTTP-date);
    None when absent or unreadable. A date in the past is 0. The token path (a 429 or the
    403 throttle page of the token endpoint) and the API path's RetryPolicy both use this."""
    if value is None:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime dates carry no zone; HTTP dates are always GMT
        when = when.replace(tzinfo=datetime.UTC)
    seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3  # retries after the first attempt, for any retryable cause
    backoff_base: float = 0.5  # seconds; attempt n waits up to base * 2**(n-1)
    backoff_max: float = 8.0
    retry_after_cap: float = 30.0  # never wait longer than this for a 429's Retry-After
    # a Retry-After longer than this is not waited for at all: the work ends at once with
    # the time to come back (ThrottledError; a real deployment's budget is per hour)
    give_up_after: float = 30.0
    statuses: frozenset[int] = RETRY_STATUSES
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, retry: int) -> float:
        """Full jitter: a random wait in [base/2, base * 2**(retry-1)], capped."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** max(0, retry - 1))
        return self.rng.uniform(min(ceiling, self.backoff_base / 2), ceiling)

    def retry_after(
        self, response: httpx.Response, now: float | None = None, *, capped: bool = True
    ) -> float | None:
        """The response's Retry-After in seconds, capped; None if absent or unreadable."""
        seconds = parse_retry_after(response.headers.get("retry-after"), now)
        if seconds is None or not capped:
            return seconds
        return min(self.retry_after_cap, seconds)

    def delay_for_response(self, response: httpx.Response, retry: int) -> float | None:
        """Seconds to wait before retry number `retry` (1-based), or None: do not retry."""
        if retry > self.max_retries or response.status_code not in self.statuses:
            return None
        if response.status_code == 429:
            after = self.retry_after(response)
            if after is not None:
                return after
        return self.backoff(retry)

    def delay_for_error(self, exc: Exception, retry: int, method: str = "GET") -> float | None:
        """Seconds to wait before retrying after a transport failure, or None."""
        if retry > self.max_retries:
            return None
        if isinstance(exc, httpx.ReadTimeout):
            # a cold page can be slow once and fast after (the server caches it): a GET
            # is asked once more; more would multiply a long wait
            return self.backoff(retry) if method == "GET" and retry <= 1 else None
        if not is_retryable_error(exc):
            return None
        return self.backoff(retry)


def is_retryable_error(exc: BaseException) -> bool:
    if isinstance(exc, httpx.ConnectError):
        return not (is_tls_error(exc) or is_name_error(exc))
    return isinstance(exc, httpx.ConnectTimeout | httpx.RemoteProtocolError | httpx.ReadError)
