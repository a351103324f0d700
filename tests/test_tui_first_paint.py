"""What the explorer paints first, and what it leaves for later frames.

The countdown is what a person waits for at launch, so the explorer's first frames carry only
the token panel: its status, countdown, lifetime bar and claims. The panel's buttons, the tree
and the inspector come together in a later frame (docs/performance.md has the timings).
These tests read every frame the app paints (post_display_hook, called after each one) and
check that order, against the real sandbox over loopback HTTP. They never look at a clock.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from screen_text import screen_lines
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, ProgressBar
from textual.widgets._progress_bar import Bar as TextualBar
from tui_helpers import open_explorer, sandbox_app, wait_for

from edxtui.api.state import TokenState, TokenStatus
from edxtui.tui import app as app_module
from edxtui.tui.app import EdxApp
from edxtui.tui.screens import explorer
from edxtui.tui.screens.explorer import ExplorerScreen
from edxtui.tui.widgets.inspector import Inspector
from edxtui.tui.widgets.lifetime_bar import LifetimeBar
from edxtui.tui.widgets.token_panel import TokenPanel

SIZE = (140, 45)
COUNTDOWN = re.compile(r"valid\s+(?:\d+:)?\d\d:\d\d left")
BUTTONS = re.compile(r"Copy token\s+Copy header\s+Refresh\s+Reveal")
TREE = re.compile(r"─ Catalog ─")
PANES = re.compile(r"─ Catalog ─.*─ Inspector ─")


class FrameLog:
    """For each frame the explorer painted: whether it showed the countdown, the panel's
    buttons and the tree."""

    def __init__(self) -> None:
        self.frames: list[tuple[bool, bool, bool]] = []

    def record(self, app: App) -> None:
        if isinstance(app.screen, ExplorerScreen):
            text = "\n".join(screen_lines(app))
            shown = (bool(COUNTDOWN.search(text)), bool(BUTTONS.search(text)))
            self.frames.append((*shown, bool(TREE.search(text))))

    def first(self, what: int) -> int:
        """The index of the first frame that showed `what` (0 countdown, 1 buttons, 2 tree)."""
        return next(n for n, frame in enumerate(self.frames) if frame[what])


def logged_app(server, frames: FrameLog) -> EdxApp:
    app = sandbox_app(server)
    app.post_display_hook = lambda: frames.record(app)  # type: ignore[method-assign]
    return app


async def test_nothing_but_the_panel_paints_while_the_token_is_on_its_way(sandbox, monkeypatch):
    # The token is held at the server, and the tree's "at the latest" timer pushed out of the
    # way, so each step happens only when the test lets it.
    monkeypatch.setattr(explorer, "MAIN_AT_THE_LATEST", 60.0)
    sandbox.faults.update(hold_token=True)
    frames = FrameLog()
    app = logged_app(sandbox, frames)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: sandbox.counters.held == 1, "the token request at the gate")
        await wait_for(pilot, lambda: frames.frames, "the first frame")
        await pilot.pause()
        assert set(frames.frames) == {(False, False, False)}  # the panel alone, no buttons
        # What the explorer asks before it builds: has a settled token's line been drawn?
        # (It builds on the first paint that shows it, by either of Textual's paths.)
        panel = app.screen.query_one(TokenPanel)
        assert not panel.shows_token and not app.screen.built
        sandbox.faults.release()
        await wait_for(pilot, lambda: panel.shows_token, "the countdown drawn")
        await open_explorer(pilot)
        await wait_for(pilot, lambda: any(f[2] for f in frames.frames), "the tree painted")
        # The countdown was on screen before the buttons, the tree and the inspector.
        assert frames.first(0) < frames.first(1) == frames.first(2)


async def test_the_explorer_waits_a_moment_for_its_first_token_and_paints_it_at_once(
    sandbox, monkeypatch
):
    # A token that comes within FIRST_TOKEN_WAIT is in the explorer's first frame: no frame
    # of "fetching a token…" is painted only to be painted again a few ms later. (The wait is
    # stretched here and the token held at the server; a thread lets it go once it is there,
    # since the app's own loop waits for it meanwhile.)
    monkeypatch.setattr(app_module, "FIRST_TOKEN_WAIT", 60.0)
    sandbox.faults.update(hold_token=True)

    def release_once_held() -> None:
        while sandbox.counters.held < 1:
            time.sleep(0.005)
        sandbox.faults.release()

    releaser = threading.Thread(target=release_once_held, daemon=True)
    releaser.start()
    frames = FrameLog()
    app = logged_app(sandbox, frames)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: frames.frames, "the explorer's first frame")
        assert frames.frames[0][0], "the explorer's first frame shows the live countdown"
    releaser.join(timeout=10)


async def test_a_fast_token_paints_the_countdown_then_the_buttons_with_the_tree(sandbox):
    frames = FrameLog()
    app = logged_app(sandbox, frames)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await wait_for(pilot, lambda: any(f[2] for f in frames.frames), "the tree painted")
        assert not frames.frames[0][1]  # the buttons never hold up the first frame
        # The buttons come in the panes' frame: a frame of their own would cost a tick of
        # the paint timer and a full layout before the tree is even built.
        assert frames.first(0) < frames.first(1) == frames.first(2)
        # Once built, the buttons work like the keys did all along.
        await pilot.click("#reveal-token")
        panel = app.screen.query_one(TokenPanel)
        await wait_for(pilot, lambda: panel.revealed, "the reveal button")
        assert str(panel.query_one("#reveal-token").label) == "Hide"


async def test_the_inspector_mounts_no_input_box_until_one_opens(sandbox):
    # Each mounted widget costs the first paint, hidden or not: the body's search and query
    # boxes come when `/` or `.` first opens them, and the tabs are one light widget.
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        inspector = app.screen.query_one(Inspector)
        assert not inspector.query(Input) and not app.screen.query("TabbedContent, Tabs")
        await pilot.press("i", "slash")
        box = inspector.query_one("#json-view-search", Input)
        await wait_for(pilot, lambda: app.focused is box, "the search box")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not box.display, "the search box closed")
        assert [b.id for b in inspector.query(Input)] == ["json-view-search"]
        await pilot.press("full_stop")  # the query box goes in below the search box
        query = inspector.query_one("#json-view-query", Input)
        await wait_for(pilot, lambda: app.focused is query and query.value == ".", "the query box")
        assert [b.id for b in inspector.query(Input)] == ["json-view-search", "json-view-query"]


async def test_the_panes_first_frame_waits_for_no_request_and_builds_no_json_view(sandbox):
    # The tree's start-up requests go after the panes are on screen, and the JSON view is
    # built when there is a body to show: neither is work the panes' first frame waits for.
    seen: list[tuple[int, bool]] = []  # for each frame with the panes: (GETs in, a view?)

    def record() -> None:
        if PANES.search("\n".join(screen_lines(app))):
            seen.append((sandbox.counters.api_requests, bool(app.screen.query("#body-view"))))

    app = sandbox_app(sandbox)
    app.post_display_hook = record  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        assert seen[0] == (0, False)
        inspector = app.screen.query_one(Inspector)
        assert inspector.body_view.is_attached  # Catalogs' page is shown in it now
        assert "count" in "\n".join(screen_lines(app))


async def test_the_token_keys_work_before_the_buttons_exist(sandbox, monkeypatch):
    monkeypatch.setattr(explorer, "MAIN_AT_THE_LATEST", 60.0)
    sandbox.faults.update(hold_token=True)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer")
        panel = app.screen.query_one(TokenPanel)
        assert not panel.query("#reveal-token")
        panel.revealed = True  # as the `v` key does; the button, when it comes, agrees
        sandbox.faults.release()
        await wait_for(pilot, lambda: panel.query("#reveal-token"), "the buttons")
        assert str(panel.query_one("#reveal-token").label) == "Hide"


async def test_a_fresh_token_fills_the_bar(sandbox):
    # The bar counts in thousandths, as it always has: a token a second into its hour shows
    # a full bar, not one half a cell short of full.
    start = 1_800_000_000.0
    elapsed = [0.0]
    app = sandbox_app(sandbox, clock=lambda: start + elapsed[0])
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        panel = app.screen.query_one(TokenPanel)
        bar = panel.query_one(LifetimeBar)
        elapsed[0] = 1.0
        panel.poll()
        await pilot.pause()
        assert bar.fraction == 1.0
        assert "╸" not in "".join(segment.text for segment in bar.render_line(0))
        elapsed[0] = 360.0  # a tenth of the token's life gone
        panel.poll()
        await pilot.pause()
        assert bar.fraction == pytest.approx(0.9, abs=1 / bar.size.width)


class FakeTokens:
    current_token = None

    def __init__(self, status: TokenStatus) -> None:
        self.status = status

    def state(self) -> TokenState:
        return TokenState(status=self.status, now=0.0)

    def subscribe(self, callback):
        return lambda: None

    async def refresh(self):
        return None


@pytest.mark.parametrize(
    ("status", "mood"),
    [(TokenStatus.NONE, "-warn"), (TokenStatus.FETCHING, "-warn"), (TokenStatus.ERROR, "-bad")],
)
def test_the_panel_is_born_in_the_mood_of_its_token(status, mood):
    # So showing the first state does not restyle the panel and all it holds.
    assert TokenPanel(FakeTokens(status)).classes == {mood}


class Bars(App[None]):
    CSS = "LifetimeBar, ProgressBar, Bar { width: 1fr; }"

    def compose(self) -> ComposeResult:
        yield LifetimeBar()
        yield ProgressBar(total=1000, show_eta=False, show_percentage=False)


@pytest.mark.parametrize("width", [9, 37, 80])
async def test_the_lifetime_bar_draws_what_textuals_progress_bar_draws(width):
    app = Bars()
    async with app.run_test(size=(width, 4)) as pilot:
        ours = app.query_one(LifetimeBar)
        theirs = app.query_one(ProgressBar)
        for thousandths in (0, 1, 250, 333, 500, 777, 999, 1000):
            ours.fraction = thousandths / 1000
            theirs.update(progress=thousandths)
            await pilot.pause()
            mine = ours.render_lines(ours.region.reset_offset)
            textual = theirs.query_one(TextualBar)
            reference = textual.render_lines(textual.region.reset_offset)
            assert ours.region.width == textual.region.width == width
            assert [list(strip) for strip in mine] == [list(strip) for strip in reference], (
                thousandths
            )


async def test_the_panes_first_frame_carries_the_footers_keys(sandbox):
    # Textual's Footer composed its keys a frame after it mounted, once the screen's bindings
    # were known: the panes' first frame had a blank footer. KeyHints draws them at once.
    keys = re.compile(r"r Reload .* q Quit .*▏\^p palette")
    seen: list[bool] = []  # for each frame with the panes: the keys on its last line?

    def record() -> None:
        lines = screen_lines(app)
        if PANES.search("\n".join(lines)):
            seen.append(bool(keys.search(lines[-1])))

    app = sandbox_app(sandbox)
    app.post_display_hook = record  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        assert seen and seen[0]


async def test_the_panel_shows_a_new_token_as_the_manager_reports_it(sandbox):
    # The panel took a change through its message queue, so the frame being laid out when
    # the first token came in went out without it: a frame of its own before the countdown.
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        panel = app.screen.query_one(TokenPanel)
        tokens = app.session.tokens
        seen: list[int] = []  # the panel's refresh count when each later subscriber hears
        tokens.subscribe(lambda state: seen.append(panel.state.refresh_count))
        await tokens.refresh()
        await wait_for(pilot, lambda: tokens.state().refresh_count == 1, "the new token")
        assert seen[-1] == 1


async def test_the_explorers_first_resume_restyles_nothing_and_a_later_one_does(
    sandbox, monkeypatch
):
    # Textual restyles a resumed screen in case its styles changed while it was away; the
    # explorer's first resume follows the compose that styled everything, so it skips that.
    restyled: list[bool] = []  # for each restyle of the explorer: was it built by then?
    original = ExplorerScreen.update_node_styles

    def record(self: ExplorerScreen, animate: bool = True) -> None:
        restyled.append(self.built)
        original(self, animate)

    monkeypatch.setattr(ExplorerScreen, "update_node_styles", record)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        assert restyled == []  # not on its first resume, before the panes
        app.screen.post_message(events.ScreenResume())  # as a screen above it leaves
        await wait_for(pilot, lambda: restyled, "a later resume's restyle")
        assert restyled == [True]  # a later resume still catches up
