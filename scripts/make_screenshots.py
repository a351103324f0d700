"""Make the SVG screenshots in screenshots/ from the sandbox (fixed seed, port and clock).

    python scripts/make_screenshots.py [--out screenshots]

Each picture is the real app driven by Textual's Pilot against a real sandbox server on
loopback: the credentials screen, the explorer with a catalog expanded and its JSON shown,
the token panel in the middle of a refresh, the history view, a server search and a typed
request in the tree, and the JSON view answering a path query. The app's clocks are
frozen and volatile text is hidden, so a re-run changes a picture only when the UI changed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from edxtui.api.state import TokenStatus
from edxtui.sandbox import SandboxServer
from edxtui.tui.app import EdxApp
from edxtui.tui.screens.credentials import CredentialsScreen
from edxtui.tui.screens.history import HistoryScreen
from edxtui.tui.widgets.catalog.tree import CatalogTree
from edxtui.tui.widgets.history import HistoryTable

PORT = 47392
SEED = 7
SIZE = (130, 40)


async def until(
    pilot: Pilot, condition: Callable[[], object], what: str, limit: float = 20
) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"make_screenshots: timed out waiting for {what}")
        await pilot.pause(0.02)


def tree(app: EdxApp) -> CatalogTree:
    return app.screen.query_one(CatalogTree)


async def settled(pilot: Pilot) -> EdxApp:
    app = pilot.app
    assert isinstance(app, EdxApp)
    # the tree is mounted after the token panel, and gets its groups as it mounts
    await until(
        pilot,
        lambda: (
            app.session is not None and app.screen.query(CatalogTree) and tree(app).root.children
        ),
        "explorer",
    )
    await until(
        pilot,
        # Catalogs loads, the other groups are only counted at start-up
        lambda: all(
            n.data.state in ("loaded", "counted", "unavailable") for n in tree(app).root.children
        ),
        "the groups",
    )
    await until(pilot, lambda: app.session.tokens.current_token, "a token")
    await pilot.pause()
    app.clear_notifications()
    return app


async def expand_catalog(pilot: Pilot, app: EdxApp) -> None:
    catalogs = tree(app).root.children[0]
    catalog = next(n for n in catalogs.children if "Computer Science" in n.label.plain)
    tree(app).reveal(catalog)  # not move_cursor: it trusts a line number that may be stale
    await pilot.press("enter")
    await until(pilot, lambda: catalog.data.state == "loaded", "the catalog's courses")
    await pilot.press("down", "down")
    await pilot.pause()


async def credentials(pilot: Pilot) -> None:
    app = await settled(pilot)
    await pilot.press("c")
    await until(pilot, lambda: isinstance(app.screen, CredentialsScreen), "credentials")
    await until(pilot, lambda: app.screen.query_one("#name").value == "sandbox", "the form")
    await pilot.press("ctrl+t")
    await until(pilot, lambda: "Token OK" in str(app.screen.query_one("#outcome").render()), "test")
    await pilot.pause()


async def explorer(pilot: Pilot) -> None:
    app = await settled(pilot)
    await expand_catalog(pilot, app)


async def token_refreshing(pilot: Pilot) -> None:
    app = await settled(pilot)
    await expand_catalog(pilot, app)
    server: SandboxServer = app.screenshot_server  # type: ignore[attr-defined]
    server.faults.update(token_latency=30)  # the refresh stays in flight for the picture
    await pilot.press("f")
    await until(
        pilot,
        lambda: app.screen.query_one("#token-panel").state.status is TokenStatus.REFRESHING,
        "a refresh in flight",
    )
    # The subtitle's request count follows the panel's once-a-second tick: bring it up to
    # date (the refresh in flight counted), or the picture depends on where the tick fell.
    app.screen.query_one("#token-panel").show_budget()
    app.clear_notifications()
    await pilot.pause()


async def history(pilot: Pilot) -> None:
    app = await settled(pilot)
    await expand_catalog(pilot, app)
    await pilot.press("h")
    await until(pilot, lambda: isinstance(app.screen, HistoryScreen), "history")
    table = app.screen.query_one(HistoryTable)
    await until(pilot, lambda: table.row_count == len(app.session.log), "rows")
    await pilot.pause()


async def server_search(pilot: Pilot) -> None:
    """S on Courses asks the server (q=); the results are a node that pages like any list."""
    from edxtui.tui.widgets.catalog.ask import AskBox

    app = await settled(pilot)
    server: SandboxServer = app.screenshot_server  # type: ignore[attr-defined]
    server.faults.update(search=True)  # discovery's q= (shoot resets the faults after)
    courses = next(n for n in tree(app).root.children if n.data.title == "Courses")
    tree(app).reveal(courses)
    await pilot.press("S")
    box = app.screen.query_one(AskBox)
    await until(pilot, lambda: box.has_focus, "the search box")
    box.value = "python"
    await pilot.press("enter")
    await until(
        pilot,
        lambda: any(c.data.kind == "search" and c.data.state == "loaded" for c in courses.children),
        "the search's results",
    )
    await until(pilot, lambda: courses.data.state == "loaded", "the Courses group")
    tree(app).root.children[0].collapse()  # Catalogs: room for the results
    await pilot.pause()
    app.clear_notifications()


async def request_bar(pilot: Pilot) -> None:
    """`:` GETs a typed path under the API root; its answer is a node under Requests."""
    from edxtui.tui.widgets.request_bar import RequestBar

    app = await settled(pilot)
    tree(app).root.children[0].collapse()
    await pilot.press(":")
    bar = app.screen.query_one(RequestBar)
    await until(pilot, lambda: bar.has_focus, "the request bar")
    bar.value = "programs/?limit=3"
    await pilot.press("enter")
    await until(
        pilot,
        lambda: any(
            n.data.title == "Requests" and n.children and n.children[0].data.state == "loaded"
            for n in tree(app).root.children
        ),
        "the typed request",
    )
    await pilot.pause()
    app.clear_notifications()


async def path_query(pilot: Pilot) -> None:
    """The JSON view of a catalog's courses answering the path query `.results[].key`."""
    app = await settled(pilot)
    await expand_catalog(pilot, app)  # the cursor on a course: the inspector shows its page
    await pilot.press("i")
    await until(
        pilot, lambda: app.focused is not None and app.focused.id == "json-view-lines", "the body"
    )
    await pilot.press("full_stop")
    await until(
        pilot,
        lambda: app.focused is not None and app.focused.id == "json-view-query",
        "the query box",
    )
    app.focused.value = ".results[].key"  # type: ignore[union-attr]
    await pilot.press("enter")
    status = app.screen.query_one("#json-view-status")
    await until(pilot, lambda: "key: match " in str(status.render()), "the matches")
    await pilot.press("n", "n")
    await pilot.pause()
    app.clear_notifications()


SHOTS: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "credentials": credentials,
    "explorer": explorer,
    "token-refreshing": token_refreshing,
    "history": history,
    "server-search": server_search,
    "request-bar": request_bar,
    "path-query": path_query,
}


async def shoot(
    server: SandboxServer, name: str, steps: Callable[[Pilot], Awaitable[None]], out: Path
) -> Path:
    # a fresh data folder each: no earlier run's (or picture's) history or typed requests
    os.environ["EDXTUI_DATA_DIR"] = tempfile.mkdtemp(prefix="edxtui-screenshots-")
    frozen, frozen_mono = time.time(), time.monotonic()
    creds = server.credentials("openedx")
    app = EdxApp(
        credentials=creds,
        profile_name="sandbox",
        embedded=creds,
        clock=lambda: frozen,
        monotonic=lambda: frozen_mono,
        stable=True,
        use_system_clipboard=False,
    )
    app.screenshot_server = server  # type: ignore[attr-defined]
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot)
        await pilot.wait_for_scheduled_animations()
        path = Path(app.save_screenshot(filename=f"{name}.svg", path=str(out)))
    server.faults.reset()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "screenshots")
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with SandboxServer(seed=SEED, port=PORT, courses=300, large_catalog_courses=2000) as server:
        for name, steps in SHOTS.items():
            path = asyncio.run(shoot(server, name, steps, out))
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
