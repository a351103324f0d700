"""The request bar (`:`) over the real sandbox: a typed path runs on the session, opens under
"Requests", pages like any list, completes, is remembered across runs; errors and foreign
URLs are said in one line."""

from __future__ import annotations

import json

from tui_helpers import (
    cursor_to,
    group,
    items,
    mounted,
    open_explorer,
    sandbox_app,
    settled,
    tree_of,
    wait_for,
)

from edxtui import config
from edxtui.api.recent_requests import REQUESTS_FILE
from edxtui.tui.widgets.inspector import Inspector
from edxtui.tui.widgets.request_bar import RequestBar

SIZE = (140, 45)


def bar_of(app) -> RequestBar:
    return app.screen.query_one("#request-bar", RequestBar)


async def open_bar(pilot) -> RequestBar:
    await pilot.press("colon")
    # the first `:` mounts the bar: wait for it to be there, shown, with the focus
    await wait_for(pilot, lambda: bar_open(pilot.app), "the request bar")
    return bar_of(pilot.app)


def bar_open(app) -> bool:
    bar = mounted(app, "#request-bar")
    return bar is not None and bar.display and bar.has_focus


async def run(pilot, text: str):
    """Type `text` into the bar (opened), press enter, return the new request node."""
    app = pilot.app
    bar = await open_bar(pilot)
    before = len(group(app, "Requests").children) if has_requests(app) else 0
    await pilot.press(*text)
    await wait_for(pilot, lambda: bar.value == text, "the whole line typed")
    await pilot.press("enter")
    await wait_for(pilot, lambda: has_requests(app), "the Requests group")
    requests = group(app, "Requests")
    await wait_for(pilot, lambda: len(requests.children) == before + 1, "the request's node")
    node = requests.children[-1]
    await wait_for(pilot, lambda: node.data.state in ("loaded", "error"), "the response")
    return node


def has_requests(app) -> bool:
    return any(n.data and n.data.title == "Requests" for n in tree_of(app).root.children)


async def test_a_typed_list_request_opens_under_requests_and_pages(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        node = await run(pilot, "courses/?limit=5")
        assert node.label.plain.startswith("GET courses/?limit=5 (")
        # a list of thousands: in ranges, as any list node shows it
        assert [c.data.kind for c in items(node)] == ["course"] * 5
        assert node.children[-1].data.kind == "more"
        assert tree_of(app).cursor_node is node
        inspector = app.screen.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.exchange is node.data.exchange, "the inspector")
        assert inspector.exchange.url.endswith("/api/v1/courses/?limit=5")  # as typed
        # the next page, through the tree's own load-more (the `next` link: offset=5)
        cursor_to(node.children[-1])
        await wait_for(pilot, lambda: len(items(node)) == 10, "the second page")
        assert app.session.log.get(max(e.id for e in app.session.log)).url.endswith("offset=5")
        # remembered, for the next run
        path = config.data_dir() / REQUESTS_FILE
        await wait_for(pilot, lambda: path.exists(), "the remembered requests")
        assert json.loads(path.read_text()) == ["courses/?limit=5"]


async def test_an_object_a_404_and_a_foreign_url(sandbox):
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        courses = group(app, "Courses")  # counted at start-up: its first page on enter
        cursor_to(courses)
        await pilot.press("enter")
        await wait_for(pilot, lambda: courses.data.state == "loaded", "courses")
        run_key = items(courses)[0].data.item["course_runs"][0]["key"]
        node = await run(pilot, f"course_runs/{run_key}/")
        assert node.data.state == "loaded" and not node.children
        assert "200 object" in node.label.plain
        assert node.data.exchange.status == 200
        assert json.loads(node.data.exchange.body)["key"] == run_key

        missing = await run(pilot, "courses/course-v1:No+Such+Course/")
        assert missing.data.state == "error"
        assert "404 not found" in missing.children[0].label.plain
        assert missing.data.exchange.status == 404  # the inspector shows the failed response

        sent = len(app.session.log)
        bar = await open_bar(pilot)
        bar.value = "https://evil.example.com/api/v1/courses/"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any("refusing to send the token" in n.message for n in app._notifications),
            "the refusal",
        )
        assert len(app.session.log) == sent  # nothing was sent
        assert bar.display  # the line stays to be fixed
        await pilot.press("escape")
        await wait_for(pilot, lambda: not bar.display and tree_of(app).has_focus, "closed")


async def test_completion_offers_remembered_and_known_paths(sandbox):
    path = config.data_dir() / REQUESTS_FILE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(["catalogs/1/courses/?limit=3"]))  # an earlier run's
    app = sandbox_app(sandbox)
    async with app.run_test(size=SIZE) as pilot:
        await open_explorer(pilot)
        await wait_for(pilot, lambda: settled(group(app, "Programs")), "groups")
        courses = group(app, "Courses")  # loaded, so its courses' keys are known
        cursor_to(courses)
        await pilot.press("enter")
        await wait_for(pilot, lambda: courses.data.state == "loaded", "courses")
        bar = await open_bar(pilot)
        await pilot.press(*"cat")
        await wait_for(pilot, lambda: bar._suggestion == "catalogs/1/courses/?limit=3", "hint")
        await pilot.press("right")
        assert bar.value == "catalogs/1/courses/?limit=3"
        bar.value = ""
        await pilot.press(*"prog")
        await wait_for(pilot, lambda: bar._suggestion == "programs/", "a group's path")
        # the keys of loaded nodes: a course's own path
        key = items(group(app, "Courses"))[0].data.item["key"]
        bar.value = ""
        await pilot.press(*f"courses/{key}")
        await wait_for(pilot, lambda: bar._suggestion == f"courses/{key}/", "a course's key")
