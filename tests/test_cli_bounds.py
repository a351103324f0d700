"""The bounds through the command line: --timeout, --max-body-mb and EDXTUI_TIMEOUT,
EDXTUI_MAX_BODY_MB on every network command, against the sandbox's hostile switches.

In-process `edxtui.cli.main(argv)` for the messages and counts; one real subprocess for the
memory a decompression bomb costs the whole program (its own peak RSS, from `resource`).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from edxtui import cli
from edxtui.sandbox.catalogs import CATALOG_ALL


@pytest.fixture
def run(sandbox, monkeypatch, capsys):
    monkeypatch.setenv("EDXTUI_TOKEN_URL", sandbox.token_url("openedx"))
    monkeypatch.setenv("EDXTUI_API_URL", sandbox.api_root("openedx"))
    monkeypatch.setenv("EDXTUI_CLIENT_ID", sandbox.client_id)
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", sandbox.client_secret)
    monkeypatch.delenv("EDXTUI_TIMEOUT", raising=False)
    monkeypatch.delenv("EDXTUI_MAX_BODY_MB", raising=False)

    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "internal error" not in err, err
        return code, out, err

    return call


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 2, err  # the message, and its hint
    return err


@pytest.mark.parametrize(
    "argv",
    [["get", "catalogs/"], ["get", "catalogs/", "--all-pages"], ["export", str(CATALOG_ALL)]],
)
def test_every_api_command_ends_a_trickle_at_its_timeout(run, sandbox, argv):
    sandbox.faults.update(trickle=0.05)
    quiet = ["--no-progress"] if argv[0] == "export" else []
    code, out, err = run(*argv, *quiet, "--timeout", "1")
    assert code == 1 and out == ""
    assert "did not finish within 1 s (the overall deadline)" in one_line_error(err)
    sandbox.faults.update(trickle=0)
    assert run("get", "catalogs/")[0] == 0


def test_the_token_command_has_the_deadline_and_reads_it_from_the_environment(
    run, sandbox, monkeypatch
):
    sandbox.faults.update(hold_token=True)
    monkeypatch.setenv("EDXTUI_TIMEOUT", "0.5")
    code, out, err = run("token")
    assert code == 1 and out == ""
    assert "did not finish within 0.5 s" in one_line_error(err)
    sandbox.faults.release()
    monkeypatch.setenv("EDXTUI_TIMEOUT", "not a number")
    code, _, err = run("token", "--timeout", "30")  # the flag wins over the environment
    assert code == 0, err


@pytest.mark.parametrize(
    ("argv", "env", "says"),
    [
        (["--timeout", "0"], {}, "--timeout must be a number of seconds greater than 0"),
        (["--timeout", "soon"], {}, "--timeout must be a number of seconds greater than 0"),
        (["--max-body-mb", "-5"], {}, "--max-body-mb must be a number of MiB greater than 0"),
        ([], {"EDXTUI_TIMEOUT": "x"}, "EDXTUI_TIMEOUT must be a number of seconds"),
        ([], {"EDXTUI_MAX_BODY_MB": "0"}, "EDXTUI_MAX_BODY_MB must be a number of MiB"),
    ],
)
def test_a_bad_bound_is_a_usage_error_before_any_request(
    run, sandbox, monkeypatch, argv, env, says
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run("get", "catalogs/", *argv)
    assert code == 2 and out == ""
    assert says in one_line_error(err)
    assert "soon" not in err  # a flag's value is never echoed
    assert sandbox.counters.token_requests == sandbox.counters.api_requests == 0


def test_get_refuses_a_bomb_at_max_body_mb(run, sandbox):
    sandbox.faults.update(bomb_mb=64)
    code, out, err = run("get", "catalogs/", "--max-body-mb", "1")
    assert code == 1 and out == ""
    said = one_line_error(err)
    assert "larger than the 1 MiB limit (counted after decompression)" in said
    assert "--max-body-mb" in said


def test_get_all_pages_stops_on_endless_next_links(run, sandbox):
    sandbox.faults.update(endless_next=True)
    code, out, err = run("get", "catalogs/", "--all-pages")
    assert code == 1 and out == ""
    assert "than its count" in one_line_error(err) and "stopped" in err
    assert sandbox.counters.api_requests == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_bomb_costs_the_program_the_cap_not_what_it_inflates_to(sandbox):
    """A real process: its own peak RSS against a 512 MiB bomb.

    Read as VmHWM, the peak of the process's own memory since exec. Not getrusage's
    ru_maxrss: Linux carries the pre-exec peak over an exec, so a child forked from a big
    pytest (300+ MB late in a full run) reported the parent's size, not its own."""
    sandbox.faults.update(bomb_mb=512)
    script = (
        "import sys\n"
        "from edxtui.cli import main\n"
        "code = main(['get', 'catalogs/', '--max-body-mb', '4'])\n"
        "hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM:')]\n"
        "print(hwm[0].split()[1], file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {
        **os.environ,
        "EDXTUI_TOKEN_URL": sandbox.token_url("openedx"),
        "EDXTUI_API_URL": sandbox.api_root("openedx"),
        "EDXTUI_CLIENT_ID": sandbox.client_id,
        "EDXTUI_CLIENT_SECRET": sandbox.client_secret,
    }
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    *message, peak_kib = proc.stderr.strip().splitlines()
    assert proc.returncode == 1, proc.stderr
    assert "larger than the 4 MiB limit" in "\n".join(message)
    assert int(peak_kib) < 160 * 1024, peak_kib  # an interpreter, httpx and a 4 MiB body
