"""The token panel's text, from TokenState snapshots (pure functions: no app, no server)."""

from __future__ import annotations

from edxtui.api.errors import AuthError, TransportError
from edxtui.api.state import TokenState, TokenStatus
from edxtui.api.tokens import refresh_margin
from edxtui.tui.text import countdown
from edxtui.tui.widgets.token_panel import detail_lines, mask, status_line

NOW = 1_700_000_000.0


def state(status=TokenStatus.VALID, left=3000.0, lifetime=3600.0, **kw) -> TokenState:
    expires = NOW + left
    kw.setdefault("refresh_at", expires - refresh_margin(lifetime))
    return TokenState(
        status=status,
        now=NOW,
        issued_at=expires - lifetime,
        expires_at=expires,
        lifetime=lifetime,
        **kw,
    )


def test_countdown_rounds_up_and_grows_hours():
    assert countdown(59.2) == "01:00"
    assert countdown(0.4) == "00:01"
    assert countdown(0) == "00:00"
    assert countdown(3600) == "1:00:00"
    assert countdown(None) == "--:--"


def test_mask_shows_a_prefix_only():
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.signature"
    assert mask(token) == "eyJhbGciOi…" and "signature" not in mask(token)
    assert mask(None) == "(none yet)"


def test_a_token_that_existed_is_never_none_yet():
    assert mask(None, state(left=0)) == "(expired)"
    assert mask(None, state(extra={"invalidated": True})) == "(refused by the API)"
    assert mask(None, TokenState(status=TokenStatus.ERROR, now=NOW)) == "(none yet)"


def test_a_failed_refresh_is_a_warning_while_the_token_works_and_keeps_the_rows():
    claims = {"preferred_username": "eve", "scopes": ["read"], "iss": "i", "aud": "a"}
    err = TransportError("connection refused by lms.example.org:443", "check the URL")
    good = state(jwt_claims=claims)
    failed = state(
        status=TokenStatus.ERROR, last_error=err, next_retry_at=NOW + 8, jwt_claims=claims
    )
    text, mood = status_line(failed)
    assert mood == "warn" and "valid, refresh failed" in text.plain and "50:00 left" in text.plain
    assert len(detail_lines(failed).plain.split("\n")) == len(detail_lines(good).plain.split("\n"))
    assert "user eve" in detail_lines(failed).plain
    gone = state(status=TokenStatus.ERROR, left=0, last_error=err, next_retry_at=NOW + 8)
    assert status_line(gone)[1] == "bad" and "● error" in status_line(gone)[0].plain


def test_moods_follow_the_lifetime():
    text, mood = status_line(state(left=3000))
    assert mood == "ok" and "valid" in text.plain and "50:00 left" in text.plain
    text, mood = status_line(state(left=30))  # inside the refresh margin
    assert mood == "warn" and "expiring soon" in text.plain
    text, mood = status_line(state(status=TokenStatus.REFRESHING, left=20))
    assert mood == "warn" and "refreshing" in text.plain and "00:20 left" in text.plain
    text, mood = status_line(state(status=TokenStatus.EXPIRED, left=0))
    assert mood == "bad" and "expired" in text.plain


def test_expiring_soon_is_when_the_cores_refresh_at_has_passed():
    # the panel reads TokenState.refresh_at, never its own copy of the margin rule
    assert status_line(state(left=100, refresh_at=NOW - 1))[1] == "warn"
    assert status_line(state(left=30, refresh_at=NOW + 1))[1] == "ok"


def test_a_failed_refresh_says_why_and_when_it_retries():
    err = TransportError("connection refused by lms.example.org:443", "check the URL")
    lines = detail_lines(state(status=TokenStatus.ERROR, last_error=err, next_retry_at=NOW + 8))
    assert "Refresh failed: connection refused" in lines.plain
    assert "retrying in 00:08" in lines.plain and "check the URL" in lines.plain
    permanent = AuthError("the token endpoint rejected the client id or secret", permanent=True)
    lines = detail_lines(state(status=TokenStatus.ERROR, last_error=permanent))
    assert "not retrying: check the credentials (c)" in lines.plain


def test_claims_are_untrusted_text_and_skew_is_flagged():
    claims = {
        "preferred_username": "[bold]eve[/bold]\x1b[2J",
        "scopes": ["read", "write"],
        "iss": "https://lms/oauth2",
        "aud": "x",
        "iat": NOW - 600,
        "exp": NOW + 3000,
    }
    lines = detail_lines(state(jwt_claims=claims, clock_skew=-120.0))
    assert "[bold]eve[/bold]\\e[2J" in lines.plain and "\x1b" not in lines.plain
    assert "scopes read write" in lines.plain
    assert "clock skew" in lines.plain and "02:00 behind" in lines.plain
    assert "clock skew" not in detail_lines(state(jwt_claims=claims, clock_skew=3.0)).plain
    hidden = detail_lines(state(jwt_claims=claims), stable=True).plain
    assert "(time hidden)" in hidden
