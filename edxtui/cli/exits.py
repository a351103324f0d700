"""The command line's exit codes, the error for a command line that cannot work, and
SIGTERM/SIGHUP turned into an exception so they clean up the way Ctrl-C does."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

from edxtui.api.errors import EdxError

if TYPE_CHECKING:  # not imported at start-up: `edxtui --sandbox` starts its child first
    import asyncio

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
EXIT_HANGUP = 129  # 128 + SIGHUP
EXIT_TERMINATED = 143  # 128 + SIGTERM


class UsageError(EdxError):
    """A command line that cannot work as given."""

    exit_code = EXIT_USAGE


class Signalled(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like KeyboardInterrupt (temporary files removed,
    the session closed), then exit with 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum


class _Unwinding:
    """Where a SIGTERM/SIGHUP must go: the running command's main task, else an exception.

    Raising from a signal handler in the middle of the event loop is unsafe (asyncio's
    transports catch it as a write error), so while a task is registered the handler cancels
    it instead, as asyncio.run does for Ctrl-C, and `raise_if_signalled()` turns the
    cancellation into Signalled once the loop has unwound.
    """

    def __init__(self) -> None:
        self.task: asyncio.Task[Any] | None = None
        self.signum: int | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.signum = signum
        task = self.task
        if task is not None and not task.done():
            task.get_loop().call_soon_threadsafe(task.cancel)
            return
        raise Signalled(signum)


_unwinding = _Unwinding()


def unwind_task(task: asyncio.Task[Any] | None) -> None:
    """Make `task` (a command's main coroutine) the one a SIGTERM/SIGHUP cancels."""
    _unwinding.task = task


def raise_if_signalled() -> None:
    """Raise Signalled if a SIGTERM/SIGHUP arrived (after a cancelled task has unwound)."""
    if _unwinding.signum is not None:
        raise Signalled(_unwinding.signum)


@contextlib.contextmanager
def signals_unwind() -> Iterator[None]:
    """SIGTERM and SIGHUP unwind the command for the block's duration, like Ctrl-C.

    The first one unwinds; a second one while unwinding gets the default action (the run
    dies at once; its temporary file is then removed by the next write into that folder).
    """
    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]

    def unwind(signum: int, frame: FrameType | None) -> None:
        for each in wanted:
            signal.signal(each, signal.SIG_DFL)
        _unwinding.handle(signum, frame)

    previous = {}
    for each in wanted:
        # A signal the parent set to be ignored (nohup's SIGHUP) stays ignored.
        if signal.getsignal(each) is not signal.SIG_IGN:
            previous[each] = signal.signal(each, unwind)
    _unwinding.signum = None
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)
        _unwinding.task = None
