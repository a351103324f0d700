"""The body viewer on big bodies: first screen, memory, search, against a Textual Log.

In one invocation:

- time to first screen of a 5 MB JSON body in JsonView (headless ``run_test``, from the
  ``load()`` call to the first rendered line that shows body text), against a Textual
  ``Log`` writing the same text in the same run (the baseline);
- the same for a 50 MB body (the Log baseline only with ``--log-50``: it takes minutes);
- in a fresh child process (so the body generator's garbage does not blur it): the RSS
  growth while a 50 MB body is loaded, fully indexed, scrolled end to end, searched and
  shown raw, as a multiple of the body size (peak sampled every 5 ms), and search times.

Bodies are synthetic catalog pages (``{"count", "next", "previous", "results": [...]}``)
pretty-printed with indent=2, as an API that pretty-prints would send them.

    python benchmarks/bench_body_view.py [--runs N] [--log-50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from _table import Row, median, print_table  # noqa: E402

MB = 1_000_000


def catalog_body(size: int, seed: int = 7) -> bytes:
    """A catalog page of about `size` bytes, pretty-printed (deterministic)."""
    body = _catalog(size, seed)
    if len(body) > size:  # the first guess overshoots by the pretty-printing indent
        body = _catalog(size * size // len(body), seed)
    return body


def _catalog(size: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    words = [
        "intro",
        "data",
        "science",
        "python",
        "machine",
        "learning",
        "history",
        "art",
        "of",
        "the",
        "world",
        "and",
        "computer",
        "design",
        "ethics",
        "biology",
        "finance",
        "writing",
    ]
    results = []
    total = 0
    i = 0
    while total < size:
        course = {
            "key": f"edX+CS{i:06d}",
            "uuid": f"{rnd.getrandbits(128):032x}",
            "title": " ".join(rnd.choice(words) for _ in range(5)).title(),
            "short_description": " ".join(rnd.choice(words) for _ in range(25)),
            "owners": [{"key": "edX", "name": "edX Org", "logo_image_url": None}],
            "course_runs": [
                {
                    "key": f"course-v1:edX+CS{i:06d}+{year}",
                    "start": f"{year}-01-01T00:00:00Z",
                    "pacing_type": "self_paced",
                    "seats": [{"type": "verified", "price": "49.00", "currency": "USD"}],
                }
                for year in (2024, 2025)
            ],
            "level_type": rnd.choice(["Introductory", "Intermediate", None]),
            "enrollment_count": rnd.randint(0, 10**6),
            "is_active": True,
        }
        results.append(course)
        total += len(json.dumps(course, indent=2)) + 8
        i += 1
    page = {"count": len(results), "next": None, "previous": None, "results": results}
    return json.dumps(page, indent=2).encode()


def _host_app(kind: str):
    from textual.app import App, ComposeResult
    from textual.widgets import Log

    from edxtui.tui.widgets.body.view import JsonView

    class Host(App):
        def compose(self) -> ComposeResult:
            yield JsonView(id="view") if kind == "json" else Log(id="view", auto_scroll=False)

    return Host()


async def first_screen(kind: str, body: bytes, probe: str) -> float:
    """Seconds from handing `body` to the widget until a drawn line shows `probe`."""
    from textual.strip import Strip

    app = _host_app(kind)
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one("#view")
        target = view._lines if kind == "json" else view
        seen = asyncio.Event()
        original = target.render_line

        def render_line(y: int) -> Strip:
            strip = original(y)
            if not seen.is_set() and probe in strip.text:
                seen.set()
            return strip

        target.render_line = render_line  # type: ignore[method-assign]
        start = time.perf_counter()
        if kind == "json":
            view.load(body, "application/json")
        else:
            view.write(body.decode("utf-8"))
        await seen.wait()
        elapsed = time.perf_counter() - start
        await pilot.pause()
    return elapsed


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _child_50mb(path: str) -> dict[str, float]:
    """Run inside a fresh process: memory and search figures for the body in `path`."""
    body = Path(path).read_bytes()
    app = _host_app("json")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one("#view")
        await pilot.pause()
        base = _rss()
        peak = [base]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _rss())
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        lag = [0.0, 0.0]  # longest stall, and how far indexing was when it happened
        lateness: list[float] = []

        async def watch_lag() -> None:  # how late a 5 ms timer fires while indexing
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.005)
                late = time.perf_counter() - before - 0.005
                lateness.append(late)
                if late > lag[0]:
                    lag[:] = [late, doc.progress]

        t0 = time.perf_counter()
        view.load(body, "application/json")  # its own time is the first-screen figure
        doc = view._doc
        await pilot.pause()  # the first frame is drawn (timed above); then watch the indexing
        watcher = asyncio.create_task(watch_lag())
        while not doc.done:
            await asyncio.sleep(0.01)
        indexed = time.perf_counter() - t0
        watcher.cancel()
        view.focus()
        await pilot.press("end", "pageup", "home", "pagedown")
        last_key = "edX+CS" + body.rsplit(b'"key": "edX+CS', 1)[1][:6].decode()
        t0 = time.perf_counter()
        found_last = view.search(last_key)
        search_last = time.perf_counter() - t0
        t0 = time.perf_counter()
        view.search("no such text anywhere")
        search_miss = time.perf_counter() - t0
        t0 = time.perf_counter()
        view.mode = "tree"
        await pilot.pause()
        tree = time.perf_counter() - t0
        view.mode = "raw"
        while view._raw is None or not view._raw.done:
            await asyncio.sleep(0.01)
        await pilot.pause()
        stop.set()
        sampler.join()
        peak_rss = max(peak[0], _rss())
        return {
            "size": len(body),
            "indexed_s": indexed,
            "max_lag_s": lag[0],
            "max_lag_at": lag[1],
            "p99_lag_s": sorted(lateness)[int(len(lateness) * 0.99)] if lateness else 0.0,
            "lines": len(doc),
            "search_last_s": search_last,
            "search_found": float(found_last),
            "search_miss_s": search_miss,
            "tree_s": tree,
            "peak_delta": (peak_rss - base) / len(body),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--log-50", action="store_true", help="also time Log on 50 MB (slow)")
    parser.add_argument("--child-50mb", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_50mb:
        print(json.dumps(asyncio.run(_child_50mb(args.child_50mb))))
        return

    rows: list[Row] = []
    body5 = catalog_body(5 * MB)
    probe = '"count"'
    ours = [asyncio.run(first_screen("json", body5, probe)) for _ in range(args.runs)]
    log = [asyncio.run(first_screen("log", body5, probe)) for _ in range(max(1, args.runs // 2))]
    ours5, log5 = median(ours), median(log)
    rows.append(
        Row(
            f"first screen, {len(body5) / MB:.1f} MB JSON",
            f"{ours5 * 1000:,.0f} ms",
            f"Log: {log5 * 1000:,.0f} ms",
            f"{log5 / ours5:,.0f}x faster",
            "≥ 20x and ≤ 500 ms",
            "ok" if log5 / ours5 >= 20 and ours5 <= 0.5 else "MISSED",
        )
    )
    del body5

    body50 = catalog_body(50 * MB)
    ours50 = median([asyncio.run(first_screen("json", body50, probe)) for _ in range(args.runs)])
    baseline50, ratio50 = "—", "—"
    if args.log_50:
        log50 = asyncio.run(first_screen("log", body50, probe))
        baseline50, ratio50 = f"Log: {log50 * 1000:,.0f} ms", f"{log50 / ours50:,.0f}x faster"
    rows.append(
        Row(
            f"first screen, {len(body50) / MB:.1f} MB JSON",
            f"{ours50 * 1000:,.0f} ms",
            baseline50,
            ratio50,
        )
    )
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        tmp.write(body50)
    del body50
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child-50mb", tmp.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(tmp.name)
    child = json.loads(out.strip().splitlines()[-1])
    size = child["size"] / MB
    rows.append(
        Row(
            "50 MB: memory (peak RSS growth: load, index, scroll, search, tree, raw)",
            f"{child['peak_delta']:.2f}x body",
            f"body: {size:.1f} MB",
            "—",
            "≤ 4x",
            "ok" if child["peak_delta"] <= 4 else "MISSED",
        )
    )
    rows.append(
        Row(
            "50 MB: index every line (in steps, UI live)",
            f"{child['indexed_s']:.1f} s ({child['lines']:,.0f} lines)",
        )
    )
    rows.append(
        Row(
            "50 MB: event-loop stall while indexing (5 ms timer lateness)",
            f"p99 {child['p99_lag_s'] * 1000:,.0f} ms, max {child['max_lag_s'] * 1000:,.0f} ms"
            f" (at {child['max_lag_at']:.0%})",
        )
    )
    rows.append(Row("50 MB: search, hit near the end", f"{child['search_last_s'] * 1000:,.0f} ms"))
    rows.append(
        Row("50 MB: search, no hit (whole body)", f"{child['search_miss_s'] * 1000:,.0f} ms")
    )
    rows.append(Row("50 MB: switch to the tree view", f"{child['tree_s'] * 1000:,.0f} ms"))
    print_table("Body viewer (benchmarks/bench_body_view.py)", rows)


if __name__ == "__main__":
    main()
