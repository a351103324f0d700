"""The sandbox child process behind `edxtui --sandbox`, started as early as possible.

`cmd_tui` calls `start_early()` before it imports Textual and the app (most of the TUI's
start-up: docs/performance.md), so the child's own start-up (its interpreter, starlette, the catalog) overlaps them instead
of following them; `run_app()` then `take()`s that process. Anything that calls `run_app()`
directly simply gets a process started there.
"""

from __future__ import annotations

from typing import Any

from edxtui.sandbox.process import SandboxProcess

_early: tuple[dict[str, Any], SandboxProcess] | None = None


def process_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options the child takes (the layout is the client's choice, not the server's).
    The explorer's sandbox answers searches (`S`, the request bar's `?q=`) as discovery does."""
    return {"search": True} | {key: value for key, value in options.items() if key != "layout"}


def start_early(options: dict[str, Any]) -> None:
    global _early
    discard()
    _early = (process_options(options), SandboxProcess(**process_options(options)).start())


def take(options: dict[str, Any]) -> SandboxProcess:
    """The early process if it was started with these options, else a new one."""
    global _early
    early, _early = _early, None
    if early is not None:
        if early[0] == process_options(options):
            return early[1]
        early[1].stop()
    return SandboxProcess(**process_options(options)).start()


def discard() -> None:
    """Stop an early process nobody took (the app never ran)."""
    global _early
    early, _early = _early, None
    if early is not None:
        early[1].stop()
