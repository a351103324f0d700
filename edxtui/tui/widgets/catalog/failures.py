"""Failed loads in the catalog tree: what an error shows, and the three ways it loads again.

`FailuresMixin` is part of CatalogTree (tree.py), split out to keep one concern a module.
A failed load becomes an error leaf under its node ("not available on this server" for a
group the server does not serve), and loads again on enter (`retry`), by itself once a
token comes in when it failed for want of one (`retry_token_failures`), or by itself once a
throttle's time has come (`_throttle_tick`, over throttle.ThrottledLoads). It uses the
tree's loading through the few attributes declared below.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.timer import Timer
from textual.widgets.tree import TreeNode

from edxtui.api.errors import AuthError, ThrottledError
from edxtui.api.exchange import Exchange
from edxtui.tui.widgets.catalog.nodes import (
    GROUPS,
    NO_CATALOG_LIST,
    NO_CATALOG_LIST_SHORT,
    NodeInfo,
    error_label,
    error_text,
)
from edxtui.tui.widgets.catalog.throttle import RETRIES_BY_ITSELF, ThrottledLoads

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.widgets import Tree

    from edxtui.api.session import Session

    _Base = Tree[NodeInfo]
else:
    _Base = object

#: seconds between looks at the clock while a throttled load waits for its time
THROTTLE_TICK = 1.0


class FailuresMixin(_Base):
    """Error leaves and their retries for CatalogTree (see the module docstring)."""

    # provided by CatalogTree
    session: Session
    _throttled: ThrottledLoads
    _throttle_timer: Timer | None

    if TYPE_CHECKING:  # CatalogTree's; stubs here would shadow them at run time

        def load(self, node: TreeNode[NodeInfo], *, more: bool = False) -> None: ...
        def refresh_label(self, node: TreeNode[NodeInfo]) -> None: ...
        def loaded_nodes(self) -> Iterable[TreeNode[NodeInfo]]: ...
        def _in_tree(self, node: TreeNode[NodeInfo]) -> bool: ...

    def _show_error(self, node: TreeNode[NodeInfo], err: BaseException, more: bool) -> None:
        info = node.data
        assert info is not None
        reason, not_here = error_text(err)
        needs_token = self._for_want_of_a_token(err)
        exchange = self._token_exchange() if needs_token else self._exchange_for_error(err)
        catalog_list = info.kind == "group" and info.path == GROUPS[0][1]
        info.note = ""
        if not_here and catalog_list and not more:
            # Every catalog API serves the catalog list: a 404 there is a wrong API root.
            reason, not_here, info.note = NO_CATALOG_LIST, False, NO_CATALOG_LIST_SHORT
        if info.kind == "group" and not more:
            info.exchange = exchange  # the inspector shows the failed request on the group
        if not_here and info.kind == "group" and not more:
            info.state = "unavailable"
            info.exchange = exchange
            node.add_leaf(
                Text("not available on this server (404)", style="dim italic"),
                NodeInfo(kind="info", exchange=exchange),
            )
            node.allow_expand = True
        else:
            info.state = "error"
            if info.kind == "request" and not more:
                info.exchange = exchange  # the inspector shows the failed response
            throttled = isinstance(err, ThrottledError)
            leaf = node.add_leaf(
                error_label(reason, RETRIES_BY_ITSELF if throttled else "enter to retry"),
                NodeInfo(
                    kind="error",
                    target=node,
                    exchange=exchange,
                    note=reason,
                    needs_token=needs_token,
                ),
            )
            if isinstance(err, ThrottledError):
                self._wait_for_throttle(leaf, err)
            if more:
                info.state = "loaded"  # what was loaded stays; only the next page failed
            elif info.kind == "search":  # the user typed it: say what the server made of it
                info.exchange = exchange
                self.notify(f"Search “{info.title}”: {reason}", severity="error")
        self.refresh_label(node)
        if needs_token:  # a token may have come in while this load was failing
            self.call_later(self.retry_token_failures)

    def _for_want_of_a_token(self, err: BaseException) -> bool:
        """Whether the load failed because no token could be had (the API was not asked):
        the token endpoint's own errors, and whatever the token manager last failed with."""
        return isinstance(err, AuthError) or err is self.session.tokens.state().last_error

    def _token_exchange(self) -> Exchange | None:
        """The newest token request in the log: the one that failed a load for want of a token."""
        for exchange in reversed(list(self.session.log)):
            if exchange.kind == "token":
                return exchange
        return None

    def retry_token_failures(self) -> None:
        """Retry every load that failed for want of a token, now that there is one."""
        if not self.is_attached or self.session.tokens.current_token is None:
            return
        waiting = [
            node
            for node in self.loaded_nodes()
            if node.data is not None and node.data.kind == "error" and node.data.needs_token
        ]
        for node in waiting:
            assert node.data is not None
            node.data.needs_token = False  # once: a new failure marks it again
            self.retry(node)

    def _token_changed(self, _state: object) -> None:
        self.call_later(self.retry_token_failures)

    # ----- throttled loads ------------------------------------------------------------

    def _now(self) -> float:
        # The app's wall clock, the one the session's budget uses (a test can move it).
        clock = getattr(self.app, "clock", time.time)
        return float(clock())

    def _wait_for_throttle(self, leaf: TreeNode[NodeInfo], err: ThrottledError) -> None:
        """Retry this load by itself once the server allows requests again; send nothing before."""
        self._throttled.add(leaf, err)
        if self._throttle_timer is None:
            self._throttle_timer = self.set_interval(THROTTLE_TICK, self._throttle_tick)

    def _throttle_tick(self) -> None:
        now = self._now()
        for leaf in self._throttled.due(now):
            if self._in_tree(leaf):  # not already retried (enter) or reloaded (r)
                self.retry(leaf)
        for leaf, reason in self._throttled.waiting(now):
            if self._in_tree(leaf):
                leaf.set_label(error_label(reason, RETRIES_BY_ITSELF))
            else:
                self._throttled.forget(leaf)
        if not self._throttled and self._throttle_timer is not None:
            self._throttle_timer.stop()
            self._throttle_timer = None

    def _exchange_for_error(self, err: BaseException) -> Exchange | None:
        """The log entry of the failed request, so the inspector can show it."""
        url = getattr(err, "url", None)
        entries = list(self.session.log)
        for exchange in reversed(entries):
            if url is None or exchange.url == url:
                return exchange
        return None

    def retry(self, error_leaf: TreeNode[NodeInfo]) -> None:
        """Load again what `error_leaf` says failed (enter on it, or a throttle's time come)."""
        info = error_leaf.data
        if info is None or info.target is None:
            return
        self._throttled.forget(error_leaf)
        target_info = info.target.data
        # A failed next page retries that page; a failed first load retries the node.
        again_more = bool(target_info and target_info.loaded and target_info.next_url)
        if not again_more:
            info.target.remove_children()
        else:
            error_leaf.remove()
        self.load(info.target, more=again_more)
