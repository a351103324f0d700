"""The Textual explorer. `run_app()` is the CLI's entry point; see app.py."""

from __future__ import annotations


def run_app(**kwargs):  # type: ignore[no-untyped-def]
    """Import Textual only when the TUI runs: the CLI's other commands stay fast."""
    from edxtui.tui.app import run_app as _run_app

    return _run_app(**kwargs)


__all__ = ["run_app"]
