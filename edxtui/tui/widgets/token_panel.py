"""The token panel: the live state of the session's token, always on screen.

It reads `TokenManager.state()` once a second (a countdown must tick even when nothing
happens) and again whenever the manager reports a change. Claims are decoded by the core
for display only and are untrusted text. The token itself is masked unless revealed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from edxtui.api.errors import AuthError, EdxError
from edxtui.api.state import TokenState, TokenStatus
from edxtui.tui.clipboard import copy_text
from edxtui.tui.text import countdown, local_time, safe
from edxtui.tui.widgets.budget_line import budget_line, throttle_note
from edxtui.tui.widgets.lifetime_bar import LifetimeBar
from edxtui.tui.widgets.panel_button import PanelButton

if TYPE_CHECKING:
    from textual.widget import AwaitMount

    from edxtui.api.budget import RequestBudget

#: |exp claim - local expiry| above this is worth a warning (seconds)
SKEW_WARNING = 30.0
#: a token's states before the first answer from its endpoint
UNSETTLED = (TokenStatus.NONE, TokenStatus.FETCHING)
#: the panel's class for each mood of status_line (they colour the border and the bar)
MOOD_CLASSES = frozenset({"-ok", "-warn", "-bad"})
#: how much of a token the masked view shows
MASK_PREFIX = 10


class TokenSource(Protocol):
    """What the panel needs from a TokenManager."""

    @property
    def current_token(self) -> str | None: ...

    def state(self) -> TokenState: ...

    def subscribe(self, callback: Callable[[TokenState], None]) -> Callable[[], None]: ...

    async def refresh(self) -> Any: ...


def mask(token: str | None, state: TokenState | None = None) -> str:
    """The token's first characters; when there is no live one, why (never "none yet" for
    a token that existed: it expired, or the API refused it)."""
    if not token:
        if state is not None and state.expires_at is not None:
            return "(refused by the API)" if state.extra.get("invalidated") else "(expired)"
        return "(none yet)"
    return token[:MASK_PREFIX] + "…"


def _still_good(state: TokenState) -> bool:
    """A token that still works (whatever the last refresh did)."""
    return bool(state.seconds_left) and not state.extra.get("invalidated")


def status_line(state: TokenState) -> tuple[Text, str]:
    """The status as Text, and the panel's mood: "ok", "warn" or "bad"."""
    left = state.seconds_left
    text = Text("Token ", style="bold")
    mood = "ok"
    status = state.status
    if status is TokenStatus.NONE:
        text.append("no token yet", style="dim")
        return text, "warn"
    if status is TokenStatus.FETCHING:
        text.append("fetching a token…", style="bold")
        return text, "warn"
    if status is TokenStatus.ERROR and not _still_good(state):
        text.append("● error", style="bold red")
        return text, "bad"
    if status is TokenStatus.EXPIRED or (left is not None and left <= 0):
        text.append("● expired", style="bold red")
        return text, "bad"
    if status is TokenStatus.ERROR:
        # A failed refresh while the token still works is a warning: it still serves.
        text.append("● valid, refresh failed", style="bold yellow")
        mood = "warn"
    elif status is TokenStatus.REFRESHING:
        text.append("● refreshing…", style="bold yellow")
        mood = "warn"
    elif status is TokenStatus.EXPIRING or (
        state.refresh_at is not None and state.now >= state.refresh_at  # the core's margin
    ):
        text.append("● expiring soon", style="bold yellow")
        mood = "warn"
    else:
        text.append("● valid", style="bold green")
    text.append(f"  {countdown(left)} left", style="bold")
    if state.lifetime:
        text.append(f" of {countdown(state.lifetime)}", style="dim")
    return text, mood


def not_retrying(err: BaseException) -> str:
    """Why no retry is scheduled, and what a person can do about it."""
    if isinstance(err, AuthError) and not err.permanent:  # gave up asking (the rate limit)
        return "not retrying by itself: press f (Refresh) to try again"
    if isinstance(err, AuthError) and err.status == 403 and err.oauth_error is None:
        return "not retrying: a configuration error: check the token URL (c)"
    return "not retrying: check the credentials (c)"


def detail_lines(state: TokenState, *, stable: bool = False) -> Text:
    """Two or three lines: refresh schedule or last error, the unverified claims, and a
    clock-skew warning when there is one. `stable` hides the claims' times (snapshots).

    A failed fetch takes the first line's place (the claims follow it on that line), so
    the panel keeps its height whatever the refresh does."""
    lines: list[Text] = []
    first = Text()
    if state.status is TokenStatus.ERROR and state.last_error is not None:
        err = state.last_error
        if state.expires_at is None:
            first.append("No token: ", style="bold red")
        else:  # a warning while the token still works (the status line says so)
            first.append(
                "Refresh failed: ", style="bold " + ("yellow" if _still_good(state) else "red")
            )
        first.append_text(safe(err.message if isinstance(err, EdxError) else type(err).__name__))
        if state.next_retry_at is not None:
            first.append(
                f" · retrying in {countdown(state.next_retry_at - state.now)}", style="bold"
            )
        else:
            first.append(f" · {not_retrying(err)}", style="bold")
        hint = getattr(err, "hint", "")
        if hint:
            first.append(" · ")
            first.append_text(safe(hint, "dim"))
    elif state.status is TokenStatus.REFRESHING:
        first.append("getting a new token…", style="yellow")
    elif state.refresh_at is not None and state.status in (TokenStatus.VALID, TokenStatus.EXPIRING):
        first.append(f"auto-refresh in {countdown(state.refresh_at - state.now)}", style="dim")
    if state.refresh_count:
        first.append(f" · refreshed {state.refresh_count}×", style="dim")
    claims = state.jwt_claims or {}
    if claims:
        user = claims.get("preferred_username")
        scopes = claims.get("scopes")
        if isinstance(scopes, list):
            scopes = " ".join(str(s) for s in scopes)
        first.append(" · user " if first else "user ", style="dim")
        first.append_text(safe(user if user is not None else "?", "bold", limit=40))
        first.append(" · scopes ", style="dim")
        first.append_text(safe(scopes if scopes is not None else state.scope or "?", limit=60))
        second = Text()
        if stable:
            second.append("issued ", style="dim")
            second.append("(time hidden)")
        else:
            second.append("issued ", style="dim")
            second.append(local_time(claims.get("iat")))
            second.append(" · expires ", style="dim")
            second.append(local_time(claims.get("exp")))
        second.append(" · iss ", style="dim")
        second.append_text(safe(claims.get("iss", "?"), limit=60))
        second.append(" · aud ", style="dim")
        second.append_text(safe(claims.get("aud", "?"), limit=40))
        lines.append(first)
        lines.append(second)
    else:
        if state.jwt_error:
            first.append(" · claims: " if first else "claims: ", style="dim")
            first.append_text(safe(state.jwt_error))
        lines.append(first)
    if state.clock_skew is not None and abs(state.clock_skew) >= SKEW_WARNING:
        ahead = "ahead of" if state.clock_skew > 0 else "behind"
        warning = Text("⚠ clock skew: ", style="bold yellow")
        warning.append(
            f"the token's exp is {countdown(abs(state.clock_skew))} {ahead} the local expiry; "
            "check this machine's clock",
            style="yellow",
        )
        lines.append(warning)
    return Text("\n").join(line for line in lines if line)


class StatusLine(Static):
    """The panel's first line, which counts its draws: `TokenPanel.shows_token` asks
    whether a settled token's line has been drawn yet."""

    draws = 0

    def render(self) -> RenderResult:
        self.draws += 1
        return super().render()


class TokenPanel(Vertical):
    """Status, countdown, lifetime bar, claims, and the token actions."""

    class Notice(Message):
        """Something to tell the user (a toast): the panel does not own notifications."""

        def __init__(self, text: str, severity: str = "information") -> None:
            super().__init__()
            self.text = text
            self.severity = severity

    revealed: reactive[bool] = reactive(False)
    state: reactive[TokenState | None] = reactive(None, always_update=True)

    def __init__(
        self,
        tokens: TokenSource,
        *,
        stable: bool = False,
        id: str | None = None,
        budget: RequestBudget | None = None,
        place: Text | None = None,
    ) -> None:
        # Born in the mood of the token's state now, so showing that state does not
        # restyle the panel and everything in it before the countdown's first paint.
        super().__init__(id=id, classes=f"-{status_line(tokens.state())[1]}")
        self.tokens = tokens
        self.stable = stable
        #: the session's request budget, shown in the border subtitle before `place`
        self.budget = budget
        self.place = place
        self._budget_shown = ""
        self._unsubscribe: Callable[[], None] | None = None
        self._loop_thread = threading.get_ident()
        self._shapes: dict[str, tuple[int, ...]] = {}  # selector -> line widths shown
        self._settled_at: int | None = None  # the status line's draws when a token settled

    def compose(self) -> ComposeResult:
        with Horizontal(id="token-top"):
            yield StatusLine(id="token-status")
            yield LifetimeBar(id="token-bar")
        yield Static(id="token-detail")
        with Horizontal(id="token-actions"):
            yield Static(id="token-value")
        yield Static(id="token-full")  # the revealed token, whole and wrapped (see _show_token)

    def on_mount(self) -> None:
        self._loop_thread = threading.get_ident()
        self._unsubscribe = self.tokens.subscribe(self._on_change)
        self.set_interval(1.0, self.poll)
        self.poll()

    def mount_buttons(self) -> AwaitMount | None:
        """Add the action buttons (once); the explorer calls this when it builds its panes.

        Not in `compose`: four buttons to style and lay out are time the countdown need
        not wait for, and their keys (t, a, f, v) work from the start.
        """
        if not self.is_attached or self.query("#token-actions PanelButton"):
            return None
        reveal = "Hide" if self.revealed else "Reveal"
        buttons = [
            PanelButton("Copy token", id="copy-token"),
            PanelButton("Copy header", id="copy-header"),
            PanelButton("Refresh", id="refresh-token"),
            PanelButton(reveal, id="reveal-token"),
        ]
        return self.query_one("#token-actions").mount_all(buttons)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_change(self, _state: TokenState) -> None:
        # The manager calls back from inside its own coroutine on the app's loop: show the
        # change at once, so the frame being laid out now has it. (Through call_later, the
        # panel's queue ran it only after that frame, and the first token cost a frame of
        # its own, up to ~12 ms before the countdown.) From another thread, through the loop.
        if threading.get_ident() == self._loop_thread:
            self.poll()
        else:
            self.app.call_from_thread(self.poll)

    def poll(self) -> None:
        """Take a fresh snapshot (its `now` ticks the countdown), and the budget's."""
        if self.is_attached:
            self.state = self.tokens.state()
            self.show_budget()

    def show_budget(self) -> None:
        """The request budget in the border subtitle (the countdown's tick refreshes it)."""
        if self.budget is None:
            if self.place is not None and not self._budget_shown:
                self.border_subtitle = self.place
                self._budget_shown = self.place.plain
            return
        state = self.state if self.state is not None else self.tokens.state()
        line = budget_line(self.budget, state.now, self.place)
        if line.plain != self._budget_shown:  # a new subtitle is a repaint of the border
            self._budget_shown = line.plain
            self.border_subtitle = line

    def watch_state(self, state: TokenState | None) -> None:
        if state is None:
            return
        status, mood = status_line(state)
        note = None if self.budget is None else throttle_note(self.budget, state.now)
        if note is not None:  # the server's long wait, on the line a person reads first
            status.append("  ")
            status.append_text(note)
        self._update("#token-status", status)
        if self._settled_at is None and state.status not in UNSETTLED:
            self._settled_at = self.query_one(StatusLine).draws
        self._update("#token-detail", detail_lines(state, stable=self.stable))
        fraction = state.fraction_left
        # In thousandths, as the panel's bar always counted: a token fresh from its endpoint
        # (99.95% or more of its life left) shows a full bar, not one half a cell short.
        thousandths = 0 if fraction is None else round(fraction * 1000)
        self.query_one("#token-bar", LifetimeBar).fraction = thousandths / 1000
        # One assignment, one restyle: each add_class/remove_class restyles the whole
        # panel, and a mood change is a remove and an add.
        classes = (self.classes - MOOD_CLASSES) | {f"-{mood}"}
        if classes != self.classes:
            self.classes = classes
        self._show_token()

    def watch_revealed(self, _revealed: bool) -> None:
        if self.is_mounted:
            self._show_token()
            for button in self.query("#reveal-token").results(PanelButton):  # none until mounted
                button.label = "Hide" if self.revealed else "Reveal"

    def _show_token(self) -> None:
        # A JWT is ~750 characters: revealed, it gets rows of its own below the buttons,
        # wrapped and selectable with the mouse, and the panel grows to hold it.
        token = self.tokens.current_token
        revealed = bool(self.revealed and token)
        shown = Text("token ", style="dim")
        if revealed and token:
            shown.append(f"revealed below ({len(token)} characters; select with the mouse)")
            # stable mode (snapshots, screenshots) shows its shape, never the token itself
            whole = Text("•" * len(token) if self.stable else token, style="yellow")
        else:
            shown.append(mask(token, self.state))
            whole = Text()
        self._update("#token-value", shown)
        self._update("#token-full", whole)
        self.set_class(revealed, "-revealed")

    @property
    def shows_token(self) -> bool:
        """Whether the line of a settled token (valid, or failed) has been drawn: the
        explorer builds its panes after the countdown's paint, not before it."""
        return self._settled_at is not None and self.query_one(StatusLine).draws > self._settled_at

    def _update(self, selector: str, text: Text) -> None:
        """Show `text`; ask for a layout only if its shape changed.

        The countdown ticks every second, and a layout re-arranges the whole screen: with
        a big tree loaded that is a whole frame for text whose size did not change.
        """
        shape = tuple(cell_len(line) for line in text.plain.split("\n"))
        changed = self._shapes.get(selector) != shape
        self._shapes[selector] = shape
        self.query_one(selector, Static).update(text, layout=changed)

    # Actions: the explorer's key bindings and the command palette call these too.

    def copy_token(self) -> None:
        token = self.tokens.current_token
        if not token:
            self.post_message(self.Notice("No token yet: nothing copied", "warning"))
            return
        self.post_message(self.Notice(copy_text(self.app, token, "the token")))

    def copy_header(self) -> None:
        token = self.tokens.current_token
        if not token:
            self.post_message(self.Notice("No token yet: nothing copied", "warning"))
            return
        message = copy_text(self.app, f"Authorization: JWT {token}", "the Authorization header")
        self.post_message(self.Notice(message))

    def toggle_reveal(self) -> None:
        self.revealed = not self.revealed

    @work(exclusive=True, group="token-refresh", exit_on_error=False)
    async def refresh_now(self) -> None:
        self.post_message(self.Notice("Refreshing the token…"))
        try:
            await self.tokens.refresh()
        except EdxError as err:
            self.post_message(self.Notice(f"Token refresh failed: {err.message}", "error"))
        except Exception as err:  # noqa: BLE001 - shown, never a traceback
            self.post_message(self.Notice(f"Token refresh failed: {type(err).__name__}", "error"))
        else:
            self.post_message(self.Notice("Got a new token"))
        self.poll()

    def on_panel_button_pressed(self, event: PanelButton.Pressed) -> None:
        event.stop()
        actions: dict[str, Callable[[], object]] = {  # refresh_now starts a worker
            "copy-token": self.copy_token,
            "copy-header": self.copy_header,
            "refresh-token": self.refresh_now,
            "reveal-token": self.toggle_reveal,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()
