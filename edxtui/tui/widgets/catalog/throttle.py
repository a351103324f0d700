"""Loads the server throttled for longer than edxtui waits, each retried by itself later.

A `Retry-After` past the retry cap ends a load at once with ThrottledError ("throttled: the
server allows more requests at 14:32 (in 47 min)"), and the session sends nothing before
that time. The tree keeps each such load's error leaf here and, on its one-second tick,
retries the ones whose time has come and rewrites the others' "in N min". Times are the
session's wall clock (ThrottledError.retry_at), read through the app's injectable clock:
a suspended laptop wakes past the time and retries, and a test can move the clock.
No widgets here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edxtui.api.errors import ThrottledError, throttled_error

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from edxtui.tui.widgets.catalog.nodes import NodeInfo

#: what a throttled load's error leaf says after its reason
RETRIES_BY_ITSELF = "retried by itself then"


class ThrottledLoads:
    """Error leaves of throttled loads, by node id, with the error that ended each."""

    def __init__(self) -> None:
        self._waiting: dict[int, tuple[TreeNode[NodeInfo], ThrottledError]] = {}

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def add(self, leaf: TreeNode[NodeInfo], error: ThrottledError) -> None:
        self._waiting[leaf.id] = (leaf, error)

    def due(self, now: float) -> list[TreeNode[NodeInfo]]:
        """The leaves whose time has come (no longer kept here)."""
        ready = [leaf for leaf, error in self._waiting.values() if now >= error.retry_at]
        for leaf in ready:
            del self._waiting[leaf.id]
        return ready

    def waiting(self, now: float) -> list[tuple[TreeNode[NodeInfo], str]]:
        """The leaves still waiting, each with its reason as of `now` ("in 46 min")."""
        return [(leaf, message(error, now)) for leaf, error in self._waiting.values()]

    def forget(self, leaf: TreeNode[NodeInfo]) -> None:
        self._waiting.pop(leaf.id, None)


def message(error: ThrottledError, now: float) -> str:
    """The error's one line, its "in N min" counted from `now` (the CLI's words)."""
    return throttled_error(error.retry_at, now, status=error.status, token=error.token).message
