"""The explorer: token panel on top, the catalog tree on the left, the inspector on the right.

The screen wires its widgets together: the tree's cursor picks what the inspector shows,
the filter's matches jump back into the tree, and the key bindings (also in the command
palette) reach the token panel and the inspector. It holds no state of its own beyond that.
Three concerns are mixins of their own: the request bar (explorer_requests.py), search on
the server and contains (explorer_search.py), and the panes' focus, zoom and split
(explorer_panes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Tree

from edxtui.api.state import TokenState
from edxtui.tui.clipboard import copy_and_notify
from edxtui.tui.screens.explorer_panes import PanesMixin
from edxtui.tui.screens.explorer_requests import RequestBarMixin
from edxtui.tui.screens.explorer_search import ServerSearchMixin
from edxtui.tui.text import human_size, safe, safe_str
from edxtui.tui.widgets.token_panel import UNSETTLED, TokenPanel

if TYPE_CHECKING:
    # Imported where used: the first screen shows only the token panel, and these (the
    # tree, the JSON viewer, pygments) would delay the countdown's first paint
    # (docs/performance.md, "Launch -> live countdown").
    from edxtui.api.exchange import Exchange
    from edxtui.api.session import Session
    from edxtui.tui.app import EdxApp
    from edxtui.tui.widgets.catalog.filter import FilterResults
    from edxtui.tui.widgets.catalog.load_all import LoadAllStatus
    from edxtui.tui.widgets.catalog.nodes import NodeInfo
    from edxtui.tui.widgets.catalog.tree import CatalogTree
    from edxtui.tui.widgets.inspector import Inspector

#: seconds of no typing before the filter runs
FILTER_DELAY = 0.15
#: seconds after the screen shows by which the tree and inspector are built, token or not
MAIN_AT_THE_LATEST = 0.5
#: the screen's actions that work before the tree and inspector are built
MAIN_NOT_NEEDED = frozenset({"copy_token", "copy_header", "refresh_token"})
#: What `build_main` leaves out: hidden until asked for (`:`, `/`, `S` or `K`, the filter's
#: matches, load all's progress), each is mounted on first use (`_ensure`), not with the
#: panes, whose first paint would pay for their CSS and styling. id -> (its parent's id, or
#: None for the screen; the ids it goes before, nearest first), so it lands where it
#: always was: request bar, then main; in #left filter, ask, tree, matches, progress.
LATER: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "request-bar": (None, ("main",)),
    "tree-filter": ("left", ("tree-ask", "catalog-tree")),
    "tree-ask": ("left", ("catalog-tree",)),
    "filter-results": ("left", ("task-progress",)),
    "task-progress": ("left", ()),
}
#: the screen's own actions in the command palette: (title, help, action); the tree and
#: the body viewer add theirs (see `palette_commands`)
PALETTE = (
    ("Copy token", "Copy the access token (t)", "copy_token"),
    ("Copy Authorization header", "Copy `Authorization: JWT <token>` (a)", "copy_header"),
    ("Refresh token now", "Ask for a new token (f)", "refresh_token"),
    ("Reveal or hide the token", "In the token panel and the headers (v)", "reveal_token"),
    ("Filter the tree", "Show the loaded nodes that match (/)", "filter"),
    ("Zoom pane", "The focused pane fills the screen; again to restore (z)", "zoom"),
    ("Copy body", "Copy the shown response body (y)", "copy_body"),
    ("Copy as curl", "The shown request as a curl command with the live token (x)", "copy_curl"),
    ("Save body", "Save the shown response body to a file (s)", "save_body"),
    ("Request bar", "GET any path under the API root, e.g. courses/?q=python (:)", "request_bar"),
    ("Search on the server", "Courses, runs, programs or everything, by q= (S)", "server_search"),
    ("Catalog contains?", "Ask the catalog under the cursor about course keys (K)", "contains"),
    ("Narrow the tree", "Move the split between tree and inspector left (<)", "narrow_tree"),
    ("Widen the tree", "Move the split between tree and inspector right (>)", "widen_tree"),
)

W = TypeVar("W", bound=Widget)


class ExplorerScreen(PanesMixin, RequestBarMixin, ServerSearchMixin, Screen[None]):
    """The main screen; `session` is the app's one Session (attributes down)."""

    BINDINGS = [
        # Shown in the footer in this order; at 80 columns the first ones fit.
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("slash", "filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("t", "copy_token", "Copy token"),
        Binding("y", "copy_body", "Copy body"),
        Binding("c", "app.credentials", "Credentials"),
        Binding("h", "app.history", "History"),
        Binding("q", "app.quit", "Quit"),
        Binding("a", "copy_header", "Copy auth header", show=False),
        Binding("f", "refresh_token", "Refresh token", show=False),
        Binding("v", "reveal_token", "Reveal token", show=False),
        Binding("x", "copy_curl", "Copy curl", show=False),
        Binding("s", "save_body", "Save body", show=False),
        Binding("i", "focus_inspector", "Inspector", show=False),
        Binding("z", "zoom", "Zoom pane", show=False),
        Binding("l", "focus_tree", "Tree", show=False),
        Binding("colon", "request_bar", "Request", show=False, key_display=":"),
        Binding("S", "server_search", "Search server", show=False),
        Binding("K", "contains", "Catalog contains?", show=False),
        Binding("less_than_sign", "narrow_tree", "Narrow tree", show=False, key_display="<"),
        Binding("greater_than_sign", "widen_tree", "Widen tree", show=False, key_display=">"),
    ]

    def __init__(
        self, session: Session, *, profile_name: str | None = None, stable: bool = False
    ) -> None:
        super().__init__()
        self.session = session
        self.profile_name = profile_name
        self.stable = stable
        self._filter_timer: Timer | None = None
        self._main: Horizontal | None = None  # set once the tree and inspector are mounted
        self._building = False
        self._unsubscribe_tokens: Callable[[], None] = lambda: None
        self.split = 40  # the tree pane's width in percent (app.tcss starts it there)
        self._resumed = False  # see on_screen_resume

    def compose(self) -> ComposeResult:
        # Only the token panel at first, and that without its buttons: the countdown is
        # what a user waits for, and the tree and inspector (~50 widgets to style and lay
        # out: docs/performance.md) would delay its first paint. Once the first token has
        # settled, `build_main` adds the panel's buttons and the rest in the next frame.
        # Text, not str: a str title is markup, and an API root is the user's to type.
        # The subtitle: the request budget, then the API root (the panel shows both).
        panel = TokenPanel(
            self.session.tokens,
            stable=self.stable,
            id="token-panel",
            budget=self.session.budget,
            place=safe(self.session.credentials.api_root),
        )
        where = self.profile_name or "custom"
        panel.border_title = safe(f"edxtui · {where}")
        yield panel

    def on_mount(self) -> None:
        tokens = self.session.tokens
        self._unsubscribe_tokens = tokens.subscribe(self._token_changed)
        self._token_changed(tokens.state())
        # A slow token endpoint must not hide the tree: build it anyway after a moment.
        self.set_timer(MAIN_AT_THE_LATEST, self.build_main)

    def on_unmount(self) -> None:
        self._unsubscribe_tokens()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Screen's handler, which runs next, restyles every widget in case styles changed
        # while the screen was away; the first time, compose has only just styled them all.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def _token_changed(self, state: TokenState) -> None:
        if state.status in UNSETTLED or self._building:
            return
        # The build waits for the next paint, so the countdown is on screen first. A paint
        # comes one of two ways: the paint timer's tick, after which "after refresh"
        # callbacks run, or a layout refresh (the start-up's resize events paint that way),
        # after which only the layout signal is sent: callbacks would then wait for the
        # timer's next tick, up to a frame (~17 ms) for nothing. Whichever comes first.
        self.call_after_refresh(self.build_main)
        panel = self.query_one(TokenPanel)

        def painted(_screen: Screen[Any]) -> None:
            if panel.shows_token:  # the countdown is in what was just painted
                # next, not later: ahead of the resize events queued meanwhile, each a
                # layout and a paint of its own before the build could start
                self.call_next(self.build_main)

        # Keyed by node: the panel, since the screen's own key holds Textual's callback.
        self.screen_layout_refresh_signal.subscribe(panel, painted, immediate=True)

    @property
    def built(self) -> bool:
        """Whether the tree and inspector are mounted (see `compose`)."""
        return self._main is not None

    async def build_main(self) -> None:
        """Mount the tree, the inspector and the token panel's buttons (once); the rest as
        it is first needed (`LATER`)."""
        if self._building or not self.is_attached:
            return
        self._building = True
        self.screen_layout_refresh_signal.unsubscribe(self.query_one(TokenPanel))
        from edxtui.tui.widgets.catalog.tree import CatalogTree
        from edxtui.tui.widgets.inspector import Inspector
        from edxtui.tui.widgets.key_hints import KeyHints

        left = Vertical(tree := CatalogTree(self.session, id="catalog-tree"), id="left")
        left.border_title = "Catalog"
        inspector = Inspector(
            token_getter=lambda exchange: self.session.tokens.sent_token(exchange.token_id),
            stable=self.stable,
            id="inspector",
        )
        inspector.border_title = "Inspector"
        main = Horizontal(left, inspector, id="main")
        # One build, one frame: each frame of its own would wait for the next tick of
        # Textual's paint timer and lay the whole screen out again (and the start-up's
        # resize events, arriving mid-build, would paint half-built panes).
        with self.app.batch_update():
            buttons = self.query_one(TokenPanel).mount_buttons()
            await self.mount_all([main, KeyHints()])
            if buttons is not None:
                await buttons
        self._main = main
        tree.focus()
        self.call_after_refresh(tree.start)

    async def _ensure(self, widget_id: str, expect: type[W]) -> W:
        """The widget `widget_id` of `LATER`, mounted in its place if this is its first use."""
        widget = self._mounted(widget_id, expect)
        if widget is not None:
            return widget
        parent_id, before_ids = LATER[widget_id]
        parent = self if parent_id is None else self.query_one(f"#{parent_id}")
        before = next((child for child in parent.children if child.id in before_ids), None)
        await parent.mount(self._make(widget_id), before=before)
        return self.query_one(f"#{widget_id}", expect)

    def _mounted(self, widget_id: str, expect: type[W]) -> W | None:
        """The widget `widget_id` of `LATER`, or None: not needed yet."""
        try:
            return self.query_one(f"#{widget_id}", expect)
        except NoMatches:
            return None

    def _make(self, widget_id: str) -> Widget:
        """A new widget of `LATER` (its module imported only now)."""
        if widget_id == "tree-filter":
            return Input(placeholder="filter loaded nodes (esc clears)", id=widget_id)
        if widget_id == "tree-ask":
            from edxtui.tui.widgets.catalog.ask import AskBox

            return AskBox(id=widget_id)
        if widget_id == "filter-results":
            from edxtui.tui.widgets.catalog.filter import FilterResults

            return FilterResults(id=widget_id)
        if widget_id == "task-progress":
            from edxtui.tui.widgets.task_progress import TaskProgress

            return TaskProgress(id=widget_id)
        if widget_id == "request-bar":
            from edxtui.tui.widgets.request_bar import RequestBar

            return RequestBar(id=widget_id)
        raise KeyError(widget_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Until the tree and inspector exist, only the token panel's keys do anything.
        return self._main is not None or action in MAIN_NOT_NEEDED

    def palette_commands(self) -> Iterable[tuple[str, str, Callable[[], object]]]:
        """The command palette's commands on this screen: (title, help, callback).

        The screen's own actions, then, once they are built, those the tree and the body
        viewer own (each widget lists its own: `commands()`).
        """
        app = cast("EdxApp", self.app)  # this screen only ever runs in EdxApp
        yield "History", "Every request of this session (h)", app.action_history
        for title, help_text, action in PALETTE:
            # run_action: the actions' own check first (not while the panes are building)
            yield title, help_text, partial(self.run_action, action)
        if self.built:
            yield from self.catalog_tree.commands()
            yield from self.inspector.body_view.commands()

    @property
    def catalog_tree(self) -> CatalogTree:  # not `tree`: that is DOMNode's (the DOM as text)
        return self.query_one("#catalog-tree")  # type: ignore[return-value]

    @property
    def inspector(self) -> Inspector:
        return self.query_one("#inspector")  # type: ignore[return-value]

    @property
    def filter_box(self) -> Input | None:
        """The `/` filter's box; None until the first `/`."""
        return self._mounted("tree-filter", Input)

    @property
    def filter_results(self) -> FilterResults | None:
        """The filter's matches; None until it first matched something."""
        from edxtui.tui.widgets.catalog.filter import FilterResults

        return self._mounted("filter-results", FilterResults)

    @property
    def token_panel(self) -> TokenPanel:
        return self.query_one(TokenPanel)

    # ----- inspecting -----------------------------------------------------------------

    def inspect_node(self, info: NodeInfo | None) -> None:
        if info is None:
            return
        if info.exchange is None and info.target is not None and info.target.data is not None:
            info = info.target.data
        self.inspector.show(info.exchange, info.json_path)

    @on(Tree.NodeHighlighted, "#catalog-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[NodeInfo]) -> None:
        self.inspect_node(event.node.data)

    def on_catalog_tree_loaded(self, event: CatalogTree.Loaded) -> None:
        self.token_panel.show_budget()  # a load just spent requests: count them now
        # The node under the cursor got its exchange only now: show it.
        if event.node is self.catalog_tree.cursor_node:
            self.inspect_node(event.node.data)

    def show_exchange(self, exchange_id: int | Exchange) -> None:
        """Open one exchange of the log (from the history view) in the inspector; an
        earlier run's comes as the Exchange itself."""
        if isinstance(exchange_id, int):
            exchange = self.session.log.get(exchange_id)
        else:
            exchange = exchange_id
        if not self.built:  # history opened in the first half second: nothing to show yet
            return
        if exchange is None:
            self.notify("That exchange is no longer in the log", severity="warning")
            return
        self.inspector.show(exchange)

    # ----- filter ---------------------------------------------------------------------

    async def action_filter(self) -> None:
        box = await self._ensure("tree-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.filter_box
        if box is None or not box.display:  # no filter shown: esc has nothing to clear
            return
        box.value = ""
        box.display = False
        self._show_tree()
        self.catalog_tree.focus()

    def _show_tree(self) -> None:
        """The full tree again in place of the filter's matches."""
        results = self.filter_results
        if results is not None:
            results.display = False
        self.catalog_tree.display = True

    @on(Input.Changed, "#tree-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        # Filter once typing pauses, not on every key: 10,000 nodes make each pass count.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._apply_filter)

    async def _apply_filter(self) -> None:
        self._filter_timer = None
        box = self.filter_box
        query = box.value if box is not None else ""
        if not query.strip():
            self._show_tree()
            return
        from edxtui.tui.widgets.catalog.filter import FilterResults, find_matches

        results = await self._ensure("filter-results", FilterResults)
        results.show_matches(find_matches(self.catalog_tree.loaded_nodes(), query), query)
        results.display = True
        self.catalog_tree.display = False

    @on(Input.Submitted, "#tree-filter")
    async def _filter_submitted(self, _event: Input.Submitted) -> None:
        # Enter jumps straight to the highlighted match (the first, unless moved).
        if self._filter_timer is not None:  # typed and pressed enter at once: filter now
            self._filter_timer.stop()
            await self._apply_filter()
        results = self.filter_results
        if results is not None and results.display and results.matches:
            index = results.highlighted if results.highlighted is not None else 0
            self.post_message(results.Picked(results.matches[index], jump=True))

    async def on_key(self, event: Any) -> None:
        # Down from the filter box walks the matches; up from the first goes back to it.
        box = self.filter_box
        if box is None:  # no filter yet (nor before the panes are built)
            return
        results = self.filter_results
        if event.key == "down" and box.has_focus:
            if self._filter_timer is not None:  # typed and pressed down at once: filter now
                self._filter_timer.stop()
                await self._apply_filter()
                results = self.filter_results  # the first filter mounts them
            if results is not None and results.display and results.matches:
                event.stop()
                results.focus()
            return
        on_first = results is not None and results.has_focus and results.highlighted in (0, None)
        if event.key == "up" and on_first:
            event.stop()
            event.prevent_default()
            box.focus()

    def on_filter_results_picked(self, event: FilterResults.Picked) -> None:
        self.inspect_node(event.node.data)
        if event.jump:
            self.action_clear_filter()
            self.catalog_tree.reveal(event.node)

    # ----- token actions ----------------------------------------------------------------

    @on(TokenPanel.Notice)
    def _notice(self, event: TokenPanel.Notice) -> None:
        self.notify(event.text, severity=event.severity)  # type: ignore[arg-type]

    def action_copy_token(self) -> None:
        self.token_panel.copy_token()

    def action_copy_header(self) -> None:
        self.token_panel.copy_header()

    def action_refresh_token(self) -> None:
        self.token_panel.refresh_now()

    def action_reveal_token(self) -> None:
        self.token_panel.toggle_reveal()
        self.inspector.set_revealed(self.token_panel.revealed)  # one switch for both

    # ----- inspector actions ------------------------------------------------------------

    def _exchange_or_warn(self) -> Any:
        exchange = self.inspector.exchange
        if exchange is None:
            self.notify("Select a node first: nothing to copy", severity="warning")
        return exchange

    def action_copy_body(self) -> None:
        exchange = self._exchange_or_warn()
        if exchange is None:
            return
        text = exchange.body.decode("utf-8", errors="replace")
        copy_and_notify(self.app, text, f"the body ({human_size(exchange.size)})")

    def action_copy_curl(self) -> None:
        exchange = self._exchange_or_warn()
        if exchange is None:
            return
        try:
            command = self.session.curl(exchange, reveal_token=True)
        except Exception as err:  # noqa: BLE001 - shown, never a traceback
            self.notify(f"Cannot build a curl command: {type(err).__name__}", severity="error")
            return
        copy_and_notify(self.app, command, "the request as curl (with the live token)")

    def action_save_body(self) -> None:
        from edxtui.tui.screens.save_body import SaveBodyScreen

        exchange = self._exchange_or_warn()
        if exchange is None:
            return
        self.app.push_screen(SaveBodyScreen(exchange))

    def on_json_view_copy_requested(self, event: Any) -> None:
        # The body viewer asks; the screen copies and says what (a path is no secret).
        event.stop()
        what = {
            "value": "the selected value",
            "body": "the body",
            "matches": "the path query's matches as JSON lines",
        }.get(event.what, event.what)
        if event.what == "path":
            what = f"the path {safe_str(event.text, limit=80)}"
        copy_and_notify(self.app, event.text, what)

    # ----- load all (the tree's L) ---------------------------------------------------------

    async def on_load_all_status(self, event: LoadAllStatus) -> None:
        from edxtui.tui.widgets.task_progress import TaskProgress

        progress = await self._ensure("task-progress", TaskProgress)
        if event.outcome is None:
            label = Text("Loading all of ")
            label.append_text(safe(event.title))
            share = 100 * event.done // max(event.total, 1)
            label.append(f": {event.done:,} of {event.total:,} ({share}%) · esc stops", style="dim")
            progress.show(label, event.done, event.total)
            return
        progress.hide()
        self.notify(safe_str(event.outcome, limit=300), severity=event.severity)  # type: ignore[arg-type]
