"""The JSON view, jless-grade (issue 18): j/k/h/l/g/G, the wrap toggle, previews of folded
rows and the jq-style path query, on response bodies from the real sandbox in the
inspector, driven through Pilot."""

from __future__ import annotations

import json

from tui_helpers import (
    cursor_to,
    expand_catalog,
    group,
    items,
    open_explorer,
    sandbox_app,
    wait_for,
)

from edxtui.textsafe import is_safe
from edxtui.tui.screens.explorer import ExplorerScreen
from edxtui.tui.widgets.body.view import JsonView
from edxtui.tui.widgets.catalog.tree import CatalogTree
from edxtui.tui.widgets.inspector import Inspector

SIZE = (140, 45)


def body_view(app) -> JsonView:
    return app.screen.query_one(Inspector).body_view


def screen_lines(view: JsonView) -> list[str]:
    lines = view.query_one("#json-view-lines")
    return [lines.render_line(y).text for y in range(lines.size.height)]


def status(view: JsonView) -> str:
    return str(view.query_one("#json-view-status").render())


def body_focused(app) -> bool:
    focused = app.focused
    return focused is not None and focused.id == "json-view-lines"


async def courses_page(pilot) -> tuple[object, JsonView, dict]:
    """The explorer with All courses' first page in the inspector, the body focused."""
    app = await open_explorer(pilot)
    catalog = await expand_catalog(pilot, app, "All courses")
    cursor_to(items(catalog)[0])  # a course: the inspector shows its page of courses
    view = body_view(app)
    await wait_for(pilot, lambda: b'"full_description"' in view._rows.data, "the courses page")
    await wait_for(pilot, lambda: view._doc is not None and view._doc.done, "the index")
    await pilot.press("i")
    await wait_for(pilot, lambda: body_focused(app), "the body to have focus")
    return app, view, json.loads(view._rows.data)


async def test_j_k_g_G_h_l_move_and_fold_like_jless_and_the_explorer_keys_still_work(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        app, view, _ = await courses_page(pilot)
        await pilot.press("g")
        assert view.selected_path() == "."
        await pilot.press("j", "j")
        assert view._lines.cursor == 2
        await pilot.press("k")
        assert view._lines.cursor == 1
        await pilot.press("G")
        assert view._lines.cursor == view.row_count() - 1
        await pilot.press("g", "m")  # the tree view: h / l fold and go in and out as jless
        assert view.mode == "tree"
        assert view.goto_path(".results[0]")
        row = view._lines.cursor
        assert "▸ [0]" in screen_lines(view)[row - int(view._lines.scroll_y)]
        await pilot.press("l")  # a folded object: unfold it
        assert "▾ [0]" in screen_lines(view)[row - int(view._lines.scroll_y)]
        await pilot.press("l")  # an open one: to its first child
        assert view.selected_path() == ".results[0].key"
        await pilot.press("h")  # a scalar: to its parent
        assert view.selected_path() == ".results[0]"
        await pilot.press("h")  # an open container: fold it
        assert "▸ [0]" in screen_lines(view)[row - int(view._lines.scroll_y)]
        # In the tree view h and l are the body's; in the pretty view (no folds) they are
        # still the explorer's: l focuses the tree, and h there opens the history.
        assert body_focused(app) and isinstance(app.screen, ExplorerScreen)
        await pilot.press("m", "m")  # raw, then pretty
        assert view.mode == "pretty"
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.focused, CatalogTree), "l: the tree")
        await pilot.press("i")
        await wait_for(pilot, lambda: body_focused(app), "i: the body focused")
        app.screen.query_one(CatalogTree).focus()
        await wait_for(pilot, lambda: isinstance(app.focused, CatalogTree), "the tree focused")
        await pilot.press("h")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryScreen", "history")


async def test_w_wraps_a_long_value_in_the_pretty_and_tree_views(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        app, view, body = await courses_page(pilot)
        index, field, text = next(
            (i, field, c[field])
            for field in ("short_description", "full_description", "title")
            for i, c in enumerate(body["results"])
            if 300 < len(c.get(field) or "") < 1_800  # long, and not cut at 2,000 bytes
        )
        tail = json.dumps(text)[-30:]  # the end of the value, as the view shows it
        path = f".results[{index}].{field}"
        for mode in ("pretty", "tree"):
            view.mode = mode
            await pilot.pause()
            assert view.goto_path(path)
            await pilot.pause()
            shown = "".join(line.strip() for line in screen_lines(view))
            assert tail not in shown, mode  # cut at the pane's right edge
            await pilot.press("w")
            await wait_for(pilot, lambda: view.wrap_map is not None, "the wrapped layout")
            await pilot.pause()
            shown = "".join(line.replace(" ", "") for line in screen_lines(view))
            # every character, over several lines (spaces aside: a line may end at one)
            assert json.dumps(text).replace(" ", "") in shown, mode
            width = view._lines.scrollable_content_region.width
            assert all(len(line.rstrip()) <= width for line in screen_lines(view))
            assert view.selected_path() == path  # the cursor stayed on the value
            await pilot.press("w")  # back to cut lines
            await pilot.pause()
            assert view.wrap_map is None


async def test_folded_tree_rows_preview_their_content_within_the_width(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        app, view, body = await courses_page(pilot)
        await pilot.press("m")
        assert view.mode == "tree"
        await pilot.pause()
        lines = screen_lines(view)
        first = body["results"][0]
        row = next(line for line in lines if "▸ [0]: {" in line)
        # jless style: identifier keys bare, values as JSON, nested containers folded
        assert f"key: {json.dumps(first['key'])}" in row
        assert "uuid: " in row and ("course_runs: [" in row or "…" in row)
        width = view._lines.scrollable_content_region.width
        assert len(row.rstrip()) <= width and row.rstrip().endswith(" keys")
        assert all(is_safe(line) for line in lines)
        # narrower: the preview is cut to the new width, with an ellipsis
        await pilot.resize_terminal(90, 45)
        await wait_for(pilot, lambda: view._lines.scrollable_content_region.width < width)
        await pilot.pause()
        row = next(line for line in screen_lines(view) if "▸ [0]: {" in line)
        narrow = view._lines.scrollable_content_region.width
        assert len(row.rstrip()) <= narrow and "…" in row


async def test_a_path_query_highlights_steps_through_and_copies_its_matches(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        app, view, body = await courses_page(pilot)
        keys = [course["key"] for course in body["results"]]
        await pilot.press("full_stop")
        box = view.query_one("#json-view-query")
        await wait_for(pilot, lambda: app.focused is box, "the query box")
        assert box.value == "."  # a query starts with a dot: it is typed already
        await pilot.press(*"results[].key", "enter")
        await wait_for(
            pilot,
            lambda: view.selected_path() == ".results[0].key",
            "first match",
            lambda: (box.value, status(view), [n.message for n in app._notifications]),
        )
        assert f"query .results[].key: match 1/{len(keys)}" in status(view)
        # every match on screen is highlighted, and nothing else
        lines = view.query_one("#json-view-lines")
        marked = [row for row in range(view.row_count()) if view.row_marked(row)]
        assert [view._rows.path("pretty", row) for row in marked] == [
            f".results[{i}].key" for i in range(len(keys))
        ]
        query_bg = lines.get_component_rich_style("json-view--query").bgcolor
        row = marked[1] - int(lines.scroll_y)
        assert any(seg.style and seg.style.bgcolor == query_bg for seg in lines.render_line(row))
        await pilot.press("n")
        assert view.selected_path() == ".results[1].key"
        assert f"match 2/{len(keys)}" in status(view)
        await pilot.press("N", "N")  # back, and round to the last
        assert view.selected_path() == f".results[{len(keys) - 1}].key"
        await pilot.press("P")
        assert app.clipboard == "".join(json.dumps(key) + "\n" for key in keys)
        assert any("query's matches as JSON lines" in n.message for n in app._notifications)
        # containers are copied one compact JSON value a line (the runs' seats: small enough
        # for the terminal's clipboard, whose limit a whole run per course would pass)
        assert view.run_query(".results[].course_runs[0].seats")
        await pilot.press("P")
        copied = [json.loads(line) for line in app.clipboard.splitlines()]
        expected = [c["course_runs"][0]["seats"] for c in body["results"] if c["course_runs"]]
        assert copied == expected and any(copied)


async def test_an_invalid_path_query_says_why_in_one_line(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        app, view, _ = await courses_page(pilot)
        cursor = view._lines.cursor
        await pilot.press("full_stop", *"results[x", "enter")
        await wait_for(pilot, lambda: app._notifications, "a message")
        message = list(app._notifications)[-1].message
        assert (
            message.startswith('Cannot read the query at character 9: "[x"') and "\n" not in message
        )
        assert view._lines.cursor == cursor and not view.query_matches_json_lines()
        await pilot.press("P")  # nothing to copy: it says so
        assert "No path query matches" in list(app._notifications)[-1].message
        assert view.run_query(".no_such_key") is False
        assert "query .no_such_key: no match" in status(view)


async def test_the_palette_offers_wrap_query_and_copy_matches(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        cursor_to(group(app, "Catalogs").children[1])
        await pilot.pause()
        view = body_view(app)
        await wait_for(pilot, lambda: view.selected_path() == ".results[1]")
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Wrap long lines"].callback()
        await pilot.pause()
        assert view.wrap
        commands["Path query"].callback()
        await wait_for(pilot, lambda: app.focused is view.query_one("#json-view-query"))
        await pilot.press(*"results[].id", "enter")
        await wait_for(pilot, lambda: view.selected_path().endswith(".id"), "a match")
        commands["Copy query matches"].callback()
        await pilot.pause()
        ids = json.loads(view._rows.data)["results"]
        assert app.clipboard == "".join(f"{c['id']}\n" for c in ids)
