"""The inspector: one exchange from the session's log, as it went over the wire.

A summary (method, URL, status, elapsed, size), the request and response headers
(Authorization masked unless revealed) and the body in the JSON viewer. Everything in it
came from the network and is shown as plain text with control characters escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from edxtui.api.exchange import Exchange
from edxtui.api.redaction import REDACTED
from edxtui.tui.text import clock_time, elapsed_ms, human_size, safe, status_text
from edxtui.tui.widgets.tab_strip import TabStrip

if TYPE_CHECKING:
    # Imported when the view is first built (`body_view`): the JSON viewer's modules and
    # widgets are work the explorer's first frame need not wait for.
    from edxtui.tui.widgets.body.view import JsonView

SEARCH_SEPARATOR = " · "  # between the pane's title and the body search's counter


def summary_text(exchange: Exchange, *, stable: bool = False) -> Text:
    """Two lines: method, status, elapsed, size, type and when; then the URL."""
    text = Text()
    text.append(f"{safe(exchange.method).plain} ", style="bold")
    text.append_text(status_text(exchange))
    elapsed = elapsed_ms(exchange.elapsed, stable=stable)
    text.append(f" · {elapsed} ms · {human_size(exchange.size)}", style="bold")
    ctype = exchange.content_type
    if ctype:
        text.append(" · ")
        text.append_text(safe(ctype.split(";")[0], "dim", limit=40))
    when = clock_time(exchange.started_at, stable=stable)
    text.append(f" · #{exchange.id} at {when}", style="dim")
    if exchange.attempt > 1:
        text.append(f" · attempt {exchange.attempt}", style="yellow")
    if exchange.kind == "token":
        text.append(" · token request (secrets redacted)", style="dim")
    text.append("\n")
    text.append_text(safe(exchange.url, "underline", limit=400))
    return text


def headers_text(exchange: Exchange, sent_token: str | None, *, revealed: bool = False) -> Text:
    """Request then response headers; the Authorization value only when revealed, and then
    the token this request sent (`sent_token`), which may not be today's."""
    text = Text()
    text.append("Request\n", style="bold underline")
    text.append(f"{safe(exchange.method).plain} ", style="bold")
    text.append_text(safe(exchange.url))
    text.append("\n")
    for name, value in exchange.request_headers:
        text.append_text(safe(name, "cyan"))
        text.append(": ")
        if name.lower() == "authorization":
            scheme = value.split(" ", 1)[0] if value and value != REDACTED else "JWT"
            if revealed and sent_token:
                text.append(f"{safe(scheme).plain} {sent_token}", style="yellow")
                text.append("  (the token this request sent; press v again to hide)", style="dim")
            elif revealed:
                text.append(f"{safe(scheme).plain} ••••••", style="dim")
                text.append("  (an older token, no longer held)", style="dim")
            else:
                text.append(f"{safe(scheme).plain} ••••••", style="dim")
                text.append("  (masked: v reveals the token this request sent)", style="dim")
        else:
            text.append_text(safe(value))
        text.append("\n")
    if exchange.request_body:
        text.append("\n")
        text.append_text(safe(exchange.request_body.decode("utf-8", "replace"), limit=2000))
        text.append("\n")
    text.append("\nResponse\n", style="bold underline")
    if exchange.status is None:
        text.append_text(status_text(exchange))
        return text
    version = safe(exchange.http_version or "HTTP/1.1").plain
    text.append(f"{version} ")
    text.append_text(status_text(exchange))
    text.append("\n")
    for name, value in exchange.response_headers:
        text.append_text(safe(name, "cyan"))
        text.append(": ")
        text.append_text(safe(value))
        text.append("\n")
    text.rstrip()
    return text


class Inspector(Vertical):
    """Shows one exchange; `token_getter(exchange)` supplies the token that exchange sent,
    asked only when revealed."""

    ALLOW_MAXIMIZE = True  # `z` zooms it to the whole screen

    def __init__(
        self,
        *,
        token_getter: Callable[[Exchange], str | None] = lambda _exchange: None,
        stable: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.token_getter = token_getter
        self.stable = stable
        self.exchange: Exchange | None = None
        self.json_path: str = ""
        self.revealed = False
        self._pending = False
        self._shown: tuple[int | None, str] | None = None  # (exchange id, json path) on screen

    def compose(self) -> ComposeResult:
        yield Static(
            Text("Select a node to see the request and response behind it.", style="dim"),
            id="summary",
        )
        # The tabs' panes below the strip, only the active one displayed (the Body at first)
        yield TabStrip([("body", "Body"), ("headers", "Headers")], id="inspector-tabs")
        # The JSON view (#body-view) goes here, before the headers, once it is first needed.
        with VerticalScroll(id="headers-pane") as headers:
            headers.display = False
            yield Static(id="headers")

    @property
    def body_view(self) -> JsonView:
        """The JSON view, built the first time it is needed: until a node with a request
        behind it is shown there is nothing for it to show, and it is the heaviest part of
        the explorer's first frame (docs/performance.md, "The whole explorer on screen")."""
        view = self._built_body_view()
        if view is None:
            from edxtui.tui.widgets.body.view import JsonView

            view = JsonView(id="body-view")
            view.display = self.query_one(TabStrip).active == "body"
            self.mount(view, before="#headers-pane")
        return view

    def _built_body_view(self) -> JsonView | None:
        views = self.query("#body-view")
        return views.first() if views else None  # type: ignore[return-value]

    def show_tab(self, tab: str) -> None:
        """Make `tab` ("body" or "headers") the active tab and display its pane alone."""
        self.query_one(TabStrip).active = tab
        view = self._built_body_view()
        if view is not None:
            view.display = tab == "body"
        self.query_one("#headers-pane").display = tab == "headers"

    def on_tab_strip_changed(self, event: TabStrip.Changed) -> None:
        event.stop()
        self.show_tab(event.active)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Focus put in a pane (`i`, a palette command) shows it, as TabbedContent's did.
        panes = (("body", self._built_body_view()), ("headers", self.query_one("#headers-pane")))
        for tab, pane in panes:
            if pane is not None and pane in event.widget.ancestors_with_self:
                self.show_tab(tab)

    def show(self, exchange: Exchange | None, json_path: str = "") -> None:
        """Show `exchange` at `json_path`; only what changed is redrawn."""
        shown = (exchange.id if exchange is not None else None, json_path)
        if shown == self._shown and not self._pending:
            # e.g. the next page of a list arrived under the node the cursor is on: each
            # summary update would cost a full-screen layout, page after page
            return
        self._shown = shown
        same = (
            exchange is not None and self.exchange is not None and exchange.id == self.exchange.id
        )
        self.exchange = exchange
        self.json_path = json_path
        if not self.query("#headers"):
            # The tree starts loading while the explorer is still mounting this pane:
            # show it once the panes exist (the body is loaded afresh then).
            self._pending = True
            self.call_after_refresh(self._show_pending)
            return
        if exchange is None:
            self.query_one("#summary", Static).update(
                Text("No request behind this node.", style="dim")
            )
            self.query_one("#headers", Static).update("")
            view = self._built_body_view()  # none yet: nothing to clear
            if view is not None and not same:
                view.load(b"", "")
            return
        self.query_one("#summary", Static).update(summary_text(exchange, stable=self.stable))
        self._show_headers()
        if not same:
            self.body_view.load(exchange.body, exchange.content_type)
        if json_path:
            self.body_view.goto_path(json_path)

    def _show_pending(self) -> None:
        if self._pending:
            self._pending = False
            self._shown = None
            exchange, self.exchange = self.exchange, None
            self.show(exchange, self.json_path)

    def _show_headers(self) -> None:
        if self.exchange is None or not self.query("#headers"):
            return
        token = self.token_getter(self.exchange) if self.revealed else None
        text = headers_text(self.exchange, token, revealed=self.revealed)
        self.query_one("#headers", Static).update(text)

    def on_json_view_search_noted(self, event: JsonView.SearchNoted) -> None:
        # The counter also goes on the top border: the status line at the bottom is where
        # toasts sit, and a long path can push it off a narrow pane.
        event.stop()
        base = str(self.border_title or "Inspector").split(SEARCH_SEPARATOR)[0]
        # Text, not str: a str title is markup, and the note quotes what the user typed
        self.border_title = Text(f"{base}{SEARCH_SEPARATOR}{event.note}" if event.note else base)

    def set_revealed(self, revealed: bool) -> None:
        self.revealed = revealed
        self._show_headers()
