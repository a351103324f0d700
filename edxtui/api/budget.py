"""The session's request budget: what it spent in the last hour, and what the server said.

Real deployments throttle per user per hour (discovery: `user: 200/hour`, API.md), and every
request a client sends (start-up, a retry, the 401 retry) comes out of that budget. The
Session records each request it puts on the wire here, and every throttling answer (429):

- `last_hour`: how many requests went out in the last hour (a sliding window);
- `last_throttle`: the server's last verdict (a Throttle: when, which status, until when);
- `limit` / `left`: the per-hour budget when it is known, and what is left of it;
- a Retry-After longer than the retry cap blocks the session until then: `check()` raises
  ThrottledError before anything is sent, so no further request reaches a server that has
  said "not before 14:32".

The TUI shows these as its "request budget"; the CLI ends the command with the error.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from edxtui.api.errors import throttled_error

WINDOW = 3600.0  # seconds: the budgets real deployments set are per hour


@dataclass(frozen=True)
class Throttle:
    """One throttling answer: when it came (wall clock), its status, whether the token
    endpoint sent it, and until when the server asked us to wait (None: it did not say)."""

    at: float
    status: int
    token: bool
    retry_at: float | None


class RequestBudget:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._sent: deque[float] = deque()
        self.last_throttle: Throttle | None = None
        self.blocked_until: float | None = None  # a wait past the retry cap: send nothing
        #: the server's per-hour budget when known: set by whoever knows it, or learned from
        #: the first throttled API request (the server counted at most what we sent before)
        self.limit: int | None = None

    @property
    def left(self) -> int | None:
        """Requests left of the known per-hour budget (None: no budget is known). Other
        clients of the same user spend it too, so this is at most what is left."""
        if self.limit is None:
            return None
        return max(0, self.limit - self.last_hour)

    @property
    def last_hour(self) -> int:
        """Requests sent in the last hour (each attempt, retry and redirect hop counts)."""
        self._forget(self._clock())
        return len(self._sent)

    def sent(self) -> None:
        now = self._clock()
        self._sent.append(now)
        self._forget(now)

    def _forget(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - WINDOW:
            self._sent.popleft()

    def throttled(self, status: int, *, token: bool, wait: float | None, cap: float) -> None:
        """Note a throttling answer (`wait`: its Retry-After in seconds, uncapped). A wait
        past `cap` blocks the session and raises ThrottledError at once."""
        now = self._clock()
        retry_at = now + wait if wait is not None else None
        if not token:
            before = self.last_hour - 1  # the throttled request itself went out too
            self.limit = before if self.limit is None else min(self.limit, before)
        self.last_throttle = Throttle(now, status, token, retry_at)
        if retry_at is not None and wait is not None and wait > cap:
            self.blocked_until = retry_at
            raise throttled_error(retry_at, now, status=status, token=token)

    def wait_ends(self, now: float) -> float | None:
        """When the server's long wait ends, while it still holds at `now`; else None."""
        until = self.blocked_until
        held = until is not None and self.last_throttle is not None and now < until
        return until if held else None

    def check(self) -> None:
        """errors.ThrottledError while the server's long wait is not over (nothing is sent)."""
        now = self._clock()
        until, throttle = self.wait_ends(now), self.last_throttle
        if until is None or throttle is None:
            self.blocked_until = None  # over, or never was: requests go again
            return
        raise throttled_error(until, now, status=throttle.status, token=throttle.token)
