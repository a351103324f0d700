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


@contextlib.contextmanager
def sigint_default_in_children() -> Iterator[None]:
    """Children spawned inside this block start with SIGINT at its default disposition."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def interruptible(argv: list[str], **popen: Any) -> subprocess.Popen[Any]:
    """subprocess.Popen(argv, **popen), with SIGINT as a terminal's foreground job has it."""
    with sigint_default_in_children():
        return subprocess.Popen(argv, **popen)
