"""Pilot tests of "load all" (L) and "export" (E) in the explorer, against the real sandbox.

Load all pages a list with the export's pager; these check the tree ends with every item,
the sandbox counted the pages it should, esc stops it and leaves the tree usable, and the
request count is asked about first when it is large or past a known budget. Export writes
with the CLI's writer: the file is what `edxtui export` writes, and a cancel leaves none.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sandbox_fixtures import http, sandbox_token
from textual.widgets import Input
from tui_helpers import (
    cursor_to,
    expand_catalog,
    group,
    items,
    kinds,
    loaded,
    mounted,
    open_explorer,
    sandbox_app,
    tree_of,
    wait_for,
)

from edxtui import cli
from edxtui.tui.screens.confirm import ConfirmScreen
from edxtui.tui.screens.export import ExportScreen
from edxtui.tui.widgets.task_progress import TaskProgress

SIZE = (140, 45)


def all_keys(server, path: str) -> list[str]:
    """Every key of a list, in order, straight from the sandbox (one big page)."""
    token = sandbox_token(server)
    url = server.api_root("openedx") + path
    body = http.get(url, params={"limit": 100_000}, headers={"Authorization": f"JWT {token}"})
    body.raise_for_status()
    return [item["key"] for item in body.json()["results"]]


def item_keys(node) -> list[str]:
    return [child.data.item["key"] for child in items(node)]


def progress_shown(app) -> bool:
    progress = mounted(app, "#task-progress")  # mounted by the first load all
    return isinstance(progress, TaskProgress) and bool(progress.display)


async def test_load_all_of_a_catalog_gets_every_course_with_the_pages_it_said(make_sandbox):
    server = make_sandbox(courses=450)
    app = sandbox_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        assert catalog.data.loaded == 100 and "more" in kinds(catalog)
        cursor_to(catalog)
        sent = server.counters.api_requests
        await pilot.press("L")
        await wait_for(pilot, lambda: catalog.data.loaded == 450, "every course")
        await wait_for(pilot, lambda: not tree_of(app).load_all.running, "the load to end")
        # what it said before it started: the 350 left, in 4 pages of 100
        assert any(
            "350 courses of All courses in 4 requests" in n.message for n in app._notifications
        )
        assert server.counters.api_requests - sent == 4
        assert item_keys(catalog) == all_keys(server, "catalogs/1/courses/")
        assert "more" not in kinds(catalog) and catalog.data.state == "loaded"
        await wait_for(pilot, lambda: not progress_shown(app), "the progress bar to go")
        # everything is there already: a second L says so and spends nothing
        sent = server.counters.api_requests
        await pilot.press("L")
        await pilot.pause()
        assert server.counters.api_requests == sent


async def test_a_large_load_all_asks_first_and_no_spends_nothing(make_sandbox):
    server = make_sandbox(large_catalog_courses=2_600)  # Courses: 25 pages after the first
    app = sandbox_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        courses = group(app, "Courses")  # only counted at start-up: open it for its first page
        cursor_to(courses)
        await pilot.press("enter")
        await wait_for(pilot, lambda: loaded(courses), "the Courses group")
        sent = server.counters.api_requests
        await pilot.press("L")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "the question"
        )
        question = str(screen.question)
        assert "2,500 courses" in question and "25 requests" in question, question
        assert "more than 20 requests" in question
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "no question")
        assert server.counters.api_requests == sent and courses.data.loaded == 100
        # yes: every course, in the 25 requests it said
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: courses.data.loaded == 2_600, "every course", lambda: courses.data.loaded
        )
        await wait_for(pilot, lambda: not tree_of(app).load_all.running, "the load to end")
        assert server.counters.api_requests - sent == 25
        assert item_keys(courses) == all_keys(server, "courses/")


async def test_load_all_past_a_known_budget_asks_first(make_sandbox):
    server = make_sandbox(courses=250)
    app = sandbox_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        cursor_to(catalog)
        budget = app.session.budget
        budget.limit = budget.last_hour + 1  # one request left this hour; this needs two
        await pilot.press("L")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "the question"
        )
        assert "more than the 1 left of this hour's request budget" in str(screen.question)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "no question")
        assert catalog.data.loaded == 100


async def test_esc_stops_load_all_and_the_tree_stays_usable(make_sandbox):
    server = make_sandbox(courses=1_500)
    app = sandbox_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        cursor_to(catalog)
        # two pages of the load all come in, the rest wait in the server: there is time to stop it
        server.faults.update(hold_api=True, hold_after=2)
        await pilot.press("L")
        await wait_for(pilot, lambda: catalog.data.loaded == 300, "two pages of the load all")
        await wait_for(pilot, lambda: progress_shown(app), "the progress bar")
        await pilot.press("L")  # one at a time: a second one is refused
        await wait_for(
            pilot,
            lambda: any("A load all is running" in n.message for n in app._notifications),
            "the refusal",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: not tree_of(app).load_all.running, "the load to stop")
        stopped_at = catalog.data.loaded
        assert stopped_at == 300
        assert catalog.data.state == "loaded" and kinds(catalog)[-1] == "more"
        assert any("Stopped" in n.message for n in app._notifications)
        await wait_for(pilot, lambda: not progress_shown(app), "the progress bar to go")
        # the tree goes on: load more carries on from where it stopped, the cursor moves
        server.faults.reset()
        tree_of(app).load(catalog, more=True)
        await wait_for(pilot, lambda: catalog.data.loaded == stopped_at + 100, "the next page")
        assert item_keys(catalog) == all_keys(server, "catalogs/1/courses/")[: stopped_at + 100]
        line = tree_of(app).cursor_line
        await pilot.press("down")
        assert tree_of(app).cursor_line == line + 1


# --- export --------------------------------------------------------------------------------


async def export_from_the_tree(pilot, app, path: Path, fmt: str = "jsonl") -> ExportScreen:
    catalog = await expand_catalog(pilot, app, "All courses")
    cursor_to(items(catalog)[3])  # from a course inside the catalog too
    await pilot.press("E")
    screen = await wait_for(
        pilot, lambda: isinstance(app.screen, ExportScreen) and app.screen, "the export dialog"
    )
    if fmt != "jsonl":
        await pilot.click(f"#format-{fmt}")
    box = screen.query_one("#export-path", Input)
    assert box.value == str(Path.cwd() / f"catalog-1.{fmt}")  # the default, in this folder
    box.value = str(path)
    return screen


@pytest.fixture(params=["jsonl", "json", "csv"])
def cli_export(request, make_sandbox, tmp_path, monkeypatch):
    """(sandbox, format, the file `edxtui export` wrote for catalog 1 in that format); the
    CLI runs here, in the main thread, as it does from a shell (it installs signal handlers)."""
    fmt = request.param
    server = make_sandbox(courses=250)
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", server.client_secret)
    monkeypatch.setenv("EDXTUI_CONFIG_DIR", str(tmp_path / "config"))
    by_cli = tmp_path / f"cli.{fmt}"
    args = ["export", "1", "--format", fmt, "-o", str(by_cli), "--no-progress"]
    args += ["--token-url", server.token_url("openedx"), "--api-url", server.api_root("openedx")]
    args += ["--client-id", server.client_id]
    assert cli.main(args) == 0
    return server, fmt, by_cli


async def test_export_from_the_explorer_writes_what_the_cli_writes(cli_export, tmp_path):
    server, fmt, by_cli = cli_export
    app = sandbox_app(server)
    target = tmp_path / f"tui.{fmt}"
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await export_from_the_tree(pilot, app, target, fmt)
        await pilot.click("#export")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen), "the export")
        assert target.read_bytes() == by_cli.read_bytes()
        assert any(
            f"Exported 250 courses of catalog #1 to {target}" in n.message
            for n in app._notifications
        )


async def test_export_asks_before_replacing_and_a_cancel_leaves_the_old_file(
    make_sandbox, tmp_path
):
    server = make_sandbox(courses=2_000)
    app = sandbox_app(server)
    target = tmp_path / "courses.jsonl"
    target.write_text("the previous export\n")
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        screen = await export_from_the_tree(pilot, app, target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "replace it?")
        server.faults.update(hold_api=True)  # its first page waits in the server: cancel then
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "back to the export dialog")
        await wait_for(pilot, lambda: server.counters.held == 1 and screen.worker, "a page held")
        await wait_for(pilot, lambda: screen.worker.is_running, "the export running")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen), "closed")
        await wait_for(pilot, lambda: screen.worker.is_finished, "the export to stop")
        server.faults.update(hold_api=False)
        assert target.read_text() == "the previous export\n"
        assert sorted(os.listdir(tmp_path)) == ["courses.jsonl"]  # no temporary file left
        assert any("Export cancelled" in n.message for n in app._notifications)
        # the tree is still there and works
        assert tree_of(app).has_focus or tree_of(app).display


async def test_load_all_and_export_are_in_the_palette_help_and_docs(sandbox):
    from edxtui.tui.screens.help import HELP

    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    tui_doc = (root / "docs" / "tui.md").read_text()
    for key in ("`L`", "`E`"):
        assert key in HELP and key in readme and key in tui_doc
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        titles = [title for title, _, _ in app.screen.palette_commands()]
        assert "Load all" in titles and "Export catalog" in titles


async def test_a_failed_export_says_why_and_leaves_no_file(make_sandbox, tmp_path):
    server = make_sandbox(courses=2_000)
    app = sandbox_app(server)
    target = tmp_path / "courses.csv"
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        screen = await export_from_the_tree(pilot, app, target, "csv")
        # the first page comes through, every later one is a 500: a failure mid-export
        server.faults.update(errors={"count": -1, "scope": "api", "status": 500, "after": 1})
        await pilot.click("#export")
        error = screen.query_one("#export-error")
        await wait_for(pilot, lambda: "Could not export" in str(error.render()), "the error")
        assert "500" in str(error.render()) and "no file was written" in str(error.render())
        assert app.screen is screen and not target.exists()
        assert os.listdir(tmp_path) == []  # no temporary file either
        server.faults.reset()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen), "closed")
