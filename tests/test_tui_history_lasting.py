"""The history view over the real sandbox: exchanges of an earlier run come back marked
"earlier", open in the inspector, re-run on the session (r); Home/End; enter in the footer;
the URL column shows the end of a URL (its offset, its query)."""

from __future__ import annotations

from screen_text import screen_lines
from tui_helpers import open_explorer, sandbox_app, wait_for

from edxtui.api.history_store import HistoryStore
from edxtui.tui.history_keeper import history_path
from edxtui.tui.screens.explorer import ExplorerScreen
from edxtui.tui.screens.history import HistoryScreen
from edxtui.tui.widgets.history import HistoryTable, short_url
from edxtui.tui.widgets.inspector import Inspector

SIZE = (140, 45)


async def open_history(pilot) -> HistoryTable:
    app = pilot.app
    await pilot.press("h")
    await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history view")
    table = app.screen.query_one(HistoryTable)
    await wait_for(pilot, lambda: table.row_count >= len(app.session.log), "its rows")
    return table


def key_at(table: HistoryTable) -> str:
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


async def test_an_earlier_runs_history_comes_back_opens_and_reruns(sandbox):
    first = sandbox_app(sandbox)
    async with first.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        earlier_urls = [e.url for e in first.session.log]
    # the first run wrote its log when it ended
    assert {s.exchange.url for s in HistoryStore(history_path()).load()} >= set(earlier_urls)

    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        table = await open_history(pilot)
        await wait_for(pilot, lambda: "earlier-0" in table.rows, "the earlier run's rows")
        screen = app.screen
        assert "from earlier runs" in str(screen.query_one("#history-title").render())
        assert table.get_row("earlier-0")[0].plain == "earlier"
        # Home / End: the first and the last row
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0 and key_at(table) == "earlier-0"
        # enter shows in the footer, and opens an earlier exchange in the inspector
        assert any("Inspect" in line for line in screen_lines(app)[-2:])
        opened = screen.earlier["earlier-0"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer")
        assert app.screen.query_one(Inspector).exchange is opened

        # r re-sends an earlier GET on this session and shows the new exchange
        table = await open_history(pilot)
        await wait_for(pilot, lambda: "earlier-0" in table.rows, "the earlier run's rows")
        row = next(
            n
            for n, key in enumerate(table.rows)
            if key.value.startswith("earlier-") and app.screen.earlier[key.value].method == "GET"
        )
        target = app.screen.earlier[table.coordinate_to_cell_key((row, 0)).row_key.value]
        table.move_cursor(row=row)
        sent = len(app.session.log)
        await pilot.press("r")
        await wait_for(pilot, lambda: len(app.session.log) == sent + 1, "the re-sent request")
        newest = max(app.session.log, key=lambda e: e.id)
        assert newest.url == target.url and newest.status == 200
        await wait_for(pilot, lambda: key_at(table) == str(newest.id), "the new row selected")
        assert any("Re-ran GET" in n.message for n in app._notifications)


async def test_the_token_post_is_not_rerun_and_the_url_shows_its_end(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        long_path = "courses/?q=" + "x" * 90 + "&offset=3"
        await app.session.get(long_path)
        titles = [title for title, _help, _run in app.screen.palette_commands()]
        assert "Request bar" in titles  # in the command palette
        table = await open_history(pilot)
        assert "Re-run request" in [t for t, _h, _r in app.screen.palette_commands()]
        newest = max(app.session.log, key=lambda e: e.id)
        cell = table.get_row(str(newest.id))[-1].plain
        assert cell.endswith("&offset=3") and "…" in cell and len(cell) <= 64
        token = min(e.id for e in app.session.log if e.kind == "token")
        table.move_cursor(row=table.get_row_index(str(token)))
        sent = len(app.session.log)
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: any("Only an API GET" in n.message for n in app._notifications),
            "the refusal",
        )
        assert len(app.session.log) == sent


def test_short_url_keeps_the_end():
    assert short_url("http://h/api/v1/courses/?limit=100") == "/api/v1/courses/?limit=100"
    url = "http://h/api/v1/catalogs/6/courses/?limit=100&offset=9900" + "&x=" + "y" * 60
    assert short_url(url, 40).endswith("y" * 10) and len(short_url(url, 40)) == 40


def test_a_burst_of_exchanges_is_one_write_once_the_log_is_quiet(monkeypatch, tmp_path):
    """A load all's pages must not each bring a write of the whole file (each write holds the
    interpreter for a JSON dump, which stalls the event loop): the write waits for the log
    to be quiet for SAVE_AFTER, and comes SAVE_AT_MOST after a change however busy it is."""
    import asyncio
    from types import SimpleNamespace

    from edxtui.api.history_store import HistoryStore
    from edxtui.tui import history_keeper

    clock = [1000.0]
    monkeypatch.setattr(history_keeper, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    timers: list[SimpleNamespace] = []

    def set_timer(delay, callback):
        timer = SimpleNamespace(due=clock[0] + delay, callback=callback, stopped=False)
        timer.stop = lambda: setattr(timer, "stopped", True)
        timers.append(timer)
        return timer

    writes = []

    def run_due_timers() -> None:  # what Textual's timers would do as time passes
        for timer in list(timers):
            if not timer.stopped and timer.due <= clock[0]:
                timer.stopped = True
                writes.append(clock[0])
                asyncio.run(timer.callback())

    class Log(list):
        def subscribe(self, fn):
            self.changed = fn
            return lambda: None

    log = Log()
    history_keeper.HistoryKeeper(
        SimpleNamespace(set_timer=set_timer, notify=print),
        SimpleNamespace(log=log, secrets=lambda: []),
        store=HistoryStore(tmp_path / "history.json"),
    )
    while clock[0] < 1000.0 + 60:  # a page every half second for a minute
        log.changed(None)
        clock[0] += 0.5
        run_due_timers()
    # one write per SAVE_AT_MOST while it is busy, not one every SAVE_AFTER
    assert len(writes) == 60 // history_keeper.SAVE_AT_MOST, writes
    clock[0] += history_keeper.SAVE_AFTER  # quiet: the rest is written
    run_due_timers()
    assert len(writes) == 60 // history_keeper.SAVE_AT_MOST + 1
    assert (tmp_path / "history.json").exists()
