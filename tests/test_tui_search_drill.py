"""Pilot tests over the real sandbox: search on the server (`S`), drill down (`d`), marks and
`contains` (`M`, `K`), empty lists, and the tree filter's count, "no matches" and Down.

Each asserts what a person sees (labels, the inspector, toasts, the screen's text) and the
requests the sandbox counted.
"""

from __future__ import annotations

from screen_text import screen_lines
from tui_helpers import (
    child_by_label,
    cursor_to,
    expand_catalog,
    group,
    items,
    kinds,
    loaded,
    open_explorer,
    sandbox_app,
    settled,
    tree_of,
    wait_for,
)

from edxtui.sandbox.search import INVALID_QUERY
from edxtui.tui.screens import explorer
from edxtui.tui.widgets.catalog.ask import AskBox
from edxtui.tui.widgets.catalog.filter import FilterResults
from edxtui.tui.widgets.inspector import Inspector

SIZE = (140, 45)
API = "/api/v1/"


def toasts(app) -> str:
    return " | ".join(n.message for n in app._notifications)


def search_nodes(parent):
    return [c for c in parent.children if c.data is not None and c.data.kind == "search"]


async def question_box(pilot) -> AskBox:
    """The question box once it has the focus (it is mounted on the first `S` or `K`)."""
    await wait_for(pilot, lambda: isinstance(pilot.app.focused, AskBox), "the question box")
    return pilot.app.focused


async def ask(pilot, text: str) -> None:
    """Answer the question box that `S` or `K` opened."""
    box = await question_box(pilot)
    box.value = text
    await pilot.press("enter")


async def test_search_on_the_courses_group_asks_the_server(sandbox):
    sandbox.faults.update(search=True)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        courses = group(app, "Courses")
        await wait_for(pilot, lambda: settled(courses), "the Courses group")
        before = sandbox.counters.per_path.get(API + "courses/", 0)
        cursor_to(courses)
        await pilot.press("S")
        await ask(pilot, "python")
        await wait_for(pilot, lambda: search_nodes(courses), "a results node")
        node = search_nodes(courses)[0]
        await wait_for(pilot, lambda: loaded(node), "the results")
        # Under the group, first; labelled with the query, where, and the server's count.
        assert courses.children[0] is node
        assert node.label.plain == "⌕ “python” in Courses  21 results"
        found = [c for c in node.children if c.data.kind == "course"]
        assert len(found) == 21 and kinds(node) == ["course"] * 21
        assert all("python" in c.label.plain.lower() for c in found)
        assert tree_of(app).cursor_node is node
        # The group (only counted at start-up) opened to show it: its first page loads too,
        # after the results, which stay first.
        await wait_for(pilot, lambda: loaded(courses), "the group's first page")
        assert courses.children[0] is node
        assert [c.data.kind for c in items(courses)[1:]] == ["course"] * 100
        # One request for the search, with q= and the list's own paging; the inspector shows it.
        assert sandbox.counters.per_path[API + "courses/"] == before + 2
        exchange = app.screen.query_one(Inspector).exchange
        assert exchange is not None and "q=python" in exchange.url and "limit=100" in exchange.url
        # The same search again reloads its node rather than adding another.
        await pilot.press("S")
        await ask(pilot, "python")
        await wait_for(pilot, lambda: sandbox.counters.per_path[API + "courses/"] == before + 3)
        await wait_for(pilot, lambda: loaded(node), "the results again")
        assert len(search_nodes(courses)) == 1
        # esc cancels without asking anything.
        await pilot.press("S")
        box = await question_box(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: tree_of(app).has_focus, "the tree again")
        assert not box.display
        assert sandbox.counters.per_path[API + "courses/"] == before + 3


async def test_search_elsewhere_searches_everything_and_results_drill_down(sandbox):
    sandbox.faults.update(search=True)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await wait_for(pilot, lambda: settled(group(app, "Courses")), "the Courses group")
        cursor_to(group(app, "Catalogs"))  # catalogs have no q=: search/all/ instead
        await pilot.press("S")
        await ask(pilot, "python")
        root = tree_of(app).root
        await wait_for(pilot, lambda: search_nodes(root), "a results node")
        node = search_nodes(root)[0]
        await wait_for(pilot, lambda: loaded(node), "the results")
        assert node.label.plain == "⌕ “python” in everything  75 results"
        assert sandbox.counters.per_path[API + "search/all/"] == 1
        assert "page_size=100" in node.data.exchange.url
        # Each result's content_type says what it is.
        assert {"course", "run"} <= set(kinds(node))
        run = next(c for c in node.children if c.data.kind == "run")
        key = run.data.item["key"]
        # `d` fetches the run's own endpoint; the detail is a child, the entry stays.
        cursor_to(run)
        await pilot.press("d")
        await wait_for(pilot, lambda: run.children, "the detail child")
        detail = run.children[0]
        assert detail.data.kind == "detail" and detail.label.plain.startswith(
            "≡ detail course_runs/"
        )
        assert tree_of(app).cursor_node is detail
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is detail.data.exchange)
        assert inspector.exchange.url.endswith(f"course_runs/{key}/")
        assert inspector.exchange.status == 200 and inspector.json_path == ""
        assert sandbox.counters.per_path[f"{API}course_runs/{key}/"] == 1
        cursor_to(run)
        await wait_for(pilot, lambda: inspector.exchange is node.data.exchange, "the entry")


async def test_a_bad_query_shows_the_servers_message(sandbox):
    sandbox.faults.update(search=True)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        runs = group(app, "Course runs")
        await wait_for(pilot, lambda: settled(runs), "the Course runs group")
        cursor_to(runs)
        await pilot.press("S")
        await ask(pilot, '"python')  # an unbalanced quote
        await wait_for(pilot, lambda: search_nodes(runs), "a results node")
        node = search_nodes(runs)[0]
        await wait_for(pilot, lambda: node.data.state == "error", "the error")
        assert "(error)" in node.label.plain
        error = node.children[0]
        assert error.data.kind == "error"
        assert error.label.plain.startswith(f"⚠ 400 bad request: {INVALID_QUERY}")
        assert any("⚠ 400 bad request: Request could" in line for line in screen_lines(app))
        # The whole message in a toast, and the 400 exchange in the inspector.
        assert f'Search “"python”: 400 bad request: {INVALID_QUERY}' in toasts(app)
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is not None, "the 400 in the inspector")
        assert inspector.exchange.status == 400 and "q=%22python" in inspector.exchange.url


async def test_the_gateway_has_no_search_and_filters_instead(sandbox):
    app = sandbox_app(sandbox, layout="edx")
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        courses = group(app, "Courses")
        await wait_for(pilot, lambda: courses.data.state == "unavailable", "Courses")
        sent = sandbox.counters.api_requests
        for where in (group(app, "Catalogs"), courses):
            app.clear_notifications()
            cursor_to(where)
            await pilot.press("S")
            await wait_for(pilot, lambda: app.focused.id == "tree-filter", "the filter")
            assert "No server search" in toasts(app) and "filtering the loaded nodes" in toasts(app)
            assert "\n" not in toasts(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: tree_of(app).has_focus, "the tree again")
        assert "not available on this server" in toasts(app)
        assert sandbox.counters.api_requests == sent  # nothing asked of the server


async def test_detail_of_a_course_and_its_runs_below_it(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        course = next(c for c in catalog.children if c.data.inline == "course_runs")
        key = course.data.item["key"]
        cursor_to(course)
        await pilot.press("d")
        await wait_for(pilot, lambda: course.children, "the detail child")
        assert sandbox.counters.per_path[f"{API}courses/{key}/"] == 1
        inspector = app.screen.query_one(Inspector)
        detail = course.children[0]
        await wait_for(pilot, lambda: inspector.exchange is detail.data.exchange)
        assert "200" in detail.label.plain
        # Expanding the course lists its runs after the detail, which stays first.
        cursor_to(course)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "run" in kinds(course), "the runs")
        assert kinds(course)[0] == "detail" and set(kinds(course)[1:]) == {"run"}
        # `d` again (on the detail too) fetches it anew, still one detail child.
        cursor_to(detail)
        await pilot.press("d")
        await wait_for(pilot, lambda: sandbox.counters.per_path[f"{API}courses/{key}/"] == 2)
        await wait_for(pilot, lambda: course.children[0] is not detail, "the new detail")
        assert kinds(course).count("detail") == 1
        # On a node without a detail endpoint it says so and asks nothing.
        sent = sandbox.counters.api_requests
        cursor_to(group(app, "Catalogs"))
        await pilot.press("d")
        await wait_for(pilot, lambda: "Detail (d) works on" in toasts(app))
        assert sandbox.counters.api_requests == sent


async def test_mark_a_course_then_ask_catalogs_whether_they_contain_it(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        course = next(c for c in catalog.children if c.data.kind == "course")
        key = course.data.item["key"]
        cursor_to(course)
        await pilot.press("M")
        await wait_for(pilot, lambda: f"Marked {key}" in toasts(app))
        # K on the catalog offers the marked key; enter asks the server.
        cursor_to(catalog)
        await pilot.press("K")
        box = await question_box(pilot)
        await wait_for(pilot, lambda: box.value == key, "the marked key")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Catalog 1:" in toasts(app), "the answer")
        assert f"Catalog 1: {key} is in it" in toasts(app)
        assert sandbox.counters.per_path[API + "catalogs/1/contains/"] == 1
        # The empty catalog holds nothing; typed keys replace the mark, runs go as runs.
        empty = child_by_label(group(app, "Catalogs"), "Empty catalog")
        cursor_to(empty)
        await pilot.press("K")
        await ask(pilot, f"{key}, course-v1:No+Such+Run")
        await wait_for(pilot, lambda: "Catalog 5:" in toasts(app), "the second answer")
        assert f"Catalog 5: {key} is not; course-v1:No+Such+Run is not" in toasts(app)
        assert sandbox.counters.per_path[API + "catalogs/5/contains/"] == 1
        # Outside a catalog, K says where it works.
        cursor_to(group(app, "Programs"))
        await pilot.press("K")
        await wait_for(pilot, lambda: "put the cursor on one" in toasts(app))


async def test_an_empty_catalog_says_no_courses(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        empty = await expand_catalog(pilot, app, "Empty catalog")
        assert [c.label.plain for c in empty.children] == ["no courses"]
        assert empty.children[0].data.kind == "info"
        assert any("no courses" in line for line in screen_lines(app))


async def test_the_filter_shows_its_count_no_matches_and_down_enters(sandbox, monkeypatch):
    # A filter that has not run yet (typing never paused): Down must run it and enter.
    monkeypatch.setattr(explorer, "FILTER_DELAY", 600.0)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await pilot.press("slash", *"course")
        box = app.screen.query_one("#tree-filter")  # mounted by the first `/`
        await wait_for(pilot, lambda: box.value == "course", "the query")
        await pilot.press("down")  # the first filter: it mounts the matches, then enters them
        await wait_for(pilot, lambda: isinstance(app.focused, FilterResults), "the matches")
        results = app.focused
        assert results.answers == "course" and len(results.matches) > 1
        count = f"{len(results.matches)} matches"
        await wait_for(pilot, lambda: any(count in line for line in screen_lines(app)), count)
        # Up from the first match goes back to the query.
        await pilot.press("up")
        await wait_for(pilot, lambda: box.has_focus, "the query box again")
        box.value = "zzz-no-such"
        await pilot.press("down")
        await wait_for(pilot, lambda: results.answers == "zzz-no-such", "no matches")
        lines = screen_lines(app)
        assert any("0 matches" in line for line in lines)
        assert any("no matches" in line and "0 matches" not in line for line in lines)
        assert box.has_focus  # nothing to walk into


async def test_each_feature_is_in_the_palette_help_readme_and_docs(sandbox):
    from pathlib import Path

    from edxtui.tui.screens.help import HELP

    root = Path(__file__).resolve().parent.parent
    readme, tui_md = (root / "README.md").read_text(), (root / "docs/tui.md").read_text()
    for text in (HELP, readme, tui_md):
        for key in ("`S`", "`d`", "`M` / `K`"):
            assert f"| {key} |" in text
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Search on the server", "Catalog contains?", "Fetch detail", "Mark course"} <= set(
            commands
        )
        # From the palette, search opens the same question as S.
        cursor_to(group(app, "Courses"))
        await commands["Search on the server"].callback()  # as the palette does: awaited
        box = await question_box(pilot)
        assert "search Courses on the server" in box.placeholder
