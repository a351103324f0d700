"""Where the launch's time goes: a phase-by-phase timeline of `edxtui --sandbox` and of the
hello-world that bench_startup.py compares it with, each run in tmux as in that benchmark.

Not a benchmark (run_all.py does not run it): a diagnostic for when the launch target moves.
Each run marks `time.perf_counter()` at fixed points (modules imported, on_mount, the session
opened, the first request out and its response in, the token on the panel, frames written)
and writes them to a file when the countdown's frame is written. The marks are taken by
wrapping functions once their module has been imported (a post-import hook), so the import
order is the app's own; each wrapper costs microseconds. Times are from the traced script's
first line: the interpreter's own start-up (the same for both) is not in them.

    python benchmarks/trace_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _table import median  # noqa: E402
from bench_startup import compile_edxtui  # noqa: E402

# Shared by both traced programs: the marks, the post-import hook, the dump.
PRELUDE = r"""
import importlib.abc, json, os, sys, time
T0 = time.perf_counter()
MARKS = []
def mark(what):
    MARKS.append((what, time.perf_counter() - T0))
def dump():
    with open(os.environ["TRACE_OUT"] + ".part", "w") as f:
        json.dump(MARKS, f)
    os.replace(os.environ["TRACE_OUT"] + ".part", os.environ["TRACE_OUT"])
    os._exit(0)  # the tmux session is killed next; the sandbox child exits with our pipe

class AfterImport(importlib.abc.MetaPathFinder):
    # Runs PATCHES[name](module) right after the module named `name` is imported.
    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None:
                break
        else:
            return None
        run_module = spec.loader.exec_module
        def exec_module(module):
            run_module(module)
            mark(f"{name} imported")
            PATCHES.pop(name)(module)
        spec.loader.exec_module = exec_module
        return spec

def wrap(cls, attr, before=None, after=None):
    import inspect
    original = getattr(cls, attr)
    if inspect.iscoroutinefunction(original):
        async def wrapper(self, *args, **kwargs):
            before and before(self, *args)
            result = await original(self, *args, **kwargs)
            after and after(self, *args)
            return result
    else:
        def wrapper(self, *args, **kwargs):
            before and before(self, *args)
            result = original(self, *args, **kwargs)
            after and after(self, *args)
            return result
    wrapper.__signature__ = inspect.signature(original)  # Textual reads handlers' signatures
    setattr(cls, attr, wrapper)

FRAMES = {"after": None}
def patch_textual_app(module):
    def frame(app, screen, renderable):
        if renderable is None:
            return
        if not any(what == "first frame written" for what, _ in MARKS):
            mark("first frame written")
        if FRAMES["after"] and FRAMES["after"]():
            mark(FRAMES["name"])
            dump()
    wrap(module.App, "_display", after=frame)

PATCHES = {"textual.app": patch_textual_app}
"""

HELLO = r"""
def patch_hello():
    from textual.app import App
    from textual.widgets import Static
    class Hello(App):
        def compose(self):
            yield Static("hello-world-ready")
        def on_mount(self):
            mark("on_mount")
    FRAMES["after"] = lambda: True
    FRAMES["name"] = "hello-world's frame written"
    Hello().run()

sys.meta_path.insert(0, AfterImport())
patch_hello()
"""

EDXTUI = r"""
STATE = {"first request": False, "token shown": False}

def patch_child(module):
    wrap_start = module.start_early
    def start_early(options):
        wrap_start(options)
        mark("sandbox child started")
    module.start_early = start_early

def patch_app(module):
    wrap(module.EdxApp, "on_mount", before=lambda app: mark("on_mount"))
    wrap(module.EdxApp, "connect", before=lambda app, *a: mark("connect() begins"))

def patch_session(module):
    wrap(module.Session, "open", after=lambda s: mark("Session.open() done (AsyncClient)"))
    def sent(session, *args):
        if not STATE["first request"]:
            STATE["first request"] = True
            mark("first request begins (token POST)")
    def answered(session, *args):
        if not any(what == "first response in" for what, _ in MARKS):
            mark("first response in")
    wrap(module.Session, "_send", before=sent, after=answered)

def patch_panel(module):
    def shown(panel, state):
        if not STATE["token shown"] and state is not None and state.status.name == "VALID":
            STATE["token shown"] = True
            mark("token on the panel (watch_state)")
    wrap(module.TokenPanel, "watch_state", after=shown)

    wrap(module.TokenPanel, "on_mount", before=lambda panel: mark("token panel mounted"))

def patch_explorer(module):
    wrap(module.ExplorerScreen, "compose", before=lambda s: mark("explorer composed"))

def imported(module):  # the mark is the patch: when a dependency's import ends
    pass

PATCHES.update({
    "edxtui.tui.sandbox_child": patch_child,
    "edxtui.tui.app": patch_app,
    "edxtui.api.session": patch_session,
    "edxtui.tui.widgets.token_panel": patch_panel,
    "edxtui.tui.screens.explorer": patch_explorer,
    "edxtui.cli": imported,
    "httpx": imported,
    "httpcore": imported,
    "anyio._backends._asyncio": imported,
})
FRAMES["after"] = lambda: STATE["token shown"]
FRAMES["name"] = "countdown's frame written"
sys.meta_path.insert(0, AfterImport())
sys.argv = ["edxtui", "--sandbox"]
from edxtui.cli import main
main()
"""

TMUX = ["tmux", "-L", f"edxtui-trace-{os.getpid()}"]


def traced_run(code: str, env: dict[str, str]) -> list[tuple[str, float]]:
    """Run `python -c code` in a fresh 160x50 tmux session; its marks once it has dumped them."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "marks.json"
        script = Path(folder) / "traced.py"
        script.write_text(code)
        session = f"trace-{time.monotonic_ns()}"
        subprocess.run(
            [*TMUX, "new-session", "-d", "-s", session, "-x", "160", "-y", "50"]
            + [f"-eTRACE_OUT={out}", f"{sys.executable} {script}"],
            check=True,
            env=env,
        )
        try:
            deadline = time.monotonic() + 30
            while not out.exists():
                if time.monotonic() > deadline:
                    raise RuntimeError("the traced app did not reach its mark in 30 s")
                time.sleep(0.01)
            return [(what, seconds) for what, seconds in json.loads(out.read_text())]
        finally:
            subprocess.run([*TMUX, "kill-session", "-t", session], capture_output=True)


def report(title: str, runs: list[list[tuple[str, float]]]) -> None:
    order = [what for what, _ in runs[0]]
    marks = [dict(run) for run in runs]
    print(f"\n## {title} (median of {len(runs)} runs; ms from the script's first line)\n")
    print(f"| {'phase ends':<40} | at (ms) | step (ms) |")
    print(f"|{'-' * 42}|---------|-----------|")
    previous = 0.0
    for what in order:
        at = median([run[what] * 1000 for run in marks if what in run])
        print(f"| {what:<40} | {at:7.1f} | {at - previous:9.1f} |")
        previous = at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed: nothing to trace")
        return
    compile_edxtui()
    env = dict(os.environ)
    hello_runs, edxtui_runs = [], []
    with tempfile.TemporaryDirectory() as config_dir:
        env["EDXTUI_CONFIG_DIR"] = config_dir
        env["EDXTUI_DATA_DIR"] = config_dir  # the app keeps its history there, not the user's
        subprocess.run(
            [*TMUX, "new-session", "-d", "-s", "keep", "sleep 3600"], env=env, check=True
        )
        try:
            for _ in range(args.runs):  # interleaved, so machine noise hits both alike
                hello_runs.append(traced_run(PRELUDE + HELLO, env))
                edxtui_runs.append(traced_run(PRELUDE + EDXTUI, env))
        finally:
            subprocess.run([*TMUX, "kill-server"], capture_output=True)
    report("hello-world", hello_runs)
    report("edxtui --sandbox", edxtui_runs)


if __name__ == "__main__":
    main()
