"""The token lifecycle: fetch, expiry, refresh margin, single flight, background refresh.

Rules (see docs/core.md):

- Expiry comes from `expires_in`, measured from the wall clock just before the POST. The
  JWT's own `exp` is shown beside it (clock skew) but never trusted.
- The wall clock decides (a laptop that slept must not trust a monotonic countdown), and
  a monotonic deadline taken at the same moment also bounds the token, so a wall clock
  that jumps backwards cannot stretch a token's life either: whichever clock says
  "expired" first wins.
- Refresh margin = min(60 s, lifetime / 2): a 5-second token is refreshed 2.5 s before it
  expires, a one-hour token one minute before.
- Single flight: one asyncio Task does the POST; every caller that needs a token meanwhile
  awaits that same task (shielded, so one cancelled caller cancels nobody else's wait).
- A token past its expiry is never handed out. Inside the margin, callers wait for the
  refresh; if that refresh fails while the old token still has a few seconds left, they
  get the old one (the state says ERROR, and the retry is scheduled with backoff).
- Permanent OAuth errors (invalid_client, ...) stop all refreshing until `refresh()` is
  called explicitly (the person fixed something, or asked).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from edxtui.api.errors import AuthError, EdxError, ThrottledError
from edxtui.api.jwt import try_decode
from edxtui.api.state import TokenState, TokenStatus
from edxtui.api.token_response import TokenGrant, parse_token_response

log = logging.getLogger("edxtui.api.tokens")

MARGIN_CAP = 60.0
#: the token endpoint's rate-limit page (a 403 HTML page) is asked again this many times in a
#: row, with backoff; then the retries stop until a person asks (refresh(): the panel's `f`):
#: django-ratelimit blocks every POST until its window passes, so asking on only extends it
RATE_LIMIT_TRIES = 4


#: tokens kept (in memory) after they were replaced, so the inspector can reveal the token an
#: older request really sent; a request older than these shows it is no longer held
RECENT_TOKENS = 8


def fingerprint(token: str) -> str:
    """A short name for `token` that gives nothing of it away (an exchange records this)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def refresh_margin(lifetime: float) -> float:
    """How long before expiry a token is replaced: min(60 s, half its lifetime)."""
    return min(MARGIN_CAP, lifetime / 2)


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    issued_at: float  # wall clock just before the POST
    expires_at: float  # issued_at + lifetime (wall)
    mono_deadline: float  # monotonic clock just before the POST + lifetime
    lifetime: float
    token_type: str
    scope: str | None
    header: dict[str, Any] | None
    claims: dict[str, Any] | None
    jwt_error: str | None
    invalidated: bool = False


class TokenManager:
    """Holds one access token and replaces it before it expires (see the module doc)."""

    def __init__(
        self,
        post: Callable[[], Awaitable[httpx.Response]],
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        step: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        self._post = post
        self._clock = clock
        # a caller that fakes the wall clock fakes all of time: by default the monotonic
        # bound then follows the same fake clock (else a frozen test clock would drift)
        if monotonic is None:
            monotonic = time.monotonic if clock is time.time else clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._step = step  # longest single sleep of the background loop (notices clock jumps)
        self._rng = rng or random.Random()
        self._token: _Token | None = None
        self._inflight: asyncio.Task[None] | None = None
        self._background: asyncio.Task[None] | None = None
        self._last_error: EdxError | None = None
        self._permanent: EdxError | None = None
        self._next_retry_at: float | None = None
        self._failures = 0
        self._refresh_count = 0
        self._fetch_count = 0
        self._subscribers: list[Callable[[TokenState], None]] = []
        self._recent: dict[str, str] = {}  # fingerprint -> token, the last RECENT_TOKENS

    def __repr__(self) -> str:  # never the token
        return f"<TokenManager {self.state().status.value}>"

    # -- time ---------------------------------------------------------------------------

    def _expiry(self, token: _Token) -> float:
        """Wall-clock expiry, pulled earlier if the monotonic clock says less time is left."""
        mono_left = token.mono_deadline - self._monotonic()
        return min(token.expires_at, self._clock() + mono_left)

    def _usable(self, token: _Token | None, slack: float = 0.0) -> bool:
        return (
            token is not None
            and not token.invalidated
            and self._clock() < self._expiry(token) - slack
        )

    # -- public API -----------------------------------------------------------------------

    @property
    def current_token(self) -> str | None:
        """The live token for copy or reveal (None if there is none or it expired)."""
        token = self._token
        return token.value if token is not None and self._usable(token) else None

    def sent_token(self, token_id: str | None) -> str | None:
        """The token whose `fingerprint` a request recorded, while it is one of the last
        RECENT_TOKENS (for reveal only: the token a past request sent, not today's)."""
        return self._recent.get(token_id) if token_id else None

    async def get_token(self) -> str:
        """A live token; waits for the one in-flight fetch when a new one is needed."""
        token = self._token
        if token is not None and not token.invalidated:
            now, expiry = self._clock(), self._expiry(token)
            if now < expiry - refresh_margin(token.lifetime):
                return token.value
            backing_off = self._next_retry_at is not None and now < self._next_retry_at
            if self._inflight is None and backing_off and self._usable(token, _slack(token)):
                return token.value  # a refresh just failed; it is retried on schedule
        if self._permanent is not None:
            if token is not None and self._usable(token, _slack(token)):
                return token.value  # e.g. the secret was rotated: the old token still works
            raise self._permanent
        if self._inflight is None and self._throttled():
            raise self._last_error  # type: ignore[misc]  # asking again only extends the ban
        try:
            await asyncio.shield(self._start_fetch())
        except EdxError:
            if self._usable(token, _slack(token) if token else 0.0):
                return token.value  # type: ignore[union-attr]
            raise
        fresh = self._token
        if fresh is None or not self._usable(fresh):
            raise AuthError(
                "the token endpoint issued a token that expired before it could be used",
                "its lifetime is shorter than the round trip; check the server's settings",
            )
        return fresh.value

    def _throttled(self) -> bool:
        """The token endpoint rate-limited us and its wait is not over yet."""
        error = self._last_error
        if isinstance(error, ThrottledError):  # the session's own verdict: until retry_at
            return self._clock() < error.retry_at
        return (
            isinstance(error, AuthError)
            and error.status in (403, 429)
            and self._next_retry_at is not None
            and self._clock() < self._next_retry_at
        )

    def invalidate(self, token: str) -> None:
        """The API refused `token` (401): never hand it out again."""
        current = self._token
        if current is not None and current.value == token and not current.invalidated:
            self._token = replace(current, invalidated=True)
            log.debug("token invalidated after a 401")
            self._notify()

    async def refresh(self) -> None:
        """Fetch a new token now (also after a permanent error: the person asked)."""
        self._permanent = None
        await asyncio.shield(self._start_fetch())  # joins a fetch already in flight

    def state(self) -> TokenState:
        now = self._clock()
        token = self._token
        if self._inflight is not None:
            status = TokenStatus.FETCHING if token is None else TokenStatus.REFRESHING
        elif self._last_error is not None:
            status = TokenStatus.ERROR
        elif token is None:
            status = TokenStatus.NONE
        elif not self._usable(token):
            status = TokenStatus.EXPIRED
        elif now >= self._expiry(token) - refresh_margin(token.lifetime):
            status = TokenStatus.EXPIRING
        else:
            status = TokenStatus.VALID
        if token is None:
            return TokenState(
                status=status,
                now=now,
                last_error=self._last_error,
                next_retry_at=self._next_retry_at,
                refresh_count=self._refresh_count,
                fetch_count=self._fetch_count,
                extra={"permanent": self._permanent is not None},
            )
        expiry = self._expiry(token)
        exp_claim = (token.claims or {}).get("exp")
        skew = (
            float(exp_claim) - token.expires_at
            if isinstance(exp_claim, int | float) and not isinstance(exp_claim, bool)
            else None
        )
        return TokenState(
            status=status,
            now=now,
            issued_at=token.issued_at,
            expires_at=expiry,
            lifetime=token.lifetime,
            refresh_at=expiry - refresh_margin(token.lifetime),
            token_type=token.token_type,
            scope=token.scope,
            jwt_header=token.header,
            jwt_claims=token.claims,
            jwt_error=token.jwt_error,
            clock_skew=skew,
            last_error=self._last_error,
            next_retry_at=self._next_retry_at,
            refresh_count=self._refresh_count,
            fetch_count=self._fetch_count,
            extra={"invalidated": token.invalidated, "permanent": self._permanent is not None},
        )

    def subscribe(self, callback: Callable[[TokenState], None]) -> Callable[[], None]:
        """Call `callback(state)` on every change; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def start_background(self) -> None:
        """Keep a live token while idle: refresh ahead of expiry, retry failures with backoff."""
        if self._background is None or self._background.done():
            self._background = asyncio.get_running_loop().create_task(
                self._run_background(), name="edxtui-token-refresh"
            )

    async def aclose(self) -> None:
        """Stop the background refresh and any fetch in flight (the session is closing)."""
        tasks = [t for t in (self._background, self._inflight) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._background = None
        self._inflight = None

    # -- internals ------------------------------------------------------------------------

    def _notify(self) -> None:
        if not self._subscribers:
            return
        snapshot = self.state()
        for callback in list(self._subscribers):
            try:
                callback(snapshot)
            except Exception:  # a broken subscriber must not break the token flow
                log.exception("token state subscriber failed")

    def _start_fetch(self) -> asyncio.Task[None]:
        if self._inflight is None:
            task = asyncio.get_running_loop().create_task(self._fetch(), name="edxtui-token-fetch")
            # nobody may await a background fetch: mark its exception as seen
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self._inflight = task
            self._notify()
        return self._inflight

    async def _fetch(self) -> None:
        issued_at, mono = self._clock(), self._monotonic()
        self._fetch_count += 1
        try:
            response = await self._post()
            grant = parse_token_response(response)
        except EdxError as exc:
            self._failed(exc)
            raise
        except Exception as exc:  # a bug: still leave a readable state behind
            error = AuthError(f"fetching a token failed unexpectedly ({type(exc).__name__})")
            self._failed(error)
            raise error from exc
        else:
            self._succeeded(grant, issued_at, mono)
        finally:
            if self._inflight is asyncio.current_task():
                self._inflight = None
            self._notify()

    def _succeeded(self, grant: TokenGrant, issued_at: float, mono: float) -> None:
        header, claims, jwt_error = try_decode(grant.access_token)
        if self._token is not None:
            self._refresh_count += 1
        self._recent[fingerprint(grant.access_token)] = grant.access_token
        while len(self._recent) > RECENT_TOKENS:
            del self._recent[next(iter(self._recent))]
        self._token = _Token(
            value=grant.access_token,
            issued_at=issued_at,
            expires_at=issued_at + grant.expires_in,
            mono_deadline=mono + grant.expires_in,
            lifetime=grant.expires_in,
            token_type=grant.token_type,
            scope=grant.scope,
            header=header,
            claims=claims,
            jwt_error=jwt_error,
        )
        self._last_error = None
        self._permanent = None
        self._next_retry_at = None
        self._failures = 0
        log.debug("token fetched; lifetime %.0f s", grant.expires_in)

    def _failed(self, error: EdxError) -> None:
        self._last_error = error
        self._failures += 1
        if isinstance(error, AuthError) and error.permanent:
            self._permanent = error
            self._next_retry_at = None
        elif _rate_limit_page(error) and self._failures >= RATE_LIMIT_TRIES:
            self._permanent = error  # not permanent itself: the panel offers a manual retry
            self._next_retry_at = None
        elif isinstance(error, ThrottledError):
            self._next_retry_at = error.retry_at  # the server said when; not before
        else:
            delay = min(self._backoff_max, self._backoff_base * 2 ** (self._failures - 1))
            delay *= self._rng.uniform(0.8, 1.2)
            retry_after = getattr(error, "retry_after", None)
            if retry_after is not None:
                delay = max(delay, min(retry_after, self._backoff_max))
            self._next_retry_at = self._clock() + delay
        log.debug("token fetch failed: %s", error.message)

    def _due(self) -> float | None:
        """When the background loop should fetch next (wall clock); None: not on its own."""
        if self._permanent is not None:
            return None
        if self._inflight is not None:
            return self._clock()
        if self._next_retry_at is not None:
            return self._next_retry_at
        token = self._token
        if token is None or token.invalidated:
            return self._clock()
        return self._expiry(token) - refresh_margin(token.lifetime)

    async def _run_background(self) -> None:
        while True:
            due = self._due()
            now = self._clock()
            if due is not None and now >= due:
                with contextlib.suppress(EdxError):  # recorded in the state, retried later
                    await asyncio.shield(self._start_fetch())
                continue
            # short steps, re-reading the wall clock each time: a suspend or a clock jump
            # is noticed within one step instead of after a long stale sleep
            wait = self._step if due is None else min(self._step, due - now)
            await self._sleep(max(wait, 0.001))


def _rate_limit_page(error: EdxError) -> bool:
    """The token endpoint's django-ratelimit page: a 403 the parser did not call permanent."""
    return isinstance(error, AuthError) and error.status == 403 and not error.permanent


def _slack(token: _Token) -> float:
    """Time a fallback token must still have left so it does not expire in flight."""
    return min(2.0, token.lifetime / 4)
