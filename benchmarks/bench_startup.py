"""Time from launch to the first useful screen, in a real terminal (tmux), and import times.

Baseline, measured in the same run: a Textual hello-world app showing one line. edxtui's
figure is `edxtui --sandbox` until a live token countdown (mm:ss) is on screen. Each is run
several times, interleaved, and the median is reported. The sandbox runs in a child process
(edxtui.sandbox.process), started before the app's imports, so its start-up overlaps them.

    python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _table import Row, median, print_table  # noqa: E402

HELLO = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("hello-world-ready")
Hello().run()
"""

# The token panel's status line once a token is live: "● valid  59:59 left of 1:00:00"
# ("1:00:00 left" in the first second of a one-hour token). Not "error … left on the old token".
COUNTDOWN = re.compile(r"valid\s+(?:\d+:)?\d\d:\d\d left")


#: a tmux server of the benchmark's own, kept alive by an idle session: when the last
#: session of a server ends the server exits, and a `new-session` racing that exit fails
#: ("server exited unexpectedly")
TMUX = ["tmux", "-L", f"edxtui-bench-{os.getpid()}"]


def time_to_screen(command: list[str], ready: re.Pattern[str], env: dict[str, str]) -> float:
    """Start `command` in a fresh 160x50 tmux session; seconds until `ready` is on screen."""
    session = f"run-{time.monotonic_ns()}"
    shell_cmd = " ".join(f"'{part}'" for part in command)
    start = time.perf_counter()
    subprocess.run(
        [*TMUX, "new-session", "-d", "-s", session, "-x", "160", "-y", "50", shell_cmd],
        check=True,
        env=env,
    )
    try:
        deadline = start + 30
        while time.perf_counter() < deadline:
            screen = subprocess.run(
                [*TMUX, "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if ready.search(screen):
                return time.perf_counter() - start
            time.sleep(0.005)
        raise RuntimeError(f"{command} did not show {ready.pattern!r} within 30 s")
    finally:
        subprocess.run([*TMUX, "kill-session", "-t", session], capture_output=True)


def import_time(module: str) -> float:
    """Median wall time of `python -c 'import module'` minus `python -c pass`."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    bare = median([run("pass") for _ in range(5)])
    return median([run(f"import {module}") for _ in range(5)]) - bare


def measure(
    runs: int, hello_file: Path, env: dict[str, str], hello: list[float], edxtui: list[float]
) -> None:
    for _ in range(runs):  # interleaved, so machine noise hits both alike
        hello.append(
            time_to_screen([sys.executable, str(hello_file)], re.compile("hello-world-ready"), env)
        )
        edxtui.append(time_to_screen([sys.executable, "-m", "edxtui", "--sandbox"], COUNTDOWN, env))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed: skipping the startup benchmark")
        return
    # As installed: pip byte-compiles a package when it installs it, but an editable
    # install compiles on first import, and never keeps the result when
    # PYTHONDONTWRITEBYTECODE is set (as on the CI machines): every launch would then
    # compile edxtui from source (~60 ms in the app and as much in the sandbox child).
    package = Path(__file__).resolve().parent.parent / "edxtui"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as config_dir:
        env["EDXTUI_CONFIG_DIR"] = config_dir  # never touch the user's profiles
        hello_file = Path(config_dir) / "hello.py"
        hello_file.write_text(HELLO)
        hello, edxtui = [], []
        subprocess.run([*TMUX, "new-session", "-d", "-s", "keep", "sleep 3600"], check=True)
        try:
            measure(args.runs, hello_file, env, hello, edxtui)
        finally:
            subprocess.run([*TMUX, "kill-server"], capture_output=True)
    h, e = median(hello), median(edxtui)
    ratio = e / h
    rows = [
        Row(
            "launch `edxtui --sandbox` → live countdown",
            f"{e:.3f} s",
            f"{h:.3f} s (hello-world)",
            f"{ratio:.2f}×",
            "≤ 1.5×",
            "ok" if ratio <= 1.5 else "MISSED",
        ),
    ]
    # `edxtui.api` loads its names on first use, so its own import is nearly free; the
    # session (httpx and the core) is what the app pays for before its first request.
    for module in ("edxtui.api.session", "edxtui.tui.app"):
        rows.append(Row(f"import {module}", f"{import_time(module) * 1000:.0f} ms"))
    print_table(f"Startup (tmux 160×50, median of {args.runs})", rows)


if __name__ == "__main__":
    main()
