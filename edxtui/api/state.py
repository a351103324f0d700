"""The observable token state that the token panel renders and the CLI reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from edxtui.api.errors import EdxError


class TokenStatus(enum.Enum):
    NONE = "no token"  # nothing fetched yet
    FETCHING = "fetching"  # first token on its way
    VALID = "valid"
    EXPIRING = "expiring soon"  # inside the refresh margin, refresh not started or waiting
    REFRESHING = "refreshing"  # a valid or expired token is being replaced
    EXPIRED = "expired"
    ERROR = "error"  # the last fetch failed; see last_error and next_retry_at


@dataclass(frozen=True, slots=True)
class TokenState:
    """A snapshot; `now` is the wall-clock time it was taken at."""

    status: TokenStatus
    now: float
    issued_at: float | None = None  # wall clock just before the token POST
    expires_at: float | None = None  # issued_at + expires_in
    lifetime: float | None = None  # expires_in as served
    refresh_at: float | None = None  # when the background refresh will start
    token_type: str | None = None
    scope: str | None = None
    jwt_header: dict[str, Any] | None = None  # decoded for display only, never trusted
    jwt_claims: dict[str, Any] | None = None
    jwt_error: str | None = None  # why the token could not be decoded for display
    clock_skew: float | None = None  # claims.exp - expires_at, seconds; None if unknown
    last_error: EdxError | None = None
    next_retry_at: float | None = None  # when a failed refresh is tried again
    refresh_count: int = 0  # successful token fetches after the first
    fetch_count: int = 0  # token POSTs sent, successful or not
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds_left(self) -> float | None:
        if self.expires_at is None:
            return None
        return max(0.0, self.expires_at - self.now)

    @property
    def fraction_left(self) -> float | None:
        if self.expires_at is None or not self.lifetime:
            return None
        return max(0.0, min(1.0, (self.expires_at - self.now) / self.lifetime))
