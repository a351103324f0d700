"""The bounds in the explorer: a request out of time is an error node with a retry while the
app stays responsive, and a list's endless `next` links stop at what its count allows.

The real app (its own Session, built from EDXTUI_TIMEOUT) against the sandbox's hostile
switches, driven with Pilot; waits are on conditions.
"""

from __future__ import annotations

from tui_helpers import group, loaded, sandbox_app, tree_of, tree_ready, wait_for

from edxtui.tui.screens.history import HistoryScreen

SIZE = (140, 45)


def error_node(node):
    errors = [c for c in node.children if c.data is not None and c.data.kind == "error"]
    return errors[0] if errors else None


async def test_a_request_out_of_time_is_an_error_with_a_retry_and_keys_work_meanwhile(
    sandbox, monkeypatch
):
    monkeypatch.setenv("EDXTUI_TIMEOUT", "3")  # the TUI reads the environment
    sandbox.faults.update(trickle=0.05)  # a byte every 50 ms: no read timeout ever trips
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: tree_ready(app), "the explorer")
        catalogs = group(app, "Catalogs")
        await wait_for(pilot, lambda: sandbox.counters.body_bytes_sent > 0, "a body trickling")
        await pilot.press("h")  # a key while the request waits: the history screen opens
        state = await wait_for(
            pilot,
            lambda: isinstance(app.screen, HistoryScreen) and [catalogs.data.state],
            "the history screen",
        )
        assert state == ["loading"]  # it opened while the load was still waiting
        await pilot.press("escape")
        await wait_for(pilot, lambda: loaded(catalogs), "the deadline")
        failed = error_node(catalogs)
        assert failed is not None
        label = failed.label.plain
        assert "did not finish within 3 s (the overall deadline)" in label
        assert "(enter to retry)" in label
        sandbox.faults.update(trickle=0)
        tree = tree_of(app)
        tree.focus()
        tree.move_cursor(failed)
        await pilot.press("enter")  # the retry
        await wait_for(
            pilot,
            lambda: catalogs.data.state == "loaded" and error_node(catalogs) is None,
            "the retried load",
        )
        assert catalogs.data.loaded == catalogs.data.count > 0


async def test_load_more_stops_on_endless_next_links(sandbox):
    sandbox.faults.update(endless_next=True)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: tree_ready(app), "the explorer")
        catalogs = group(app, "Catalogs")
        await wait_for(pilot, lambda: loaded(catalogs), "the first page")
        count = catalogs.data.count
        more = [c for c in catalogs.children if c.data is not None and c.data.kind == "more"]
        assert len(more) == 1  # the server says there is a next page
        tree = tree_of(app)
        tree.focus()
        tree.move_cursor(more[0])
        await pilot.press("enter")
        await wait_for(pilot, lambda: error_node(catalogs) is not None, "the bound")
        label = error_node(catalogs).label.plain
        assert f"more results ({2 * count}) than its count ({count})" in label
        assert catalogs.data.loaded == count  # what was loaded stays
        pages = sandbox.counters.per_path.get("/api/v1/catalogs/", 0)
        tree.move_cursor(error_node(catalogs))
        await pilot.press("enter")  # a retry meets the same bound, one request later
        await wait_for(
            pilot,
            lambda: (
                sandbox.counters.per_path["/api/v1/catalogs/"] == pages + 1
                and catalogs.data.state == "loaded"
                and error_node(catalogs) is not None
            ),
            "the bound again",
        )
        assert catalogs.data.loaded == count
