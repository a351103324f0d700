"""EdxApp: the Textual application, and `run_app()`, the CLI's way in.

The app owns exactly one Session at a time, created inside Textual's event loop (an httpx
AsyncClient must not cross loops) and closed when the app exits or the user connects
elsewhere. Screens and widgets get the session as an attribute and never build an HTTP
client of their own. Failures reach the user as toasts or inline text, never tracebacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from edxtui.api.credentials import Credentials
from edxtui.api.errors import EdxError
from edxtui.textsafe import visible
from edxtui.tui.text import safe_str

if TYPE_CHECKING:
    from edxtui.api.session import Session  # imported when connecting: it brings httpx
    from edxtui.tui.history_keeper import HistoryKeeper

#: seconds after the app mounts by which the start-up is over (first screen, first token)
GC_PAUSED_FOR = 1.0
#: seconds a new session's explorer waits for its first token before it shows without one:
#: a quick token is in the explorer's first frame; only a slow one shows "fetching a token…"
#: (the tree's rule for "loading…", widgets/catalog/tree.py LOADING_AFTER)
FIRST_TOKEN_WAIT = 0.1


class EdxApp(App[int]):
    """The explorer.

    `clock` and `monotonic` go to the Session (frozen ones make the token countdown stand
    still); `stable=True` hides the text that still varies (request times, elapsed ms, the
    token's issue and expiry times). Both exist for snapshots and screenshots.
    """

    CSS_PATH = "app.tcss"
    TITLE = "edxtui"
    # Letter keys live on the screens that have no text fields (a form needs its letters).
    BINDINGS = [Binding("f1", "help", "Help", show=False)]

    def __init__(
        self,
        *,
        credentials: Credentials | None = None,
        profile_name: str | None = None,
        embedded: Credentials | None = None,
        clock: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
        stable: bool = False,
        notice: str | None = None,
        use_system_clipboard: bool = True,
        session_factory: Callable[[Credentials], Session] | None = None,
    ) -> None:
        super().__init__()
        self.initial_credentials = credentials
        self.profile_name = profile_name
        self.embedded = embedded
        self.clock = clock or time.time
        self.monotonic = monotonic or time.monotonic
        self.stable = stable
        self.notice = notice
        self.use_system_clipboard = use_system_clipboard
        self.session_factory = session_factory
        self.session: Session | None = None
        #: keeps the session's exchanges in the lasting history file (tui/history_keeper.py)
        self.history: HistoryKeeper | None = None
        #: with `--sandbox`: why the sandbox child died, if it did (None while it runs)
        self.sandbox_failure: Callable[[], str | None] = lambda: None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Toasts are plain text: they quote server messages, paths and titles, so a
        `[bold]` in one must show as typed, and control characters as escapes."""
        del markup  # never markup, whatever a caller (Screen.notify passes True) asks
        super().notify(
            visible(message, keep_newlines=True),
            title=visible(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # ----- session lifecycle --------------------------------------------------------------

    def on_mount(self) -> None:
        if not gc.isenabled():  # the CLI pauses the collector for the start-up (cmd_tui)
            self.set_timer(GC_PAUSED_FOR, gc.enable)
        if self.initial_credentials is not None:
            # Not awaited here: Textual paints nothing until the app's on_mount returns,
            # and connecting imports httpx and opens the session (docs/performance.md).
            self.call_later(self.connect, self.initial_credentials, self.profile_name)
        else:
            self.open_credentials()
            if self.notice:
                self.notify(self.notice, severity="warning", timeout=10)

    async def connect(self, credentials: Credentials, profile_name: str | None) -> bool:
        """Replace the session with one for `credentials` and show a fresh explorer."""
        from edxtui.api.bounds import bounds_from
        from edxtui.api.session import Session
        from edxtui.tui.history_keeper import HistoryKeeper
        from edxtui.tui.screens.explorer import ExplorerScreen

        try:
            if self.session_factory is not None:
                new = self.session_factory(credentials)
            else:
                new = Session(
                    credentials,
                    clock=self.clock,
                    monotonic=self.monotonic,
                    bounds=bounds_from(),  # EDXTUI_TIMEOUT, EDXTUI_MAX_BODY_MB
                )
            await new.__aenter__()
        except Exception as err:  # noqa: BLE001 - shown, never a traceback
            self.notify(f"Cannot start a session: {describe(err)}", severity="error")
            return False
        old, self.session = self.session, new
        old_history, self.history = self.history, HistoryKeeper(self, new)
        self.profile_name = profile_name
        # Ask for the first token before building the explorer, and give it a moment: a
        # frame painted without it would be painted again when it comes, a few ms later,
        # and the panel restyled for its new mood (docs/performance.md).
        answered = asyncio.Event()
        self.run_worker(self._first_token(new, answered), name="first token", exit_on_error=False)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(answered.wait(), FIRST_TOKEN_WAIT)
        # Drop every screen above the base one, then show the explorer for the new session.
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.push_screen(ExplorerScreen(new, profile_name=profile_name, stable=self.stable))
        if old_history is not None:
            with contextlib.suppress(Exception):  # the old history must not stop a connect
                await old_history.close()
        if old is not None:
            await close_quietly(old)
        return True

    async def _first_token(self, session: Session, answered: asyncio.Event) -> None:
        """Fetch the first token now, so the panel shows it, then keep it fresh in the
        background. `answered` is set once the token endpoint has answered, or failed to."""
        try:
            await session.tokens.get_token()
        except Exception as err:  # noqa: BLE001 - shown, never a traceback
            died = self.sandbox_failure()
            if died is not None:  # the real cause, not "connection refused"
                self.notify(f"The sandbox did not start: {died}", severity="error", timeout=30)
            elif isinstance(err, EdxError):
                self.notify(f"No token: {err.message}", severity="error", timeout=8)
            else:
                self.notify(f"No token: {describe(err)}", severity="error", timeout=8)
        finally:
            answered.set()
        if session is self.session:
            session.tokens.start_background()

    async def on_unmount(self) -> None:
        gc.unfreeze()  # the tree froze what it loaded (see widgets/catalog/tree.py); let it all go now
        if self.history is not None:
            history, self.history = self.history, None
            with contextlib.suppress(Exception):  # keeping history must never stop an exit
                await history.close()
        if self.session is not None:
            session, self.session = self.session, None
            await close_quietly(session)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers run with exit_on_error=False; a failure that escaped them becomes a toast.
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"{event.worker.name or 'A task'} failed: {describe(error)}", severity="error"
            )

    # ----- navigation -----------------------------------------------------------------------

    def open_credentials(self) -> None:
        from edxtui.tui.screens.credentials import CredentialsScreen

        if isinstance(self.screen, CredentialsScreen):
            return
        current = self.session.credentials if self.session is not None else None
        self.push_screen(
            CredentialsScreen(
                current=current, current_name=self.profile_name, embedded=self.embedded
            )
        )

    def action_credentials(self) -> None:
        self.open_credentials()

    def action_history(self) -> None:
        from edxtui.api.exchange import Exchange
        from edxtui.tui.screens.explorer import ExplorerScreen
        from edxtui.tui.screens.history import HistoryScreen

        explorer = self.screen
        if self.session is None or not isinstance(explorer, ExplorerScreen):
            return

        def opened(chosen: int | Exchange | None) -> None:
            if chosen is not None:
                explorer.show_exchange(chosen)

        screen = HistoryScreen(self.session, stable=self.stable, keeper=self.history)
        self.push_screen(screen, opened)

    def action_help_quit(self) -> None:
        """ctrl+c: say how to quit. Textual's own toast is markup (`[b]q[/b]`), and our
        toasts are plain text, so it showed the tags."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit the app", title="Do you want to quit?")
                return

    def action_help(self) -> None:
        from edxtui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Credentials", "Change, test or save the connection (c)", self.action_credentials
        )
        yield SystemCommand("Help", "Keys and what each panel shows (F1)", self.action_help)
        # Every other command belongs to the screen, or a widget on it, that owns the action.
        screen_commands = getattr(screen, "palette_commands", None)
        if screen_commands is not None:
            for title, help_text, callback in screen_commands():
                yield SystemCommand(title, help_text, callback)


def describe(err: BaseException | None) -> str:
    """One line about an error, safe to show (EdxError messages never hold secrets)."""
    if err is None:
        return "unknown error"
    if isinstance(err, EdxError):
        return safe_str(err.message)
    return type(err).__name__


async def close_quietly(session: Session) -> None:
    with contextlib.suppress(Exception):  # closing must never stop an exit
        await session.__aexit__(None, None, None)


def _default_credentials() -> tuple[Credentials | None, str | None, str | None]:
    """The saved default profile's credentials, or (None, name, why not)."""
    from edxtui import config

    try:
        profile, credentials = config.resolve(warn=None)
    except EdxError as err:
        return None, None, None if "no default profile" in err.message else safe_str(err.message)
    except Exception as err:  # noqa: BLE001
        return None, None, describe(err)
    return credentials, profile.name, None


def run_app(
    *,
    credentials: Credentials | None,
    profile_name: str | None,
    sandbox: bool,
    sandbox_options: dict | None = None,
) -> int:
    """Run the TUI until the user quits; the exit code for the CLI.

    `sandbox=True` runs the built-in sandbox in a child process on a free loopback port for
    the app's lifetime (the one `cmd_tui` started early, if any) and signs in with its
    credentials.
    """
    server = None
    embedded: Credentials | None = None
    notice: str | None = None
    if sandbox:
        from edxtui.tui import sandbox_child

        options = dict(sandbox_options or {})
        layout = options.get("layout", "openedx")
        # A child process, not a thread: its CPU work (signing, building pages) never holds
        # this process's GIL, and its start-up overlaps ours (see edxtui.sandbox.process).
        server = sandbox_child.take(options)
        embedded = server.credentials(layout)
        if credentials is None:
            credentials, profile_name = embedded, "sandbox"
    elif credentials is None:
        credentials, profile_name, notice = _default_credentials()
    try:
        app = EdxApp(
            credentials=credentials, profile_name=profile_name, embedded=embedded, notice=notice
        )
        if server is not None:
            app.sandbox_failure = server.failure
        result = app.run()
        return app.return_code if app.return_code is not None else (result or 0)
    finally:
        if server is not None:
            server.stop()
