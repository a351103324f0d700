"""`python -m edxtui` as a real process: the entry point, exit codes, stderr, Ctrl-C.

The sandbox runs in this test process; the CLI child reaches it over loopback HTTP.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading

import pytest
from children import interruptible

from edxtui.sandbox.catalogs import CATALOG_EMPTY


def edxtui(
    *argv: str,
    input: str | None = None,
    env: dict | None = None,
    python_flags: tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "edxtui", *argv],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def conn(sb) -> list[str]:
    return ["--token-url", sb.token_url(), "--api-url", sb.api_root(), "--client-id", sb.client_id]


def test_version_and_help():
    result = edxtui("--version")
    assert result.returncode == 0 and result.stdout.startswith("edxtui "), result.stderr
    result = edxtui("--help")
    assert result.returncode == 0, result.stderr
    for command in ("token", "get", "export", "sandbox", "profile"):
        assert command in result.stdout


def test_token_from_a_secret_on_stdin_without_importing_textual(sandbox):
    result = edxtui(
        "token", *conn(sandbox), "--client-secret-file", "-",
        input="sandbox-secret\n", python_flags=("-X", "importtime"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("eyJ")
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    assert "edxtui.api.session" in imported  # the import log is real
    assert not any(name == "textual" or name.startswith("textual.") for name in imported)


def test_http_error_is_exit_1_in_two_lines(sandbox):
    result = edxtui("get", "catalogs/999999/", *conn(sandbox),
                    env={"EDXTUI_CLIENT_SECRET": "sandbox-secret"})  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "404" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("token", "--profile", "nope"), "unknown profile 'nope'"),
        (("get",), "the following arguments are required: PATH_OR_URL"),
        (("token", "--profile", "edx.org", "--client-id", "c"), "no client secret for profile"),
    ],
)
def test_config_and_usage_errors_are_exit_2(argv, message):
    result = edxtui(*argv)
    assert result.returncode == 2 and result.stdout == "", result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_secret_is_exit_1_and_not_echoed(sandbox):
    wrong = "definitely-wrong-secret-77"
    result = edxtui("token", *conn(sandbox), env={"EDXTUI_CLIENT_SECRET": wrong})
    assert result.returncode == 1, result.stderr
    assert "client id or secret" in result.stderr
    assert wrong not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.name == "nt", reason="SIGINT semantics")
def test_ctrl_c_mid_export_is_130_quiet_and_leaves_no_file(make_sandbox, tmp_path):
    sb = make_sandbox(courses=200)
    sb.faults.update(api_latency=30)  # every page hangs until we interrupt
    out = tmp_path / "courses.jsonl"
    child = interruptible(
        [sys.executable, "-m", "edxtui", "export", "1", "-o", str(out), *conn(sb)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "EDXTUI_CLIENT_SECRET": "sandbox-secret"},
    )
    try:
        assert sb.counters.wait_until(lambda c: c.api_requests >= 1, timeout=30)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, stderr
    assert "Traceback" not in stderr and stdout == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name == "nt", reason="SIGINT semantics")
def test_edxtui_sandbox_serves_what_edxtui_get_reads(tmp_path):
    """The README flow: `edxtui sandbox` in one terminal, `edxtui get` in another."""
    server = interruptible(
        [sys.executable, "-m", "edxtui", "sandbox", "--port", "0", "--quiet", "--courses", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in server.stdout], daemon=True).start()
    try:
        urls = None
        while urls is None:
            line = lines.get(timeout=30)  # the banner comes right after the port is bound
            if line.strip().startswith("Open edX"):
                urls = line.split()[-2:]
        token_url, api_root = urls
        result = edxtui(
            "get", "--profile", "sandbox", "--token-url", token_url, "--api-url", api_root,
            "catalogs/1/",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert '"courses_count":30' in result.stdout.replace(" ", "")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
    err = server.stderr.read()
    assert server.returncode == 0, err
    assert "Traceback" not in err


def run_on_a_terminal(
    argv: list[str], stream: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run edxtui with `stream` ("stdout" or "stderr") on a pseudo-terminal, the other piped."""
    import pty

    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "edxtui", *argv],
        stdout=slave if stream == "stdout" else subprocess.PIPE,
        stderr=slave if stream == "stderr" else subprocess.PIPE,
        env={**os.environ, "EDXTUI_CLIENT_SECRET": "sandbox-secret", **(env or {})},
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    other = (child.stderr if stream == "stdout" else child.stdout).read().decode()
    return child.wait(timeout=30), b"".join(chunks).decode("utf-8"), other


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pty behaviour")


@linux_only
def test_on_a_terminal_get_pretty_prints_and_defuses_control_characters(sandbox):
    """Course titles with C1 controls and bidi overrides reach a terminal as \\uXXXX escapes."""
    argv = ["get", "catalogs/1/courses/", "--param", "limit=30", *conn(sandbox)]
    code, shown, _ = run_on_a_terminal(argv, "stdout")
    assert code == 0
    assert shown.startswith("{\r\n  ")  # pretty (the terminal turns \n into \r\n)
    assert "C1 Controls \\u009b31m in the Wild" in shown
    assert "Bidi \\u202eexe.txt\\u202c Tricks" in shown
    assert "\x9b" not in shown and "\u202e" not in shown and "\x1b" not in shown


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
A_TERMINAL = {"TERM": "xterm-256color"}  # a terminal rich draws on, whatever CI sets


def frames(shown: str) -> list[str]:
    """What a terminal would show line by line: each line's text after its last redraw."""
    return [ANSI.sub("", line).rsplit("\r", 1)[-1] for line in shown.split("\r\n")]


@linux_only
def test_export_draws_a_progress_bar_only_on_a_terminal(sandbox, tmp_path):
    out = tmp_path / "c.jsonl"
    argv = ["export", "1", "-o", str(out), "--page-size", "50", *conn(sandbox)]
    code, shown, stdout = run_on_a_terminal(argv, "stderr", env=A_TERMINAL)
    assert code == 0 and stdout == ""
    bar, wrote, *rest = frames(shown)
    # A clean finish: the finished bar stays on its own line (count, percentage, rate, the
    # time taken), the cursor it hid is shown again, and the summary follows on a new line.
    assert re.fullmatch(
        r"catalog 1 ━+ 300/300 courses 100% [\d,]+ courses/s \d+:\d\d:\d\d *", bar
    ), bar
    assert shown.index("\x1b[?25l") < shown.index("300/300") < shown.index("\x1b[?25h")
    assert wrote == f"edxtui: wrote 300 courses to {out} (jsonl)" and rest == [""]
    # The same export into a pipe: not one byte of a bar.
    result = edxtui(*argv, env={"EDXTUI_CLIENT_SECRET": "sandbox-secret", **A_TERMINAL})
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"edxtui: wrote 300 courses to {out} (jsonl)\n"


@linux_only
def test_verbose_lines_print_whole_above_the_progress_bar(sandbox, tmp_path):
    """-v lines during an export are not glued onto the bar's line: each is a line of its own."""
    out = tmp_path / "c.jsonl"
    argv = ["export", "1", "-v", "-o", str(out), "--page-size", "50", *conn(sandbox)]
    code, shown, _ = run_on_a_terminal(argv, "stderr", env=A_TERMINAL)
    assert code == 0
    lines = frames(shown)
    pages = [line for line in lines if "/courses/?limit=50" in line]
    assert len(pages) == 6 and all(line.startswith("edxtui: GET http") for line in pages)
    assert re.match(r"catalog 1 ━+ 300/300 courses 100%", lines[-3])


@linux_only
def test_an_empty_export_draws_no_bar(sandbox, tmp_path):
    out = tmp_path / "c.jsonl"
    argv = ["export", str(CATALOG_EMPTY), "-o", str(out), *conn(sandbox)]
    code, shown, _ = run_on_a_terminal(argv, "stderr", env=A_TERMINAL)
    assert code == 0
    assert shown == f"edxtui: wrote 0 courses to {out} (jsonl)\r\n"


@linux_only
def test_an_export_shown_on_a_terminal_cannot_drive_it(sandbox):
    """CSV leaves text raw (ESC included); on a terminal the CLI escapes it first."""
    code, shown, _ = run_on_a_terminal(["export", "1", "--format", "csv", *conn(sandbox)], "stdout")
    assert code == 0
    assert "\\u001b]8;;https://evil.example/" in shown  # course 225's OSC 8 link, defused
    assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown


@linux_only
@pytest.mark.parametrize(
    "argv",
    [
        ["get", "catalogs/1/csv/"],  # text/csv: the API's own CSV, ESC bytes and all
        ["get", "--raw", "catalogs/1/courses/", "--param", "limit=30"],
        ["get", "--raw", "--all-pages", "catalogs/1/courses/", "--param", "limit=30"],
    ],
)
def test_a_terminal_never_gets_raw_control_characters_even_with_raw(sandbox, argv):
    code, shown, _ = run_on_a_terminal([*argv, *conn(sandbox)], "stdout")
    assert code == 0
    assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown
    assert "\\u202e" in shown  # the bidi override is there, as an escape


@linux_only
def test_profile_save_asks_for_the_secret_without_echoing_it(isolated_config):
    """On a terminal, `profile save` prompts (getpass): the typed secret is never shown."""
    import pty

    secret = "typed-at-the-prompt-51"
    pid, master = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        os.execv(sys.executable, [sys.executable, "-m", "edxtui", "profile", "save", "typed",
                                  "--preset", "edx.org", "--client-id", "cid"])  # fmt: skip
    shown = b""
    while b"client secret for typed" not in shown:
        shown += os.read(master, 1024)
    os.write(master, secret.encode() + b"\n")
    while True:
        try:
            chunk = os.read(master, 1024)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    text = shown.decode()
    assert secret not in text
    assert "secret saved in" in text
    from edxtui import config

    assert config.resolve("typed", env={})[1].client_secret == secret


@linux_only
def test_children_get_ctrl_c_even_when_the_test_run_ignores_it():
    """A test run started as a background job ignores SIGINT, and a plain Popen child would
    inherit that: the Ctrl-C tests above would then wait out a read timeout instead."""
    probe = [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT) == 1)"]
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `pytest &` starts
    try:
        plain = subprocess.run(probe, capture_output=True, text=True, check=True)
        child = interruptible(probe, stdout=subprocess.PIPE, text=True)
        out, _ = child.communicate(timeout=30)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # the parent's is put back
    finally:
        signal.signal(signal.SIGINT, previous)
    assert plain.stdout == "True\n"  # SIG_IGN: the child would never see a Ctrl-C
    assert out == "False\n"  # Python's own handler: Ctrl-C is KeyboardInterrupt
