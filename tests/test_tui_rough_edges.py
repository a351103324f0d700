"""Issue 17's rough edges of the explorer, each as a person meets it, over the real sandbox."""

from __future__ import annotations

from tui_helpers import (
    cursor_to,
    expand_catalog,
    items,
    open_explorer,
    sandbox_app,
    wait_for,
)

from edxtui.tui.clipboard import OSC52_LIMIT
from edxtui.tui.widgets.inspector import Inspector

SIZE = (120, 36)


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_ctrl_c_says_how_to_quit_without_markup_tags(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: any("to quit" in m for m in toasts(app)), "the toast")
        message = next(m for m in toasts(app) if "to quit" in m)
        assert message == "Press q to quit the app"  # not "Press [b]q[/b] ..."


async def test_a_body_too_big_for_osc52_is_not_claimed_as_copied(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        cursor_to(items(catalog)[0])
        inspector = app.screen.query_one(Inspector)
        await wait_for(
            pilot,
            lambda: inspector.exchange is not None and inspector.exchange.size > 100_000,
            "a page",
        )
        exchange = inspector.exchange
        assert exchange.size * 4 // 3 > OSC52_LIMIT  # a page of 100 courses
        await pilot.press("y")
        await wait_for(pilot, lambda: any("copied" in m.lower() for m in toasts(app)), "a toast")
        message = toasts(app)[-1]
        assert message.startswith("Not copied: the body")
        assert "too big for the terminal's clipboard" in message and "save it with s" in message
        assert app.clipboard != exchange.body.decode()  # nothing went out through OSC 52
        # A small body still goes through OSC 52.
        cursor_to(catalog)
        small = await wait_for(
            pilot,
            lambda: inspector.exchange if inspector.exchange is not exchange else None,
            "the catalogs list",
        )
        await pilot.press("y")
        assert app.clipboard == small.body.decode()
        assert toasts(app)[-1].startswith("Copied the body")


async def test_save_asks_before_replacing_an_existing_file(sandbox, tmp_path):
    from edxtui.tui.screens.explorer import ExplorerScreen
    from edxtui.tui.screens.save_body import SaveBodyScreen

    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is not None, "an exchange")
        body = inspector.exchange.body
        target = tmp_path / "kept.json"
        target.write_bytes(b"precious")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SaveBodyScreen), "the dialog")
        dialog = app.screen
        dialog.query_one("#save-path").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        # Asked, not written.
        assert app.screen is dialog and target.read_bytes() == b"precious"
        assert "exists" in str(dialog.query_one("#save-error").render())
        assert str(dialog.query_one("#save").label) == "Overwrite"
        # A changed path asks afresh; back to the same path, a second enter replaces it.
        dialog.query_one("#save-path").value = str(target) + ".x"
        await pilot.pause()
        assert str(dialog.query_one("#save").label) == "Save"
        dialog.query_one("#save-path").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and target.read_bytes() == b"precious"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExplorerScreen), "the explorer")
        assert target.read_bytes() == body


async def test_reveal_shows_the_whole_token_wrapped_and_selectable(sandbox):
    from edxtui.tui.widgets.token_panel import TokenPanel

    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        token = await wait_for(pilot, lambda: app.session.tokens.current_token, "a token")
        assert len(token) > 500
        panel = app.screen.query_one(TokenPanel)
        await pilot.press("v")
        full = panel.query_one("#token-full")
        await wait_for(pilot, lambda: full.display and full.region.height > 1, "the token rows")
        await pilot.pause()
        # Every character of it on screen, row after row, inside the panel.
        rows = [strip.text for strip in app.screen._compositor.render_strips()]
        region = full.region
        shown = "".join(
            rows[y][region.x : region.right].rstrip() for y in range(region.y, region.bottom)
        )
        assert shown == token
        assert panel.region.contains_region(region)
        # Selectable with the mouse: a drag over its rows selects the token.
        await pilot.mouse_down(full, offset=(0, 0))
        await pilot.hover(full, offset=(region.width - 1, region.height - 1))
        await pilot.mouse_up(full, offset=(region.width - 1, region.height - 1))
        await pilot.pause()
        selected = (app.screen.get_selected_text() or "").replace("\n", "")
        assert selected.startswith(token[:100])
        # The copy buttons sit right above it, on the same panel.
        assert panel.query_one("#copy-token").region.bottom == region.y
        # Hidden again: no row of it left.
        await pilot.press("v")
        await wait_for(pilot, lambda: not full.display, "the token hidden")
        await pilot.pause()
        assert token[:40] not in "".join(
            strip.text for strip in app.screen._compositor.render_strips()
        )


async def test_stable_mode_reveals_the_shape_never_the_token(sandbox):
    from edxtui.tui.widgets.token_panel import TokenPanel

    app = sandbox_app(sandbox, stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        token = await wait_for(pilot, lambda: app.session.tokens.current_token, "a token")
        await pilot.press("v")
        full = app.screen.query_one(TokenPanel).query_one("#token-full")
        await wait_for(pilot, lambda: full.display and full.region.height > 1, "the token rows")
        assert token[:20] not in str(full.render()) and "•" * 20 in str(full.render())


def body_lines(app) -> list[str]:
    lines = app.screen.query_one("#json-view-lines")
    return [lines.render_line(y).text.rstrip() for y in range(lines.size.height)]


async def test_unicode_escapes_show_decoded_in_pretty_and_tree_raw_stays_exact(sandbox):
    import json

    from edxtui.api.exchange import Exchange

    data = {"title": "Программа 東京 😀", "trap": 'a\u202eb\x1bc"d\\e\nf', "k\u00e9y": 1}
    body = json.dumps(data).encode()  # Python's default: ensure_ascii, every non-ASCII escaped
    assert b"\\u041f" in body and "П".encode() not in body
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        exchange = Exchange(
            id=9999,
            kind="api",
            method="GET",
            url=sandbox.base_url + "/escaped/",
            request_headers=[],
            request_body=b"",
            started_at=0.0,
            status=200,
            reason="OK",
            response_headers=[("content-type", "application/json")],
            body=body,
        )
        inspector = app.screen.query_one(Inspector)
        inspector.show(exchange)
        view = inspector.body_view
        await wait_for(pilot, lambda: any("title" in line for line in body_lines(app)), "body")
        pretty = "\n".join(body_lines(app))
        assert '"title": "Программа 東京 😀",' in pretty
        assert '"kéy": 1' in pretty
        # Controls and bidi keep their escapes; a quote and a backslash stay JSON.
        assert '"trap": "a\\u202eb\\u001bc\\"d\\\\e\\nf",' in pretty
        view.mode = "tree"
        await wait_for(pilot, lambda: view.shown_mode() == "tree", "the tree view")
        await pilot.pause()
        tree = "\n".join(body_lines(app))
        assert 'title: "Программа 東京 😀"' in tree and "kéy" in tree
        view.mode = "raw"
        await wait_for(pilot, lambda: view.shown_mode() == "raw", "the raw view")
        await pilot.pause()
        raw = "\n".join(body_lines(app))
        assert "\\u041f\\u0440" in raw and "Программа" not in raw


def screen_rows(app) -> list[str]:
    """What the terminal shows now, toasts included (the compositor's rows)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_the_search_counter_shows_at_120_columns_beside_a_toast(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        cursor_to(items(catalog)[0])
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is not None, "a page")
        view = inspector.body_view
        await pilot.press("i")
        await wait_for(pilot, lambda: view.has_focus_within, "the body")
        # deep into the page, so the status line carries a long path
        assert view.goto_path(".results[3].course_runs[0].seats[0].price")
        await pilot.press("slash")
        box = view.query_one("#json-view-search")
        await wait_for(pilot, lambda: box.has_focus, "the search box")
        await pilot.press(*"price", "enter")
        await wait_for(
            pilot,
            lambda: "match 22/808" in str(view._status_bar.render()),
            "a match",
            lambda: (str(view._status_bar.render()), app.focused),
        )
        # The status line has it before the long path, so a 120-column screen shows it.
        await pilot.pause()
        bar = view._status_bar.region
        assert "match 22/808" in screen_rows(app)[bar.y][bar.x : bar.right]
        await pilot.press("y")  # a toast, bottom right, over the status line
        await wait_for(pilot, lambda: app.screen.query("Toast"), "the toast")
        await pilot.pause()
        # The counter is on screen: the pane's top border carries it, clear of the toast.
        top = inspector.region
        row = screen_rows(app)[top.y][top.x : top.right]
        assert "Inspector · match 22/808" in row, row  # the 22nd "price" from the cursor on
        # A new search that finds nothing says so; closing the body's search is no counter.
        view.search("")
        await pilot.pause()
        assert str(inspector.border_title) == "Inspector"


async def test_the_split_between_tree_and_inspector_moves_with_lt_and_gt(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        left = app.screen.query_one("#left")
        inspector = app.screen.query_one(Inspector)
        before = left.region.width
        assert before == 48  # 40% of 120
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: left.region.width == 54, "a wider tree")
        assert inspector.region.x == left.region.right  # the inspector gave the room
        # From the body too; and never past the bounds.
        await pilot.press("i")
        await wait_for(pilot, lambda: inspector.body_view.has_focus_within, "the body")
        for _ in range(20):
            await pilot.press("less_than_sign")
        await wait_for(pilot, lambda: left.region.width == 28, "the narrowest tree")  # min-width
        for _ in range(30):
            await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: left.region.width == 102, "the widest tree")  # 85%
        assert inspector.region.width == 18


async def test_headers_reveal_the_token_that_request_sent_not_the_current_one(sandbox):
    from tui_helpers import group

    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tokens = app.session.tokens
        first = await wait_for(pilot, lambda: tokens.current_token, "a token")
        catalogs = group(app, "Catalogs")
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is catalogs.data.exchange, "catalogs")
        exchange = catalogs.data.exchange
        assert exchange.token_id and first not in repr(exchange)  # a fingerprint, no token
        # The sandbox's tokens differ by their times only: a new one within the same second
        # would be the same string, so its clock moves 5 s (under the skew warning's 30 s).
        sandbox.faults.update(clock_skew=5)
        await pilot.press("f")  # a new token; the catalogs' request keeps the one it sent
        await wait_for(pilot, lambda: tokens.current_token not in (None, first), "a new token")
        second = tokens.current_token
        headers = app.screen.query_one("#headers")
        assert first not in str(headers.render()) and "••••••" in str(headers.render())
        await pilot.press("v")
        await wait_for(pilot, lambda: first in str(headers.render()), "the token it sent")
        shown = str(headers.render())
        assert second not in shown and "the token this request sent" in shown
        await pilot.press("v")
        await wait_for(pilot, lambda: first not in str(headers.render()), "masked again")


def widened_by_vs16(rows: list[str]) -> list[str]:
    """Rows where an emoji variation selector follows a one-cell character: Rich counts the
    pair as one cell, a terminal that honours the selector draws two."""
    import unicodedata

    return [
        row
        for row in rows
        for i, char in enumerate(row)
        if char == "\ufe0f" and i and unicodedata.east_asian_width(row[i - 1]) not in "WF"
    ]


async def test_an_emoji_with_a_variation_selector_keeps_the_borders_in_place(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        course = next(n for n in items(catalog) if "Chemistry ⚗" in n.label.plain)
        cursor_to(course)  # the label in the tree, the title in the body
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is not None, "the page")
        await wait_for(
            pilot, lambda: any("Chemistry ⚗" in row for row in body_lines(app)), "the title"
        )
        await pilot.pause()
        rows = screen_rows(app)
        assert any("Chemistry ⚗" in row for row in rows)
        assert widened_by_vs16(rows) == []
        for mode in ("tree", "raw"):
            inspector.body_view.mode = mode
            await wait_for(pilot, lambda m=mode: inspector.body_view.shown_mode() == m, mode)
            await pilot.pause()
            assert widened_by_vs16(screen_rows(app)) == []


async def test_a_server_that_escapes_non_ascii_reads_decoded_in_pretty_and_tree(sandbox):
    sandbox.faults.update(ascii_json=True)  # every non-ASCII character as \uXXXX
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalog = await expand_catalog(pilot, app, "All courses")
        course = next(n for n in items(catalog) if "Введение в программирование" in n.label.plain)
        cursor_to(course)  # the tree label decodes, as before
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is course.data.exchange, "the page")
        assert b"\\u0412\\u0432\\u0435" in inspector.exchange.body  # sent escaped
        assert "Введение".encode() not in inspector.exchange.body
        view = inspector.body_view
        title = '"title": "Введение в программирование'
        await wait_for(pilot, lambda: any(title in row for row in body_lines(app)), "pretty")
        view.mode = "tree"
        await wait_for(pilot, lambda: view.shown_mode() == "tree", "the tree view")
        assert view.goto_path(course.data.json_path + ".title")
        await wait_for(
            pilot,
            lambda: any('title: "Введение в программирование' in r for r in body_lines(app)),
            "the tree view",
            lambda: body_lines(app)[:3],
        )
        view.mode = "raw"
        await wait_for(pilot, lambda: view.shown_mode() == "raw", "the raw view")
        await pilot.pause()
        raw = "\n".join(body_lines(app))
        assert "Введение" not in raw and "\\u" in raw  # raw: the bytes as received
