"""Every secret this process learned, so no message can carry one by accident.

The commands add what they learn (`values`: the client secret; `sources`: the session's
current token); `main()` forgets them once a run is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, quote_plus

from edxtui.api.redaction import scrub_text

values: set[str] = set()
sources: list[Callable[[], str | None]] = []
# `get --param K=V` values: kept out of every message (a URL in an error, `-v`), though not
# out of the data printed on stdout, where a search term rightly shows in the results.
message_only: set[str] = set()


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


def scrub_message(text: str) -> str:
    """`scrub()` for a message on stderr: the --param values too, as typed and as in a URL."""
    hidden = {form for value in message_only for form in (value, quote(value), quote_plus(value))}
    return scrub_text(scrub(text), hidden)


def hide_in_messages(value: str) -> None:
    message_only.add(value)


def forget() -> None:
    """Forget this run's secrets (and the sessions holding tokens)."""
    values.clear()
    sources.clear()
    message_only.clear()
