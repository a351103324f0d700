"""Child processes that get Ctrl-C (SIGINT) the way a program run from a terminal does.

A shell without job control runs a background job with SIGINT ignored (`pytest &`, nohup,
some CI runners), and an ignored signal stays ignored across exec: a child started from such
a pytest never sees the SIGINT a test sends it, and runs on. A caught signal is reset to its
default on exec, so SIGINT is caught here (in the parent, for the moment of the spawn only).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Iterator
from typing import Any

# SIGHUP is ignored the same way under nohup; tests send it too (it must unwind like Ctrl-C).
_RESET = tuple(getattr(signal, name) for name in ("SIGINT", "SIGHUP") if hasattr(signal, name))


def _catch(signum, frame):  # pragma: no cover - only ever set for the moment of a spawn
    raise KeyboardInterrupt


@contextlib.contextmanager
def sigint_default_in_children() -> Iterator[None]:
    """Children spawned inside this block start with SIGINT (and SIGHUP) at their default."""
    ignored = [s for s in _RESET if signal.getsignal(s) is signal.SIG_IGN]
    previous = {s: signal.signal(s, _catch) for s in ignored}
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


def interruptible(argv: list[str], **popen: Any) -> subprocess.Popen[Any]:
    """subprocess.Popen(argv, **popen), with SIGINT and SIGHUP as a terminal's job has them."""
    with sigint_default_in_children():
        return subprocess.Popen(argv, **popen)
