"""Performance invariants that are not about time: counts of requests, bounds, laziness.

Everything runs against the real sandbox over loopback HTTP; its counters say what reached
the server. Timing lives in benchmarks/ (ratios against a baseline in the same run).
"""

from __future__ import annotations

import asyncio
import importlib.abc
import os
import sys
import time

from edxtui.api.export import fetch_catalog_courses
from edxtui.api.session import Session
from edxtui.sandbox import SandboxServer

CONCURRENT = 100


async def _burst(session: Session) -> list[int]:
    responses = await asyncio.gather(*(session.get("catalogs/") for _ in range(CONCURRENT)))
    return [r.status_code for r in responses]


async def test_expired_by_client_clock_one_token_post_for_100_requests(sandbox: SandboxServer):
    shift = [0.0]
    async with Session(sandbox.credentials(), clock=lambda: time.time() + shift[0]) as session:
        await session.tokens.get_token()
        sandbox.reset()
        shift[0] = sandbox.config.expires_in + 1.0  # our clock now says the token expired
        statuses = await _burst(session)
        assert session.tokens.state().fetch_count == 2
    counters = sandbox.counters.snapshot()
    assert statuses == [200] * CONCURRENT
    assert counters["token_requests"] == 1
    # nobody went out with the expired token: they all waited for the one refresh
    assert counters["unauthorized"] == 0
    assert counters["api_requests"] == CONCURRENT


async def test_expired_by_server_clock_one_token_post_for_100_requests(sandbox: SandboxServer):
    async with Session(sandbox.credentials()) as session:
        await session.tokens.get_token()
        sandbox.reset()
        # the server's clock passes the token's exp: all 100 go out with it and get 401
        sandbox.faults.update(clock_skew=sandbox.config.expires_in + 1.0)
        statuses = await _burst(session)
    counters = sandbox.counters.snapshot()
    assert statuses == [200] * CONCURRENT
    assert counters["token_requests"] == 1
    # the requests that went out with the old token (all of them, in practice) got a 401
    # and were each retried once with the one new token
    expired = counters["expired_token_requests"]
    assert expired >= 1
    assert counters["unauthorized"] == expired
    assert counters["api_requests"] == CONCURRENT + expired


class ImportWatcher(importlib.abc.MetaPathFinder):
    """Notes every module the import system goes looking for (never one already loaded)."""

    def __init__(self) -> None:
        self.looked_for: list[str] = []

    def find_spec(self, name, path, target=None):
        self.looked_for.append(name)
        return None  # let the real finders do the finding


async def test_a_request_imports_nothing(sandbox: SandboxServer):
    """Once the first request has loaded what it needs, later ones never search sys.path:
    a module imported in a request's path and missing from the machine (httpcore's
    `import sniffio`, a few times per request, was one) is searched for again every time."""
    async with Session(sandbox.credentials()) as session:
        await session.get("catalogs/")  # the first request imports the HTTP stack
        watcher = ImportWatcher()
        sys.meta_path.insert(0, watcher)
        try:
            await asyncio.gather(session.get("catalogs/"), session.get("organizations/"))
        finally:
            sys.meta_path.remove(watcher)
    assert watcher.looked_for == []


async def test_export_bounded_concurrency_and_each_page_once(make_sandbox):
    server = make_sandbox(large_catalog_courses=2_000)
    async with Session(server.credentials()) as session:
        await session.tokens.get_token()
        server.reset()
        # a little server latency, so requests overlap there and its peak counter sees them
        server.faults.update(api_latency=0.02)
        courses, result = await fetch_catalog_courses(session, "6", page_size=100, concurrency=4)
    counters = server.counters.snapshot()
    assert len(courses) == 2_000 and result.pages == 20
    assert counters["api_requests"] == 20  # no page fetched twice
    assert 1 < counters["peak_concurrency"] <= 4  # concurrent, and never above the bound


# --- the catalog tree -------------------------------------------------------------------------


def _kinds_under(node) -> list[str]:
    """The kinds of the nodes under `node`, looking inside range nodes ("1–1,000 of …")."""
    kinds, stack = [], list(node.children)
    while stack:
        child = stack.pop(0)
        kinds.append(child.data.kind)
        if child.data.kind == "bucket":
            stack[:0] = child.children
    return kinds


async def _large_catalog_node(pilot, tree):
    from tui_helpers import group, loaded, wait_for

    catalogs = group(pilot.app, "Catalogs")
    await wait_for(pilot, lambda: loaded(catalogs), "catalogs")
    for child in catalogs.children:
        item = child.data.item if child.data is not None else None
        if isinstance(item, dict) and item.get("id") == 6:
            return child
    raise AssertionError("no large catalog")


async def test_expanding_a_large_catalog_fetches_one_page(make_sandbox):
    from tui_helpers import loaded, open_explorer, tree_of, wait_for

    from edxtui.tui.app import EdxApp
    from edxtui.tui.widgets.catalog.tree import PAGE_SIZE

    server = make_sandbox(large_catalog_courses=10_000)
    app = EdxApp(credentials=server.credentials(), use_system_clipboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_explorer(pilot)
        tree = tree_of(app)
        node = await _large_catalog_node(pilot, tree)
        node.expand()
        await wait_for(pilot, lambda: loaded(node), "the first page")
        path = "/api/v1/catalogs/6/courses/"
        # one request, one page of nodes and a "more" node: never the whole catalog
        assert server.counters.snapshot()["per_path"].get(path) == 1
        assert _kinds_under(node).count("course") == PAGE_SIZE
        assert node.children[-1].data.kind == "more"


async def test_tree_adds_a_big_page_in_chunks(make_sandbox, monkeypatch):
    """A page bigger than CHUNK is added a chunk at a time, the loop running in between."""
    from tui_helpers import loaded, open_explorer, tree_of, wait_for

    from edxtui.tui.app import EdxApp
    from edxtui.tui.widgets.catalog import chunks
    from edxtui.tui.widgets.catalog import tree as catalog_tree

    # a small chunk keeps the test quick; the mechanism is the same at CHUNK's real size
    monkeypatch.setattr(chunks, "CHUNK", 40)
    size = catalog_tree.PAGE_SIZE
    assert size > 2 * 40
    server = make_sandbox(large_catalog_courses=size + 10)
    app = EdxApp(credentials=server.credentials(), use_system_clipboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_explorer(pilot)
        tree = tree_of(app)
        node = await _large_catalog_node(pilot, tree)
        seen: set[int] = set()
        done = asyncio.Event()

        async def watch() -> None:  # runs whenever the loop gets control back
            while not done.is_set():
                seen.add(len(node.children))
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())  # (a page under 1,000: no range nodes)
        node.expand()
        await wait_for(pilot, lambda: loaded(node), "the big page")
        done.set()
        await watcher
        assert len(node.children) == size + 1  # the page and a "more" node
        between = {n for n in seen if 1 < n < size}
        # the loop ran while the page was half added: at least one chunk boundary was seen
        assert between, f"children counts seen: {sorted(seen)}"


def test_the_launch_imports_neither_config_nor_curl_before_the_countdown(sandbox: SandboxServer):
    """The launch path stays lean (docs/performance.md, "Launch -> live countdown"): the app,
    given its credentials as `--sandbox` gives them, reaches a live token without importing
    the config package (tomllib, filelock, platformdirs: ~8 ms; the lasting history's file is
    found on its first write instead) or "copy as curl" (shlex and all, ~1 ms)."""
    import subprocess

    script = (
        "import asyncio, os, sys\n"
        "from edxtui.api.credentials import Credentials\n"
        "from edxtui.tui.app import EdxApp\n"
        "creds = Credentials(os.environ['T'], os.environ['A'], os.environ['I'], os.environ['S'])\n"
        "async def main():\n"
        "    app = EdxApp(credentials=creds, use_system_clipboard=False)\n"
        "    async with app.run_test() as pilot:\n"
        "        while app.session is None or app.session.tokens.current_token is None:\n"
        "            await pilot.pause(0.01)\n"
        "        print('edxtui.config' in sys.modules, 'edxtui.api.curl' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    creds = sandbox.credentials()
    env = {
        **os.environ,
        "T": creds.token_url,
        "A": creds.api_root,
        "I": creds.client_id,
        "S": creds.client_secret,
    }
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "False False", proc.stdout


def modules_loaded_by(code: str, prefix: str) -> list[str]:
    """The modules under `prefix` that a fresh interpreter has loaded after running `code`."""
    import subprocess

    script = (
        f"import sys\n{code}\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.startswith({prefix!r}))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.split()


def test_starting_the_sandbox_child_loads_only_its_address_in_the_apps_process():
    """`edxtui --sandbox` starts the child before Textual is imported, so each module the
    app's process loads for it is on the launch's path: the child's address (wire.py's plain
    constants), not the sandbox's settings and clients (config.py's dataclasses, ~2 ms)."""
    loaded = modules_loaded_by("import edxtui.tui.sandbox_child", "edxtui.sandbox")
    assert loaded == ["edxtui.sandbox", "edxtui.sandbox.process", "edxtui.sandbox.wire"], loaded


def test_the_trees_module_leaves_its_loading_helpers_for_the_first_load():
    """The tree's first paint is on the launch's path: its module does not import what only
    loading uses (chunks, and the search module with it; load_all: ~1.5 ms)."""
    loaded = modules_loaded_by(
        "import edxtui.tui.widgets.catalog.tree", "edxtui.tui.widgets.catalog"
    )
    names = {name.rsplit(".", 1)[-1] for name in loaded}
    assert "tree" in names and not names & {"chunks", "load_all"}, loaded


def test_the_explorers_command_line_loads_no_commands_module():
    """`edxtui --sandbox` parses its line before anything else: the commands' modules (get,
    export, profile and their connection flags) are left to a line that may name one."""
    loaded = modules_loaded_by(
        "from edxtui.cli import build_parser\nbuild_parser(['--sandbox']).parse_args(['--sandbox'])",
        "edxtui.cli.",
    )
    commands = {
        "edxtui.cli.get",
        "edxtui.cli.export",
        "edxtui.cli.profile",
        "edxtui.cli.connection",
    }
    assert not commands & set(loaded), loaded
