"""Pilot tests of the explorer against the real sandbox over loopback HTTP.

Each test drives the app the way a person would (keys, clicks) and waits on conditions,
never on fixed sleeps.
"""

from __future__ import annotations

from tui_helpers import (
    child_by_label,
    cursor_to,
    expand_catalog,
    group,
    items,
    kinds,
    loaded,
    mounted,
    open_explorer,
    sandbox_app,
    settled,
    tree_of,
    tree_ready,
    wait_for,
)

from edxtui.api.state import TokenStatus
from edxtui.tui.app import EdxApp
from edxtui.tui.widgets.catalog import chunks
from edxtui.tui.widgets.catalog import tree as catalog_tree
from edxtui.tui.widgets.catalog.filter import FilterResults
from edxtui.tui.widgets.catalog.tree import PAGE_SIZE
from edxtui.tui.widgets.inspector import Inspector
from edxtui.tui.widgets.token_panel import MOOD_CLASSES, TokenPanel

SIZE = (140, 45)


async def test_opens_on_catalogs_with_counts_and_a_live_token(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalogs = group(app, "Catalogs")
        count = catalogs.data.count
        assert isinstance(count, int) and count > 0
        assert f"Catalogs ({count:,})" in catalogs.label.plain
        assert catalogs.is_expanded and len(catalogs.children) == count
        # Every top-level group is served by the Open edX layout and shows its count.
        courses = group(app, "Courses")
        await wait_for(pilot, lambda: settled(courses), "courses count")
        assert f"Courses ({courses.data.count:,})" in courses.label.plain
        # The token panel shows a live token with a countdown.
        panel = app.screen.query_one(TokenPanel)
        await wait_for(pilot, lambda: app.session.tokens.state().status is TokenStatus.VALID)
        await wait_for(pilot, lambda: "valid" in str(panel.query_one("#token-status").render()))
        status = str(panel.query_one("#token-status").render())
        assert "left" in status and ":" in status


async def test_expand_catalog_course_and_inspect(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        all_courses = await expand_catalog(pilot, app, "All courses")
        assert kinds(all_courses).count("course") == PAGE_SIZE
        assert kinds(all_courses)[-1] == "more"
        course = all_courses.children[0]
        cursor_to(course)
        await pilot.pause()
        inspector = app.screen.query_one(Inspector)
        exchange = inspector.exchange
        assert exchange is not None and exchange.status == 200
        assert "/courses/" in exchange.url and exchange.method == "GET"
        assert inspector.json_path == ".results[0]"
        summary = str(inspector.query_one("#summary").render())
        assert "200" in summary and exchange.url in summary
        # A course expands into its runs (inline in the course data), a run into its seats.
        await pilot.press("enter")
        await wait_for(pilot, lambda: course.children, "course runs")
        assert set(kinds(course)) == {"run"}
        run = next((r for r in course.children if r.data.inline == "seats"), None)
        if run is not None:
            cursor_to(run)
            await pilot.press("enter")
            await wait_for(pilot, lambda: run.children, "seats")
            assert set(kinds(run)) == {"seat"}
            assert app.screen.query_one(Inspector).json_path.startswith(".results[0].course_runs[")


async def test_load_more_pages_and_reload(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        large = await expand_catalog(pilot, app, "Large catalog")
        total = large.data.count
        more = large.children[-1]
        assert more.data.kind == "more"
        assert f"({total - PAGE_SIZE:,} left)" in more.label.plain
        # Reaching the end of the list loads the next page.
        cursor_to(more)
        await wait_for(pilot, lambda: large.data.loaded == 2 * PAGE_SIZE, "second page")
        await wait_for(pilot, lambda: large.data.state == "loaded")
        assert len(items(large)) == 2 * PAGE_SIZE
        assert kinds(large).count("more") == 1
        assert f"({total - 2 * PAGE_SIZE:,} left)" in large.children[-1].label.plain
        # `r` reloads the node: back to its first page.
        cursor_to(large)
        await pilot.press("r")
        await wait_for(
            pilot, lambda: large.data.state == "loaded" and large.data.loaded == PAGE_SIZE
        )
        assert len(items(large)) == PAGE_SIZE


async def test_filter_shows_matches_and_jumps_to_one(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)

        def shows(query: str) -> bool:
            results = mounted(app, "#filter-results")  # once the filter first runs
            return results is not None and results.display and results.answers == query

        async def filter_for(query: str) -> FilterResults:
            # Typing may pause long enough for a prefix ("em") to be filtered first: wait for
            # the matches of the whole query, not of whatever was typed so far.
            await pilot.press("slash", *query)
            await wait_for(pilot, lambda: shows(query), f"matches of {query!r}")
            return app.screen.query_one(FilterResults)

        results = await filter_for("empty")
        assert results.matches
        assert all("empty" in n.label.plain.lower() for n in results.matches)
        assert not tree_of(app).display
        await pilot.press("enter")  # jump to the first match
        await wait_for(pilot, lambda: tree_of(app).display)
        assert "empty" in tree_of(app).cursor_node.label.plain.lower()
        # Down walks the matches; enter there jumps too.
        await filter_for("course")
        assert len(results.matches) > 1
        await pilot.press("down")
        await wait_for(pilot, lambda: results.has_focus, "the matches to take focus")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: tree_of(app).display)
        assert tree_of(app).cursor_node is results.matches[1]
        # A query that matches nothing says so.
        await filter_for("zzz-no-such")
        assert results.matches == [] and "0 matches" in str(results.border_title)
        await pilot.press("escape")
        assert tree_of(app).display and not results.display


#: what the explorer leaves out of its first build: each hidden until asked for
LATER = ("#request-bar", "#tree-filter", "#tree-ask", "#filter-results", "#task-progress")


async def test_what_is_hidden_at_start_up_is_mounted_on_first_use_in_its_place(sandbox):
    # Built with the panes, they would only slow the panes' first paint (docs/performance.md).
    # Each works once shown: test_filter_shows_matches_and_jumps_to_one and
    # test_tui_search_drill (filter, question box), test_tui_request_bar, test_tui_load_all.
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        left = app.screen.query_one("#left")

        def mounted_later() -> list[str]:
            return [selector for selector in LATER if mounted(app, selector) is not None]

        def shown(selector: str) -> bool:
            widget = mounted(app, selector)
            return widget is not None and widget.display

        assert mounted_later() == []
        assert [child.id for child in left.children] == ["catalog-tree"]
        # esc clears the filter: with no filter yet it does nothing (and breaks nothing).
        await pilot.press("escape")
        assert tree_of(app).has_focus and mounted_later() == []
        # The question box (S) first: above the tree.
        cursor_to(group(app, "Courses"))
        await pilot.press("S")
        await wait_for(pilot, lambda: app.focused is mounted(app, "#tree-ask"), "the question")
        await pilot.press("escape")
        await wait_for(pilot, lambda: tree_of(app).has_focus, "the tree again")
        assert mounted_later() == ["#tree-ask"]
        # Load all's progress (as the tree reports it): below the tree.
        from edxtui.tui.widgets.catalog.load_all import LoadAllStatus

        tree_of(app).post_message(LoadAllStatus("All courses", 1, 3))
        await wait_for(pilot, lambda: shown("#task-progress"), "the progress bar")
        # The filter above the question box, its matches between the tree and the progress.
        await pilot.press("slash", *"empty")
        await wait_for(pilot, lambda: shown("#filter-results"), "the matches")
        assert [child.id for child in left.children] == [
            "tree-filter",
            "tree-ask",
            "catalog-tree",
            "filter-results",
            "task-progress",
        ]
        await pilot.press("escape")
        await wait_for(pilot, lambda: tree_of(app).has_focus, "the tree again")
        # The request bar (:) between the token panel and the panes.
        await pilot.press("colon")
        await wait_for(pilot, lambda: app.focused is mounted(app, "#request-bar"), "the bar")
        assert [child.id for child in app.screen.children][:3] == [
            "token-panel",
            "request-bar",
            "main",
        ]
        assert mounted_later() == list(LATER)


async def test_copy_token_header_body_and_curl(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tokens = app.session.tokens
        await wait_for(pilot, lambda: tokens.current_token, "a token")
        await pilot.press("t")
        assert app.clipboard == tokens.current_token
        messages = [n.message for n in app._notifications]
        assert any("Copied the token via OSC 52" in m for m in messages)
        assert not any(tokens.current_token in m for m in messages)  # never shown
        await pilot.press("a")
        assert app.clipboard == f"Authorization: JWT {tokens.current_token}"
        # The body and the curl command of the inspected exchange.
        cursor_to(group(app, "Catalogs").children[0])
        await pilot.pause()
        exchange = app.screen.query_one(Inspector).exchange
        await pilot.press("y")
        assert app.clipboard == exchange.body.decode()
        await pilot.press("x")
        assert app.clipboard.startswith("curl ")
        assert exchange.url in app.clipboard
        assert f"JWT {tokens.current_token}" in app.clipboard


async def test_reveal_token_in_panel_and_headers(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tokens = app.session.tokens
        await wait_for(pilot, lambda: tokens.current_token)
        cursor_to(group(app, "Catalogs").children[0])
        await pilot.pause()
        value = app.screen.query_one("#token-full")  # the revealed token's own rows
        headers = app.screen.query_one("#headers")
        assert tokens.current_token not in str(value.render())
        assert tokens.current_token not in str(headers.render())
        assert "••••••" in str(headers.render())
        await pilot.press("v")
        await pilot.pause()
        assert tokens.current_token in str(value.render())
        assert tokens.current_token in str(headers.render())
        await pilot.press("v")
        await pilot.pause()
        assert tokens.current_token not in str(value.render())


async def test_automatic_refresh_of_a_short_token(make_sandbox):
    server = make_sandbox(expires_in=2)
    app = sandbox_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tokens = app.session.tokens
        await wait_for(pilot, lambda: tokens.current_token)
        first = tokens.current_token
        await wait_for(pilot, lambda: tokens.state().refresh_count >= 2, "two automatic refreshes")
        assert tokens.current_token != first
        panel = app.screen.query_one(TokenPanel)
        await wait_for(pilot, lambda: panel.state is not None and panel.state.refresh_count >= 2)
        # The panel followed: a live countdown of the new token.
        assert "left" in str(panel.query_one("#token-status").render())
        # A slow token endpoint: the panel shows "refreshing", then valid with the new token.
        server.faults.update(token_latency=0.6)
        count = tokens.state().refresh_count
        status = panel.query_one("#token-status")
        await wait_for(pilot, lambda: "refreshing" in str(status.render()), "refreshing shown")
        await wait_for(pilot, lambda: tokens.state().refresh_count > count, "the slow refresh")
        await wait_for(pilot, lambda: "refreshing" not in str(status.render()), "panel updated")
        assert "left" in str(status.render())


async def test_forbidden_catalog_shows_an_error_node_that_retries(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        partner = child_by_label(group(app, "Catalogs"), "Partner-only")
        assert partner is not None
        cursor_to(partner)
        await pilot.press("enter")
        await wait_for(pilot, lambda: partner.data.state == "error", "403")
        error = partner.children[0]
        assert error.data.kind == "error"
        assert "403 forbidden" in error.label.plain and "retry" in error.label.plain
        assert "permission" in error.label.plain
        # The inspector shows the failed exchange.
        cursor_to(error)
        await pilot.pause()
        assert app.screen.query_one(Inspector).exchange.status == 403
        # Enter retries (and fails the same way: the request really went out again).
        before = len(app.session.log)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: len(app.session.log) > before and partner.data.state == "error"
        )
        assert kinds(partner) == ["error"]


async def test_server_error_then_retry_succeeds(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        node = child_by_label(group(app, "Catalogs"), "Computer Science")
        # More 500s than the retry policy will absorb: the node shows the error.
        sandbox.faults.update(errors={"count": 20, "status": 500})
        cursor_to(node)
        await pilot.press("enter")
        await wait_for(pilot, lambda: node.data.state == "error", "error node")
        assert "500" in node.children[0].label.plain
        sandbox.faults.reset()
        cursor_to(node.children[0])
        await pilot.press("enter")
        await wait_for(pilot, lambda: node.data.state == "loaded", "retry")
        assert "course" in kinds(node)


async def test_gateway_layout_marks_missing_groups_not_available(sandbox):
    app = sandbox_app(sandbox, layout="edx")
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        for title in ("Courses", "Course runs", "Programs", "Organizations"):
            node = group(app, title)
            await wait_for(pilot, lambda node=node: loaded(node), title)
            assert node.data.state == "unavailable"
            assert "not available on this server" in node.label.plain
            assert "error" not in node.label.plain
        assert group(app, "Catalogs").data.state == "loaded"


async def test_hostile_titles_show_literally(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalogs = group(app, "Catalogs")
        lang = child_by_label(catalogs, "Languages")
        assert lang is not None
        assert "[bold]& Cultures[/]" in lang.label.plain  # markup shown, not applied
        courses = group(app, "Courses")
        courses.expand()
        await wait_for(pilot, lambda: loaded(courses))
        tree = tree_of(app)
        # Load pages until an ESC-laden title shows up (the sandbox plants a few).
        for _ in range(10):
            labels = [child.label.plain for child in items(courses)]
            if any("\\e[" in label for label in labels):
                break
            before = courses.data.loaded
            tree.load(courses, more=True)
            await wait_for(pilot, lambda before=before: courses.data.loaded > before)
        labels = [child.label.plain for child in items(courses)]
        assert any("\\e[" in label for label in labels)
        assert not any("\x1b" in label or "\x07" in label for label in labels)


async def test_failed_refresh_shows_the_error_and_the_retry(make_sandbox):
    server = make_sandbox(expires_in=3)
    app = sandbox_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tokens = app.session.tokens
        await wait_for(pilot, lambda: tokens.current_token)
        # Every token request now fails with a 503: the background refresh cannot succeed.
        server.faults.update(errors={"count": -1, "scope": "token", "status": 503})
        panel = app.screen.query_one(TokenPanel)
        await wait_for(
            pilot,
            lambda: panel.state is not None and panel.state.status is TokenStatus.ERROR,
            "a failed refresh",
        )
        detail = str(panel.query_one("#token-detail").render())
        assert "Refresh failed" in detail and "retrying in" in detail
        assert len(panel.classes & MOOD_CLASSES) == 1  # one mood at a time
        # The server recovers: the next retry gets a token and the panel says valid again.
        server.faults.reset()
        await wait_for(
            pilot,
            lambda: panel.state is not None and panel.state.status is TokenStatus.VALID,
            "recovery",
        )
        assert "Refresh failed" not in str(panel.query_one("#token-detail").render())
        assert panel.classes & MOOD_CLASSES == {"-ok"}


async def test_clock_skew_is_shown(make_sandbox):
    server = make_sandbox()
    server.faults.update(clock_skew=-600)
    app = sandbox_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        panel = app.screen.query_one(TokenPanel)
        await wait_for(pilot, lambda: panel.state is not None and panel.state.jwt_claims)
        detail = str(panel.query_one("#token-detail").render())
        assert "clock skew" in detail and "behind" in detail


async def test_copy_selected_value_and_path_from_the_body(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        catalogs = group(app, "Catalogs")
        cursor_to(catalogs.children[1])
        await pilot.pause()
        await pilot.press("i")  # into the body, at the catalog's object
        view = app.screen.query_one(Inspector).body_view
        await wait_for(pilot, lambda: view.selected_path() == ".results[1]", "cursor on the item")
        await pilot.press("p")
        assert app.clipboard == ".results[1]"
        await pilot.press("Y")
        copied = app.clipboard
        assert '"name"' in copied and catalogs.children[1].data.item["name"] in copied
        messages = [n.message for n in app._notifications]
        assert any("Copied the path .results[1] via OSC 52" in m for m in messages)
        assert any("Copied the selected value" in m for m in messages)


async def test_mouse_clicks_expand_and_copy(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tokens = app.session.tokens
        await wait_for(pilot, lambda: tokens.current_token)
        await pilot.click("#copy-header")
        assert app.clipboard == f"Authorization: JWT {tokens.current_token}"
        await pilot.click("#reveal-token")
        assert tokens.current_token in str(app.screen.query_one("#token-full").render())
        # Clicking a catalog's row selects it and expands it: its courses load.
        tree = tree_of(app)
        catalog = child_by_label(group(app, "Catalogs"), "Empty catalog")
        await pilot.click(tree, offset=(6, catalog.line - tree.scroll_offset.y))
        await wait_for(pilot, lambda: catalog.data.state == "loaded", "click to expand")
        assert catalog.is_expanded and tree.cursor_node is catalog
        assert catalog.data.count == 0


async def test_long_lists_show_in_ranges_with_only_the_newest_open(sandbox, monkeypatch):
    monkeypatch.setattr(chunks, "BUCKET", 150)
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tree = tree_of(app)
        large = child_by_label(group(app, "Catalogs"), "Large catalog")
        cursor_to(large)
        await pilot.press("enter")
        await wait_for(pilot, lambda: loaded(large), "first page")
        assert kinds(large) == ["bucket", "more"]
        tree.load(large, more=True)
        await wait_for(pilot, lambda: large.data.loaded == 2 * PAGE_SIZE and loaded(large))
        first, second = large.children[0], large.children[1]
        assert kinds(large) == ["bucket", "bucket", "more"]
        assert first.label.plain.startswith("1–150 of ") and not first.is_expanded
        assert second.label.plain.startswith("151–300 of ") and second.is_expanded
        assert len(first.children) == 150 and len(second.children) == 2 * PAGE_SIZE - 150
        # Each item still points into its own page's body.
        assert second.children[0].data.json_path == ".results[50]"
        assert second.children[0].data.item["key"] in second.children[0].label.plain
        # The filter looks inside closed ranges, and a jump opens them.
        needle = first.children[3].data.item["key"]
        await pilot.press("slash", *needle, "enter")
        await wait_for(pilot, lambda: tree.display and tree.cursor_node is first.children[3])
        assert first.is_expanded


async def test_zoom_gives_a_pane_the_whole_screen(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_explorer(pilot)
        inspector = app.screen.query_one(Inspector)
        await pilot.press("i", "z")
        assert app.screen.maximized is inspector
        assert inspector.outer_size.width == 80
        await pilot.press("z")
        assert app.screen.maximized is None
        await pilot.press("l", "z")
        assert app.screen.maximized is tree_of(app)
        await pilot.press("escape")
        assert app.screen.maximized is None


async def test_network_failure_shows_on_the_node(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        node = child_by_label(group(app, "Catalogs"), "Computer Science")
        sandbox.faults.update(drop={"count": -1})  # every API connection dropped
        cursor_to(node)
        await pilot.press("enter")
        await wait_for(pilot, lambda: node.data.state == "error", "error node")
        label = node.children[0].label.plain
        assert label.startswith("⚠ ") and "retry" in label
        assert "closed the connection" in label
        sandbox.faults.reset()
        cursor_to(node.children[0])
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: node.data.state == "loaded", "retry after the network is back"
        )


async def test_body_actions_from_the_command_palette(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        cursor_to(group(app, "Catalogs").children[2])
        await pilot.pause()
        view = app.screen.query_one(Inspector).body_view
        await wait_for(pilot, lambda: view.selected_path() == ".results[2]")
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Copy value path"].callback()
        await pilot.pause()
        assert app.clipboard == ".results[2]"
        before = view.mode
        commands["Switch body view"].callback()
        await pilot.pause()
        assert view.mode != before


async def test_the_palette_lists_what_each_owner_offers_once(sandbox):
    # The screen, the tree and the body viewer each list their own commands; the app
    # only collects them (it used to build them over CSS ids).
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles))
        view = app.screen.query_one(Inspector).body_view
        for title, _, _ in [*view.commands(), *tree_of(app).commands()]:
            assert title in titles
        assert {"Reload node", "Next match", "Copy token", "History"} <= set(titles)


async def test_wrong_secret_shows_why_everywhere(sandbox):
    app = EdxApp(
        credentials=sandbox.credentials("openedx", client_secret="not-the-secret"),
        use_system_clipboard=False,
    )
    async with app.run_test(size=SIZE) as pilot:
        # the panel shows first; the tree follows once the first token has failed
        await wait_for(pilot, lambda: tree_ready(app), "the tree")
        catalogs = group(app, "Catalogs")
        await wait_for(pilot, lambda: catalogs.data.state == "error", "the catalogs error")
        assert "invalid_client" in catalogs.children[0].label.plain
        panel = app.screen.query_one(TokenPanel)
        await wait_for(pilot, lambda: panel.has_class("-bad"), "the panel's error state")
        detail = str(panel.query_one("#token-detail").render())
        assert "not retrying: check the credentials (c)" in detail
        assert "not-the-secret" not in detail
        assert any("No token" in n.message for n in app._notifications)


async def test_a_loading_tick_delivered_after_the_page_adds_no_placeholder(sandbox):
    """The "loading…" leaf's timer posts a message; on a busy loop that message can be
    handled after the page is in (seen at launch, when the first load took ~0.2 s). It
    must then add nothing, or "loading…" stays under the node for good."""
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        tree = tree_of(app)
        late_ticks = []
        real_set_timer = tree.set_timer

        def hold_loading_tick(delay, callback=None, **kwargs):
            if delay == catalog_tree.LOADING_AFTER:
                late_ticks.append(callback)  # delivered by hand, once the page is in
                return real_set_timer(3600, None, **kwargs)
            return real_set_timer(delay, callback, **kwargs)

        tree.set_timer = hold_loading_tick  # type: ignore[method-assign]
        catalog = await expand_catalog(pilot, app, "All courses")
        assert len(late_ticks) == 1
        late_ticks[0]()
        await pilot.pause()
        assert "loading" not in kinds(catalog)
        assert not any("loading…" in child.label.plain for child in catalog.children)
