"""Every secret this process learned, so no message can carry one by accident.

The commands add what they learn (`values`: the client secret; `sources`: the session's
current token); `main()` forgets them once a run is reported.
"""

from __future__ import annotations

from collections.abc import Callable

from edxtui.api.redaction import scrub_text

values: set[str] = set()
sources: list[Callable[[], str | None]] = []


def scrub(text: str) -> str:
    known = set(values)
    for source in sources:
        try:
            value = source()
        except Exception:
            value = None
        if value:
            known.add(value)
    return scrub_text(text, known)


def forget() -> None:
    """Forget this run's secrets (and the sessions holding tokens)."""
    values.clear()
    sources.clear()
