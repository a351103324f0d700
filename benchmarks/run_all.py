"""Run every benchmark script (benchmarks/bench_*.py) and print all their tables.

Each script runs as its own subprocess, one after another (they measure time: never two at
once). Its output streams through as it runs; at the end every table is printed again in one
block, followed by the rows whose target was missed. A failing script is reported and the
rest still run.

    python benchmarks/run_all.py              # the full run (several minutes; 100k sizes)
    python benchmarks/run_all.py --quick      # fewer repeats, no 100,000-course sizes
    python benchmarks/run_all.py --only tree,export --markdown results.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Cheap and independent first; the long ones last. Scripts not named here run after these.
ORDER = ("startup", "sandbox", "tokens", "body_view", "export", "tree")


def scripts(only: set[str] | None) -> list[Path]:
    found = {p.stem.removeprefix("bench_"): p for p in HERE.glob("bench_*.py")}
    names = [n for n in ORDER if n in found] + sorted(set(found) - set(ORDER))
    if only:
        unknown = only - set(found)
        if unknown:
            raise SystemExit(
                f"run_all: no benchmark named {', '.join(sorted(unknown))}; "
                f"known: {', '.join(names)}"
            )
        names = [n for n in names if n in only]
    return [found[n] for n in names]


def command(script: Path, quick: bool) -> list[str]:
    cmd = [sys.executable, str(script)]
    if quick:
        source = script.read_text(encoding="utf-8")
        if '"--quick"' in source:
            cmd.append("--quick")
        elif '"--runs"' in source:
            cmd += ["--runs", "2"]
    return cmd


def run(script: Path, quick: bool) -> tuple[int, list[str], float]:
    """Run one script, echoing its output; (exit code, output lines, seconds)."""
    cmd = command(script, quick)
    print(f"\n=== {script.name} ({' '.join(cmd[2:]) or 'full'}) ===", flush=True)
    start = time.perf_counter()
    lines: list[str] = []
    with subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=HERE.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
        code = proc.wait()
    return code, lines, time.perf_counter() - start


def tables(lines: list[str]) -> list[str]:
    """The table blocks of a script's output: '## title' lines and the '|' rows under them."""
    out: list[str] = []
    for line in lines:
        if line.startswith("## ") or line.startswith("|"):
            if line.startswith("## ") and out:
                out.append("")
            out.append(line)
            if line.startswith("## "):
                out.append("")  # markdown wants a blank line before a table
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, no 100k sizes")
    parser.add_argument("--only", help="comma-separated names, e.g. tree,export")
    parser.add_argument("--markdown", metavar="FILE", help="also write all tables to FILE")
    args = parser.parse_args()
    only = {n.strip() for n in args.only.split(",")} if args.only else None

    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"edxtui benchmarks, {started}: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {'--quick' if args.quick else 'full run'}"
    )
    collected: list[str] = []
    failed: list[str] = []
    durations: list[str] = []
    for script in scripts(only):
        code, lines, seconds = run(script, args.quick)
        durations.append(f"{script.name} {seconds:.0f} s")
        found = tables(lines)
        if code != 0:
            failed.append(script.name)
            tail = "\n".join(lines[-15:])
            found.append(f"\n{script.name} FAILED (exit {code}):\n```\n{tail}\n```")
        elif not found:
            found.append(f"{script.name}: no table (see its output above)")
        collected += ["", *found]

    summary = [f"# {header}", *collected, "", "Ran: " + ", ".join(durations)]
    missed = [line for line in collected if line.startswith("|") and "MISSED" in line]
    if missed:
        summary += ["", "Targets missed:", *missed]
    if failed:
        summary += ["", "Scripts that failed: " + ", ".join(failed)]
    text = "\n".join(summary)
    print("\n" + "=" * 100 + "\n" + text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
