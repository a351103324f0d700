"""Make the SVG screenshots in screenshots/ from the sandbox (fixed seed, port and clock).

    python scripts/make_screenshots.py [--out screenshots]

Each picture is the real app driven by Textual's Pilot against a real sandbox server on
loopback: the credentials screen, the explorer with a catalog expanded and its JSON shown,
the token panel in the middle of a refresh, and the history view. The app's clocks are
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
        lambda: all(n.data.state in ("loaded", "unavailable") for n in tree(app).root.children),
        "the groups",
    )
    await until(pilot, lambda: app.session.tokens.current_token, "a token")
    await pilot.pause()
    app.clear_notifications()
    return app


async def expand_catalog(pilot: Pilot, app: EdxApp) -> None:
    catalogs = tree(app).root.children[0]
    catalog = next(n for n in catalogs.children if "Computer Science" in n.label.plain)
    tree(app).move_cursor(catalog)
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


SHOTS: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "credentials": credentials,
    "explorer": explorer,
    "token-refreshing": token_refreshing,
    "history": history,
}


async def shoot(
    server: SandboxServer, name: str, steps: Callable[[Pilot], Awaitable[None]], out: Path
) -> Path:
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
    # a fresh data folder: no earlier run's history or typed requests in the pictures
    os.environ["EDXTUI_DATA_DIR"] = tempfile.mkdtemp(prefix="edxtui-screenshots-")
    with SandboxServer(seed=SEED, port=PORT, courses=300, large_catalog_courses=2000) as server:
        for name, steps in SHOTS.items():
            path = asyncio.run(shoot(server, name, steps, out))
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
