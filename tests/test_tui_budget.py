"""The explorer and the request budget (issues 16 and 17), over the real sandbox with Pilot.

Start-up spends a few small requests (the open group's first page, a count for each of the
others); re-expanding a loaded node costs nothing; a load the server throttles for an hour
says when to come back, sends nothing before then and retries by itself at that time (the
app's clock and the sandbox's throttle clock are moved, never slept through); the token
panel shows the requests of the last hour and the server's verdict.
"""

from __future__ import annotations

import time

from textual.content import Content
from tui_helpers import group, loaded, open_explorer, sandbox_app, settled, tree_of, wait_for

from edxtui.api.state import TokenStatus
from edxtui.tui.widgets.catalog.tree import PAGE_SIZE
from edxtui.tui.widgets.token_panel import TokenPanel

SIZE = (120, 40)
#: the issue's limit on what start-up may read before the user presses a key
STARTUP_BODY_BYTES = 64 * 1024
#: GETs at start-up: Catalogs' first page and the other four groups' counts
STARTUP_GETS = 5
#: "throttled: the server allows more requests at 14:32 (in 47 min)"
THROTTLED = "throttled: the server allows more requests at "
ALWAYS = 1_000_000


def status_text(app) -> str:
    return str(app.screen.query_one("#token-status").render())


def subtitle(app) -> str:
    """The token panel's border subtitle as it reads on screen."""
    panel = app.screen.query_one(TokenPanel)
    return Content.from_markup(str(panel.border_subtitle or "")).plain


async def settle_startup(pilot, app) -> None:
    await open_explorer(pilot)
    await wait_for(
        pilot, lambda: all(settled(n) for n in tree_of(app).root.children), "every group"
    )


async def test_startup_spends_a_few_small_requests_and_shows_them(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await settle_startup(pilot, app)
        assert sandbox.counters.token_requests == 1
        assert sandbox.counters.api_requests == STARTUP_GETS
        gets = [e for e in app.session.log if e.method == "GET"]
        assert len(gets) == STARTUP_GETS
        assert sum(e.size for e in gets) <= STARTUP_BODY_BYTES, [e.size for e in gets]
        # The counts are on the groups all the same, from `limit=1` pages.
        for title in ("Courses", "Course runs", "Programs", "Organizations"):
            node = group(app, title)
            assert node.data.state == "counted" and node.data.count, title
            assert f"{title} ({node.data.count:,})" in node.label.plain
            assert not node.children  # nothing loaded before it is opened
        # The token panel counts them: the token POST and the five GETs.
        await wait_for(
            pilot,
            lambda: subtitle(app).startswith("6 requests in the last hour · http://"),
            "the budget in the panel",
            showing=lambda: subtitle(app),
        )


async def test_expanding_loads_the_first_page_and_reexpanding_costs_nothing(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await settle_startup(pilot, app)
        courses = group(app, "Courses")
        before = sandbox.counters.api_requests
        courses.expand()
        await wait_for(pilot, lambda: loaded(courses), "the first page of Courses")
        assert sandbox.counters.api_requests == before + 1
        assert courses.data.loaded == PAGE_SIZE
        await wait_for(
            pilot,
            lambda: subtitle(app).startswith("7 requests in the last hour"),
            "the panel counts the page",
            showing=lambda: subtitle(app),
        )
        # Closed and opened again (and Catalogs too): what is loaded stays, no request.
        for node in (courses, group(app, "Catalogs")):
            node.collapse()
            await pilot.pause()
            node.expand()
            await pilot.pause()
        await pilot.pause()
        assert courses.data.state == "loaded" and courses.data.loaded == PAGE_SIZE
        assert sandbox.counters.api_requests == before + 1


async def test_an_hour_long_throttle_waits_and_retries_the_node_by_itself(sandbox):
    now = [time.time()]
    server_now = [1_000_000.0]
    sandbox.app.throttle.timer = lambda: server_now[0]  # DRF's clock, moved by the test
    sandbox.faults.update(rate=f"{STARTUP_GETS}/hour")  # start-up spends it all
    app = sandbox_app(sandbox, clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle_startup(pilot, app)
        assert sandbox.counters.throttled == 0
        courses = group(app, "Courses")
        courses.expand()
        await wait_for(pilot, lambda: courses.data.state == "error", "the throttled load")
        leaf = courses.children[-1]
        label = leaf.label.plain
        assert THROTTLED in label and "(in 60 min)" in label, label
        assert "retried by itself then" in label and "enter to retry" not in label
        assert sandbox.counters.throttled == 1
        sent = sandbox.counters.api_requests
        # The panel says the same, in its border subtitle, and in short on its status line.
        await wait_for(
            pilot,
            lambda: subtitle(app).startswith(THROTTLED),
            "the throttle in the panel",
            showing=lambda: subtitle(app),
        )
        await wait_for(
            pilot,
            lambda: "⏸ throttled until " in status_text(app) and "(in 60 min)" in status_text(app),
            "the throttle on the panel's status line",
            showing=lambda: status_text(app),
        )
        assert status_text(app).startswith("Token ● valid")  # the token itself is fine
        # Time passes (the app's clock): the leaf counts down, and nothing is sent.
        now[0] += 20 * 60
        await wait_for(
            pilot,
            lambda: "(in 40 min)" in courses.children[-1].label.plain,
            "the countdown on the node",
            showing=lambda: courses.children[-1].label.plain,
        )
        # the panel counts down on its own tick, not the tree's
        await wait_for(pilot, lambda: "(in 40 min)" in subtitle(app), "the subtitle's countdown")
        await wait_for(pilot, lambda: "(in 40 min)" in status_text(app), "the status line's")
        # Enter before then sends nothing either: the session refuses it locally.
        app.screen.catalog_tree.retry(courses.children[-1])
        await wait_for(pilot, lambda: courses.data.state == "error", "the refused retry")
        assert sandbox.counters.api_requests == sent and sandbox.counters.throttled == 1
        # The hour is over, for the server and for the app: the node loads by itself.
        server_now[0] += 3601
        now[0] += 41 * 60
        await wait_for(pilot, lambda: courses.data.state == "loaded", "the retry at that time")
        await wait_for(pilot, lambda: "throttled" not in status_text(app), "the wait is over")
        assert courses.data.loaded == PAGE_SIZE
        assert sandbox.counters.throttled == 1
        await wait_for(
            pilot,
            lambda: "throttled at " in subtitle(app) and "(429)" in subtitle(app),
            "the server's last verdict in the panel",
            showing=lambda: subtitle(app),
        )


async def test_a_token_refresh_throttled_for_an_hour_shows_in_the_panel(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await settle_startup(pilot, app)
        await wait_for(pilot, lambda: app.session.tokens.state().status is TokenStatus.VALID)
        sandbox.faults.update(rate_limit={"count": ALWAYS, "scope": "token", "retry_after": 3600})
        await pilot.press("f")
        await wait_for(
            pilot,
            lambda: subtitle(app).startswith(
                "throttled: the token endpoint allows more requests at"
            ),
            "the throttled refresh in the panel",
            showing=lambda: subtitle(app),
        )
        assert "(in 60 min)" in subtitle(app)
        await wait_for(
            pilot,
            lambda: "⏸ throttled (the token endpoint) until " in status_text(app),
            "the throttled refresh on the status line",
            showing=lambda: status_text(app),
        )
        detail = str(app.screen.query_one("#token-detail").render())
        assert "throttled: the token endpoint allows more requests at" in detail
        assert sandbox.counters.token_requests == 2  # the refresh, asked once, not retried
