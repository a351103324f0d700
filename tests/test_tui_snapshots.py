"""Snapshot tests: the main screens pinned as SVGs (pytest-textual-snapshot).

Deterministic by construction: a sandbox with a fixed seed on a fixed loopback port (URLs
and `next` links in bodies are stable), the app's clock frozen at start (the countdown
stays put; no clock skew), and `stable=True` hiding what still varies (elapsed ms, request
times, the token's issue and expiry times). Update with `pytest --snapshot-update` after
a deliberate change, and look at the SVGs before committing them.
"""

from __future__ import annotations

import time

import pytest
from textual.widgets._markdown import MarkdownTable
from tui_helpers import child_by_label, cursor_to, group, open_explorer, tree_of, wait_for

from edxtui.sandbox import SandboxServer
from edxtui.tui.app import EdxApp
from edxtui.tui.screens.credentials import CredentialsScreen
from edxtui.tui.screens.help import HelpScreen
from edxtui.tui.screens.history import HistoryScreen
from edxtui.tui.widgets.history import HistoryTable

#: a fixed port so every URL on screen is the same from run to run
SNAPSHOT_PORT = 47391
SEED = 7


@pytest.fixture(scope="module")
def fixed_sandbox():
    with SandboxServer(
        seed=SEED, port=SNAPSHOT_PORT, courses=300, large_catalog_courses=2000
    ) as server:
        yield server


def stable_app(server: SandboxServer, layout: str = "openedx", **kwargs) -> EdxApp:
    frozen, frozen_mono = time.time(), time.monotonic()
    return EdxApp(
        credentials=server.credentials(layout),
        profile_name="sandbox",
        embedded=server.credentials(layout),
        clock=lambda: frozen,
        monotonic=lambda: frozen_mono,
        stable=True,
        use_system_clipboard=False,
        **kwargs,
    )


async def settle(pilot) -> None:
    """Every group loaded (Catalogs) or counted (the others), and nothing left pending."""
    app = pilot.app
    await open_explorer(pilot)
    await wait_for(
        pilot,
        lambda: all(
            n.data.state in ("loaded", "counted", "unavailable") for n in tree_of(app).root.children
        ),
        "all groups",
    )
    await wait_for(pilot, lambda: app.session.tokens.current_token, "token")
    await pilot.pause()
    app.clear_notifications()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_explorer_catalog_expanded_with_json(fixed_sandbox, snap_compare):
    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        catalog = child_by_label(group(app, "Catalogs"), "Computer Science")
        cursor_to(catalog)
        await pilot.press("enter")
        await wait_for(pilot, lambda: catalog.data.state == "loaded", "catalog courses")
        await pilot.press("down", "down")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(stable_app(fixed_sandbox), terminal_size=(120, 36), run_before=run_before)


def test_explorer_at_80x24(fixed_sandbox, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(stable_app(fixed_sandbox), terminal_size=(80, 24), run_before=run_before)


def test_gateway_layout_not_available(fixed_sandbox, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)

    app = stable_app(fixed_sandbox, layout="edx")
    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_credentials_screen(fixed_sandbox, snap_compare):
    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        await wait_for(pilot, lambda: app.screen.query_one("#name").value == "sandbox")
        await pilot.pause()

    assert snap_compare(stable_app(fixed_sandbox), terminal_size=(100, 30), run_before=run_before)


def test_history_view(fixed_sandbox, snap_compare):
    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one(HistoryTable)
        await wait_for(pilot, lambda: table.row_count == len(app.session.log))
        await pilot.pause()

    assert snap_compare(stable_app(fixed_sandbox), terminal_size=(120, 24), run_before=run_before)


def test_help_screen(fixed_sandbox, snap_compare):
    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await wait_for(pilot, lambda: app.screen.query(MarkdownTable), "the help's tables")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(stable_app(fixed_sandbox), terminal_size=(100, 40), run_before=run_before)
