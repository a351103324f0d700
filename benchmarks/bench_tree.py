"""The catalog tree on a big catalog: expand latency, event-loop lag, memory, and how they grow.

Each measure runs the real EdxApp headless (`run_test`, 160×50) in a fresh child process,
against the sandbox in its own process (so the server's work neither holds this process's
GIL nor adds to its RSS). In one invocation, per catalog size:

- expand: from `node.expand()` on the large catalog until its first page's nodes are in the
  tree (and until the tree has painted them), against the raw HTTP request for the same page
  (httpx GET, same URL, same token, warm connection) measured in the same child, interleaved.
  The UI's share is expand − raw.
- load all: every page of the catalog into the tree ("load more" until the count is reached),
  while a ticker task (`asyncio.sleep(0.005)` in a loop) records how late it wakes: the
  event loop's lag. Reported: max and p99 lag, total time, the app's CPU time (its
  process's); for 10,000 courses or fewer, the medians of three runs (fresh children), as one
  short load-all is noisy.
- the server: the sandbox keeps every course of the catalog rendered and is warmed first, so
  each size meets a server as fast per page.
- memory: the child's RSS (VmRSS, after gc) with every course of the catalog in the tree,
  against a Textual hello-world app in a fresh child, headless the same way.

    python benchmarks/bench_tree.py [--sizes 1000,10000,100000] [--samples N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _sandbox import CLIENT_ID, CLIENT_SECRET, LARGE_CATALOG, SandboxProcess  # noqa: E402
from _table import Row, median, print_table  # noqa: E402

from edxtui.sandbox.config import CACHED_COURSES  # noqa: E402

SIZE = (160, 50)
EXPAND_TARGET_MS = 50.0
LAG_TARGET_MS = 50.0
MEMORY_TARGET_MB = 100.0
TICK = 0.005
MB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# child side


def rss_bytes() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process, in bytes."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, amount, _unit = line.split()
                values[name[:-1]] = int(amount) * 1024
    return values["VmRSS"], values["VmHWM"]


def report(data: dict) -> None:
    print("RESULT " + json.dumps(data), flush=True)


async def child_hello() -> None:
    from textual.app import App
    from textual.widgets import Static

    class Hello(App):
        def compose(self):
            yield Static("hello-world-ready")

    app = Hello()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        gc.collect()
        rss, hwm = rss_bytes()
    report({"rss": rss, "hwm": hwm})


class GcClock:
    """Time the cyclic garbage collector spends, from now until stop()."""

    def __init__(self) -> None:
        self.total = 0.0
        self.longest = 0.0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            spent = time.perf_counter() - self._start
            self.total += spent
            self.longest = max(self.longest, spent)

    def stop(self) -> tuple[float, float]:
        gc.callbacks.remove(self._callback)
        return self.total, self.longest


class Ticker:
    """Wakes every TICK seconds and records how late each wake-up was."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(TICK)
            self.lags.append(time.perf_counter() - start - TICK)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def child_tree(args: argparse.Namespace) -> None:
    import httpx

    from edxtui.api.credentials import Credentials
    from edxtui.tui.app import EdxApp
    from edxtui.tui.widgets.catalog.tree import PAGE_SIZE, CatalogTree

    base = args.base_url
    credentials = Credentials(
        token_url=base + "/oauth2/access_token",
        api_root=base + "/api/v1/",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    app = EdxApp(credentials=credentials, profile_name="bench", use_system_clipboard=False)
    out: dict = {"size": args.size}
    async with app.run_test(size=SIZE) as pilot:
        tree = await _until(pilot, lambda: _tree(app, CatalogTree), "the explorer")
        catalogs = tree.root.children[0]
        node = await _until(pilot, lambda: _large(catalogs), "the large catalog node")
        await _until(pilot, lambda: app.session.tokens.current_token, "a token")
        painted: list[float] = []
        original = tree.render_lines

        def render_lines(crop):  # the compositor paints the tree: note when
            lines = original(crop)
            painted.append(time.perf_counter())
            return lines

        tree.render_lines = render_lines  # type: ignore[method-assign]

        url = app.session.resolve(f"catalogs/{LARGE_CATALOG}/courses/")
        raw_client = httpx.AsyncClient(timeout=30)

        async def raw() -> float:
            token = app.session.tokens.current_token
            start = time.perf_counter()
            response = await raw_client.get(
                url, params={"limit": PAGE_SIZE}, headers={"Authorization": f"JWT {token}"}
            )
            response.raise_for_status()
            return time.perf_counter() - start

        await raw()  # a warm connection for the baseline, as the app's client has one
        tree.move_cursor(node)
        await pilot.pause()
        in_tree, shown, raws = [], [], []
        profiler = _profiler(args)
        for sample in range(args.samples):
            if sample:  # back to a never-expanded node: the same path as the first time
                node.collapse()
                node.remove_children()
                node.data.state = "idle"
                await pilot.pause()
            raws.append(await raw())
            painted.clear()
            start = time.perf_counter()
            node.expand()
            while not (node.data.state == "loaded" and course_nodes(node) >= PAGE_SIZE):
                _check(start, f"the first page (state {node.data.state})")
                await asyncio.sleep(0.0005)
            in_tree.append(time.perf_counter() - start)
            mark = time.perf_counter()
            while not any(t > mark for t in painted):
                _check(start, "the tree to paint")
                await asyncio.sleep(0.0005)
            shown.append(min(t for t in painted if t > mark) - start)
            await pilot.pause()
            raws.append(await raw())
        _dump(profiler, args, "expand")
        await raw_client.aclose()
        tree.render_lines = original  # type: ignore[method-assign]
        out.update(in_tree=in_tree, shown=shown, raw=raws)

        if args.load_all:
            gc.collect()
            before = rss_bytes()[0]
            ticker = Ticker()
            # time spent waiting on the server, to tell the app's growth from the server's
            waits: list[float] = []
            session_get = app.session.get

            async def timed_get(*a, **k):
                t = time.perf_counter()
                try:
                    return await session_get(*a, **k)
                finally:
                    waits.append(time.perf_counter() - t)

            app.session.get = timed_get
            gc_time = GcClock()
            profiler = _profiler(args)
            if args.profile:
                # asyncio's debug mode names every callback that held the loop over 30 ms
                import logging

                logging.basicConfig(stream=sys.stdout, level=logging.WARNING)
                loop = asyncio.get_running_loop()
                loop.slow_callback_duration = 0.03
                loop.set_debug(True)
            ticker.start()
            start = time.perf_counter()
            # The app's own work, whatever overlaps what: the server is another process.
            cpu_start = time.process_time()
            deadline = start + args.budget
            pages = 1
            tree.move_cursor(node)  # "load more" (e) on the catalog node, page after page
            stuck = False
            while node.data.next_url and time.perf_counter() < deadline:
                loaded = node.data.loaded
                tree.action_load_more()
                page_deadline = time.perf_counter() + 60
                while node.data.loaded == loaded and node.data.state != "error":
                    if time.perf_counter() > page_deadline:
                        stuck = True  # a page that never arrives: report, don't hang
                        break
                    await asyncio.sleep(0.001)
                if node.data.state == "error" or stuck:
                    break
                pages += 1
                if rss_bytes()[0] > args.max_rss_mb * MB:
                    break
            total = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            await pilot.pause()
            await ticker.stop()
            asyncio.get_running_loop().set_debug(False)
            _dump(profiler, args, "load_all")
            # the last page's body is compressed by a worker thread after it arrived
            if hasattr(app.session, "compressed"):
                await app.session.compressed()
            gc.collect()
            rss, hwm = rss_bytes()
            held, received = _body_bytes(app, tree)
            lags = sorted(ticker.lags)
            out.update(
                loaded=node.data.loaded,
                count=node.data.count,
                pages=pages,
                stuck=stuck,
                state=node.data.state,
                load_all=total,
                load_all_cpu=cpu,
                server_waits=sum(waits),
                gc_time=gc_time.stop(),
                lag_max=lags[-1] if lags else 0.0,
                lag_p99=lags[int(0.99 * (len(lags) - 1))] if lags else 0.0,
                ticks=len(lags),
                rss=rss,
                hwm=hwm,
                rss_before_load=before,
                nodes=len(tree._tree_nodes),
                # response bodies the app holds (exchange log, and nodes pointing into them):
                # bytes really held (compressed where compressed) and their size as received
                bodies=held,
                bodies_received=received,
            )
    report(out)


def _body_bytes(app, tree) -> tuple[int, int]:
    """(bytes held, bytes as received) of the distinct response bodies reachable from the
    exchange log or tree nodes. Held is what the Exchange stores (`stored_size`: compressed
    for big bodies); `body` would decompress a fresh copy, so it is not read here."""
    seen: dict[int, tuple[int, int]] = {}
    exchanges = [*app.session.log]
    exchanges += [getattr(node.data, "exchange", None) for node in tree._tree_nodes.values()]
    for exchange in exchanges:
        if exchange is not None:
            held = getattr(exchange, "stored_size", exchange.size)  # older cores: held as is
            seen[id(exchange)] = (held, exchange.size)
    return sum(h for h, _ in seen.values()), sum(r for _, r in seen.values())


def course_nodes(node) -> int:
    """Course nodes under `node`, looking inside range nodes ("1–1,000 of 10,000")."""
    count, stack = 0, list(node.children)
    while stack:
        child = stack.pop()
        kind = child.data.kind if child.data is not None else None
        if kind == "course":
            count += 1
        elif kind == "bucket":
            stack.extend(child.children)
    return count


def _check(start: float, what: str, limit: float = 60.0) -> None:
    if time.perf_counter() - start > limit:
        raise RuntimeError(f"no {what} after {limit:.0f} s")


def _profiler(args: argparse.Namespace):
    """A running cProfile.Profile when --profile DIR was given (time then runs ~2× slower)."""
    if not args.profile:
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _dump(profiler, args: argparse.Namespace, phase: str) -> None:
    if profiler is None:
        return
    import pstats

    profiler.disable()
    path = Path(args.profile) / f"tree_{args.size}_{phase}.prof"
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)
    print(f"\n--- {phase}, {args.size:,} courses: top functions by cumulative time ({path})")
    stats = pstats.Stats(str(path), stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(r"edxtui|_tree|_compositor|json", 25)


def _tree(app, cls):
    """The explorer's tree once it has its groups (it is mounted after the token panel)."""
    found = app.screen.query(cls)
    return found.first() if found and found.first().root.children else None


def _large(catalogs):
    for child in catalogs.children:
        item = child.data.item if child.data is not None else None
        if isinstance(item, dict) and str(item.get("id")) == LARGE_CATALOG:
            return child
    return None


async def _until(pilot, condition, what: str, limit: float = 60.0):
    deadline = time.monotonic() + limit
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.01)


# --------------------------------------------------------------------------------------------
# parent side


def run_child(extra: list[str], env: dict[str, str], timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *extra]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if "--profile" in extra:
        print("\n".join(ln for ln in done.stdout.splitlines() if not ln.startswith("RESULT ")))
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"child {extra} failed ({done.returncode}): {done.stderr[-4000:]}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--samples", type=int, default=5, help="expand samples per size")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds to load all")
    parser.add_argument("--max-rss-mb", type=float, default=6000.0)
    parser.add_argument("--quick", action="store_true", help="3 samples, no 100,000 size")
    parser.add_argument(
        "--profile", metavar="DIR", help="cProfile each phase into DIR and print the top"
    )
    parser.add_argument("--child", nargs="?", const="tree", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=10_000, help=argparse.SUPPRESS)
    parser.add_argument("--load-all", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "hello":
        asyncio.run(child_hello())
        return
    if args.child:
        import faulthandler

        # a hang is reported with every thread's stack instead of a silent parent timeout
        faulthandler.dump_traceback_later(args.budget + 240, exit=True)
        asyncio.run(child_tree(args))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    samples = args.samples
    if args.quick:
        sizes = [s for s in sizes if s < 100_000]
        samples = min(samples, 3)
    with tempfile.TemporaryDirectory() as tmp:
        # never touch the user's profiles or history
        env = {**os.environ, "EDXTUI_CONFIG_DIR": tmp, "EDXTUI_DATA_DIR": tmp}
        hello = run_child(["hello"], env, 120)
        results = {}
        for size in sizes:
            # Every size meets a server that is as fast per page: one that keeps the whole
            # catalog rendered (~9 KB a course: ~0.9 GB at 100,000, in the sandbox's process),
            # warmed before the runs. With the default cache (16,384 courses) every page at
            # 100,000 was rendered cold, and the load-all's wall time grew with the server.
            with SandboxProcess(size, cache_courses=max(size, CACHED_COURSES)) as sandbox:
                sandbox.warm()  # both the app and the raw GET meet a warm server
                # A load-all of 10,000 courses or fewer takes under 2 s, short enough for one
                # run's noise to swing the growth ratios: those sizes run three times.
                repeats = 1 if args.quick or args.profile or size > 10_000 else 3
                runs = [
                    run_child(
                        [
                            "tree", "--base-url", sandbox.base_url, "--size", str(size),
                            "--load-all", "--budget", str(args.budget),
                            "--max-rss-mb", str(args.max_rss_mb), "--samples", str(samples),
                            *(["--profile", str(Path(args.profile).resolve())]
                              if args.profile else []),
                        ],
                        env,
                        args.budget + 300,
                    )
                    for _ in range(repeats)
                ]  # fmt: skip
                results[size] = with_load_all_medians(runs)
    print_tables(hello, results, samples)


def with_load_all_medians(runs: list[dict]) -> dict:
    """The first run, with the load-all's timings replaced by their medians over `runs`."""
    result = dict(runs[0], load_all_runs=len(runs))
    if "load_all" in result:
        for key in ("load_all", "load_all_cpu", "server_waits", "lag_max", "lag_p99"):
            result[key] = median([run[key] for run in runs])
        result["gc_time"] = tuple(
            median(list(values)) for values in zip(*(r["gc_time"] for r in runs), strict=True)
        )
    return result


def print_tables(hello: dict, results: dict[int, dict], samples: int) -> None:
    rows = []
    for size, r in results.items():
        raw = median(r["raw"])
        in_tree, shown = median(r["in_tree"]), median(r["shown"])
        added = shown - raw
        is_target = size == 10_000
        rows.append(
            Row(
                f"expand catalog ({size:,}) → first page painted",
                ms(shown),
                f"{ms(raw)} (raw GET)",
                f"UI adds {ms(added)}",
                f"adds ≤ {EXPAND_TARGET_MS:.0f} ms" if is_target else "—",
                ("ok" if added * 1000 <= EXPAND_TARGET_MS else "MISSED") if is_target else "",
            )
        )
        rows.append(Row("  … first page's nodes in the tree (before paint)", ms(in_tree)))
    for size, r in results.items():
        complete = r["loaded"] >= (r["count"] or 0)
        done = "" if complete else f" (stopped at {r['loaded']:,} of {r['count']:,})"
        is_target = size == 10_000
        runs = r["load_all_runs"]
        rows.append(
            Row(
                f"load all {size:,} courses ({r['pages']} pages"
                + (f", median of {runs} runs" if runs > 1 else "")
                + "): loop lag max / p99",
                f"{ms(r['lag_max'])} / {ms(r['lag_p99'])}",
                "—",
                "—",
                f"max ≤ {LAG_TARGET_MS:.0f} ms" if is_target else "—",
                ("ok" if r["lag_max"] * 1000 <= LAG_TARGET_MS else "MISSED") if is_target else "",
            )
        )
        gc_total, gc_longest = r.get("gc_time", (0.0, 0.0))
        rows.append(
            Row(
                f"  … time to load all{done} / awaiting the server / the app's CPU / in the GC"
                " (longest)",
                f"{r['load_all']:.2f} s / {r.get('server_waits', 0):.2f} s / "
                f"{r['load_all_cpu']:.2f} s / {gc_total:.2f} s ({ms(gc_longest)})",
            )
        )
    for size, r in results.items():
        extra = (r["rss"] - hello["rss"]) / MB
        is_target = size == 10_000
        rows.append(
            Row(
                f"memory, {r['loaded']:,} courses in the tree",
                f"{r['rss'] / MB:.0f} MB (+{extra:.0f} MB)",
                f"{hello['rss'] / MB:.0f} MB (hello-world)",
                f"{r['rss'] / hello['rss']:.1f}×",
                f"≤ +{MEMORY_TARGET_MB:.0f} MB" if is_target else "—",
                ("ok" if extra <= MEMORY_TARGET_MB else "MISSED") if is_target else "",
            )
        )
        rows.append(
            Row(
                "  … of which: explorer before loading / response bodies held (as received)",
                f"+{(r['rss_before_load'] - hello['rss']) / MB:.0f} MB / "
                f"{r.get('bodies', 0) / MB:.0f} MB ({r.get('bodies_received', 0) / MB:.0f} MB)",
            )
        )
    print_table(f"Catalog tree (headless run_test {SIZE[0]}×{SIZE[1]}, median of {samples})", rows)

    ordered = sorted(results)
    growth_rows = []
    for small, large in zip(ordered, ordered[1:], strict=False):
        a, b = results[small], results[large]
        factor = large / small
        finished = b["loaded"] >= (b["count"] or 0)

        def extra_mb(r: dict) -> float:
            return (r["rss"] - hello["rss"]) / MB

        # (what, figure at the smaller size, at the larger, the bound, the shown bound)
        # Linear growth is ≤ factor×; the limit allows 10% more for this machine's noise, and
        # the table says so rather than show "10.7× ≤ 10× ok".
        linear = f"≤ {factor:.0f}× (+10% noise)"
        checks = [
            ("expand → painted", median(a["shown"]), median(b["shown"]), 1.5, "flat (≤ 1.5×)"),
            ("load all: max loop lag", a["lag_max"], b["lag_max"], 2.0, "flat (≤ 2×)"),
        ]
        if finished:
            # The expand loaded the first page, so "load all" fetched pages - 1 of them (9 of
            # 10, 99 of 100): per page loaded, scaled to every page, the sizes compare fairly.
            def whole(r: dict, seconds: float) -> float:
                return seconds / max(1, r["pages"] - 1) * r["pages"]

            checks += [
                ("load all: time (per page × pages)", whole(a, a["load_all"]),
                 whole(b, b["load_all"]), factor * 1.1, linear),
                # The app's own work: its process's CPU time (the server is another process).
                # Wall time minus the time spent awaiting the server was the measure before;
                # it counted UI work that overlaps a request as the server's, more so at 1,000.
                ("load all: the app's CPU time", whole(a, a["load_all_cpu"]),
                 whole(b, b["load_all_cpu"]), factor * 1.1, linear),
                ("memory above hello-world", extra_mb(a), extra_mb(b), factor * 1.1, linear),
            ]  # fmt: skip
        for what, fa, fb, limit, shown in checks:
            g = fb / fa if fa > 0 else float("nan")
            growth_rows.append(
                Row(f"{what}: {small:,} → {large:,}", f"{g:.1f}×", "—", "—", shown,
                    "ok" if g <= limit else "WORSE")
            )  # fmt: skip
        if not finished:
            # it ran out of time: the time it took is a lower bound on the real figure
            lower = b["load_all"] / a["load_all"] if a["load_all"] > 0 else float("nan")
            per_course = (extra_mb(b) / max(1, b["loaded"])) / (extra_mb(a) / max(1, a["loaded"]))
            growth_rows.append(
                Row(
                    f"load all: time: {small:,} → {large:,}",
                    f"≥ {lower:.1f}× (stopped at {b['loaded']:,} of {b['count']:,})",
                    "—",
                    "—",
                    f"≤ {factor:.0f}×",
                    "WORSE" if lower > factor * 1.1 else "unknown",
                )
            )
            growth_rows.append(
                Row(
                    f"memory per course loaded: {small:,} → {large:,}",
                    f"{per_course:.1f}× per course ({b['loaded']:,} loaded)",
                    "—",
                    "—",
                    "≤ 1× per course",
                    "ok" if per_course <= 1.1 else "WORSE",
                )
            )
    if growth_rows:
        print_table(
            "Catalog tree: how each figure grows with the catalog (×10 per step)", growth_rows
        )


if __name__ == "__main__":
    main()
