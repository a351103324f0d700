"""Time from launch to the first useful screen, in a real terminal (tmux), and import times.

Baseline, measured in the same run: a Textual hello-world app showing one line. edxtui's
figures are `edxtui --sandbox` until a live token countdown (mm:ss) is on screen (issue 6:
≤ 1.5×), and until the whole explorer is, the tree's and the inspector's panes drawn (issue 17:
≤ 1.8×). Each is run
several times, interleaved, and the median is reported. The sandbox runs in a child process
(edxtui.sandbox.process), started before the app's imports, so its start-up overlaps them.

    python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
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
#: after the countdown (in later frames): the token panel's buttons, then the tree and inspector
BUTTONS = re.compile(r"Copy token\s+Copy header\s+Refresh\s+Reveal")
EXPLORER = re.compile(r"─ Catalog ─.*─ Inspector ─")
HELLO_READY = re.compile("hello-world-ready")


#: a tmux server of the benchmark's own, kept alive by an idle session: when the last
#: session of a server ends the server exits, and a `new-session` racing that exit fails
#: ("server exited unexpectedly")
TMUX = ["tmux", "-L", f"edxtui-bench-{os.getpid()}"]


class Tmux:
    """A control-mode client of the benchmark's tmux server, for reading screens.

    Each `capture-pane` goes over one long-lived `tmux -C` connection (~0.1 ms) instead of a
    new tmux process (~3 ms of fork, exec and connect): at one poll every few milliseconds,
    those processes took a share of this 2-core machine from the app being timed, and most
    from the one with a second process of its own (edxtui's sandbox child).
    """

    def __init__(self, env: dict[str, str]) -> None:
        # The server's environment is what every session's command gets (a new-session's
        # own environment reaches it only through `-e`): start the server with `env`.
        subprocess.run(
            [*TMUX, "new-session", "-d", "-s", "keep", "sleep 3600"], check=True, env=env
        )
        self.client = subprocess.Popen(
            [*TMUX, "-C", "attach", "-t", "keep"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        # The attach itself is answered with a block of its own: read up to our marker's,
        # so that every later reply is the one to the command just sent.
        self.client_write("list-sessions -F edxtui-sync")
        while set(self.read_reply()) != {"edxtui-sync\n"}:
            pass

    def client_write(self, command: str) -> None:
        assert self.client.stdin is not None
        self.client.stdin.write(command + "\n")
        self.client.stdin.flush()

    def command(self, command: str) -> list[str]:
        """Run one tmux command; its output lines."""
        self.client_write(command)
        return self.read_reply(command)

    def read_reply(self, command: str = "") -> list[str]:
        assert self.client.stdout is not None
        lines: list[str] | None = None
        for line in self.client.stdout:  # notifications come outside %begin … %end
            if line.startswith("%begin"):
                lines = []
            elif lines is not None and line.startswith(("%end", "%error")):
                if line.startswith("%end"):
                    return lines
                raise RuntimeError(f"tmux {command!r}: {''.join(lines).strip()}")
            elif lines is not None:
                lines.append(line)
        raise RuntimeError("the tmux control client exited")

    def close(self) -> None:
        if self.client.stdin is not None:
            self.client.stdin.close()
        subprocess.run([*TMUX, "kill-server"], capture_output=True)
        self.client.wait()

    def time_to_screen(
        self,
        command: list[str],
        ready: dict[str, re.Pattern[str]],
        extra_env: dict[str, str] | None = None,
    ) -> dict[str, float]:
        """Start `command` in a fresh 160x50 session (with `extra_env` on top of the
        server's environment); seconds until each of `ready` is on screen (they are looked
        for together, in the same captures)."""
        session = f"run-{time.monotonic_ns()}"
        shell_cmd = " ".join(f"'{part}'" for part in command)
        seen: dict[str, float] = {}
        start = time.perf_counter()
        set_env = [f"-e{name}={value}" for name, value in (extra_env or {}).items()]
        subprocess.run(
            [*TMUX, "new-session", "-d", "-s", session, "-x", "160", "-y", "50", *set_env]
            + [shell_cmd],
            check=True,
        )
        try:
            deadline = start + 30
            while time.perf_counter() < deadline:
                try:
                    screen = "".join(self.command(f"capture-pane -p -t {session}"))
                except RuntimeError:  # no pane: the command has exited
                    missing = sorted(set(ready) - set(seen))
                    raise RuntimeError(f"{command} exited before showing {missing}") from None
                now = time.perf_counter()
                for name, pattern in ready.items():
                    if name not in seen and pattern.search(screen):
                        seen[name] = now - start
                if len(seen) == len(ready):
                    return seen
                time.sleep(0.002)
            missing = sorted(set(ready) - set(seen))
            raise RuntimeError(f"{command} did not show {missing} within 30 s")
        finally:
            with contextlib.suppress(RuntimeError):  # the app may have ended it already
                self.command(f"kill-session -t {session}")


def import_time(module: str) -> float:
    """Median wall time of `python -c 'import module'` minus `python -c pass`."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    bare = median([run("pass") for _ in range(5)])
    return median([run(f"import {module}") for _ in range(5)]) - bare


def edxtui_command() -> list[str]:
    """`edxtui`, as the README runs it: the console script that installing the package puts
    beside this Python. `python -m edxtui` (the fallback, for a tree that is not installed)
    also loads runpy and importlib.util first, which the script never does: ~5-10 ms here."""
    script = Path(sys.executable).with_name("edxtui")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "edxtui"]


def measure(
    runs: int, hello_file: Path, env: dict[str, str], times: dict[str, list[float]]
) -> None:
    tmux = Tmux(env)
    try:
        for _ in range(runs):  # interleaved, so machine noise hits both alike
            hello = tmux.time_to_screen([sys.executable, str(hello_file)], {"hello": HELLO_READY})
            times["hello"].append(hello["hello"])
            edxtui = tmux.time_to_screen(
                [*edxtui_command(), "--sandbox"],
                {"countdown": COUNTDOWN, "buttons": BUTTONS, "explorer": EXPLORER},
            )
            for name, seconds in edxtui.items():
                times[name].append(seconds)
    finally:
        tmux.close()


def compile_edxtui() -> None:
    """Byte-compile the package, as an installed one is.

    pip byte-compiles a package when it installs it, but an editable install compiles on
    first import, and never keeps the result when PYTHONDONTWRITEBYTECODE is set (as on the
    CI machines): every launch would then compile edxtui from source (~60 ms in the app and
    as much in the sandbox child).
    """
    package = Path(__file__).resolve().parent.parent / "edxtui"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 15 launches of each: with 5, the median ratio moved by ±0.03 from run to run here
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed: skipping the startup benchmark")
        return
    compile_edxtui()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as config_dir:
        env["EDXTUI_CONFIG_DIR"] = config_dir  # never touch the user's profiles
        env["EDXTUI_DATA_DIR"] = config_dir  # nor their history
        hello_file = Path(config_dir) / "hello.py"
        hello_file.write_text(HELLO)
        times: dict[str, list[float]] = {
            name: [] for name in ("hello", "countdown", "buttons", "explorer")
        }
        measure(args.runs, hello_file, env, times)
    h, e = median(times["hello"]), median(times["countdown"])
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
    # The panel's buttons come in the panes' frame (issue 17): both rows, so a frame of
    # their own would show again.
    for name, what, target in (
        ("buttons", "  … the token panel's buttons", None),
        ("explorer", "  … the whole explorer: tree and inspector", 1.8),
    ):
        seconds = median(times[name])
        verdict = (
            () if target is None else (f"≤ {target}×", "ok" if seconds / h <= target else "MISSED")
        )
        rows.append(
            Row(
                what,
                f"{seconds:.3f} s",
                f"{h:.3f} s (hello-world)",
                f"{seconds / h:.2f}×",
                *verdict,
            )
        )
    # `edxtui.api` loads its names on first use, so its own import is nearly free; the
    # session (httpx and the core) is what the app pays for before its first request.
    for module in ("edxtui.api.session", "edxtui.tui.app"):
        rows.append(Row(f"import {module}", f"{import_time(module) * 1000:.0f} ms"))
    print_table(f"Startup (tmux 160×50, median of {args.runs})", rows)


if __name__ == "__main__":
    main()
