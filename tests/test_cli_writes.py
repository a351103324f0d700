"""`edxtui export -o` into every kind of target, and signals mid-export.

Each target is a real filesystem object made in the test's own tmp_path: a symlink, a FIFO, a
device node made with mknod (`c 1 3` a null device, `c 1 7` a full disk; never the machine's
own /dev/null or /dev/full), a tmpfs of a few KB. Each test asserts the message, the target
left as it was (a link still a link, a device still the device), and no temporary file.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading

import pytest
from children import interruptible
from fs_objects import FULL, NULL, assert_is_device, device, fill_disk, temp_files, tiny_tmpfs

from edxtui import cli

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX filesystem objects and signals")

SECRET = "sandbox-secret"
COURSES = 30  # the sandbox's regular catalogs, small


def conn(sb) -> list[str]:
    return ["--token-url", sb.token_url(), "--api-url", sb.api_root(), "--client-id", sb.client_id]


@pytest.fixture
def small_sandbox(make_sandbox, monkeypatch):
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)
    return make_sandbox(courses=COURSES)


def export(capsys, sb, target, *extra: str) -> tuple[int, str, str]:
    code = cli.main(["export", "1", "-o", str(target), "--page-size", "10", *extra, *conn(sb)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err and SECRET not in out + err
    return code, out, err


def keys(text: str) -> list[str]:
    return [json.loads(line)["key"] for line in text.splitlines()]


def test_export_through_a_symlink_replaces_its_target_and_keeps_the_link(
    small_sandbox, capsys, tmp_path
):
    real = tmp_path / "real"
    real.mkdir()
    (real / "courses.jsonl").write_text("old\n")
    os.chmod(real / "courses.jsonl", 0o600)
    link = tmp_path / "out.jsonl"
    link.symlink_to(real / "courses.jsonl")
    code, _, err = export(capsys, small_sandbox, link)
    assert code == 0, err
    assert link.is_symlink()
    assert len(set(keys((real / "courses.jsonl").read_text()))) == COURSES
    assert stat.S_IMODE((real / "courses.jsonl").stat().st_mode) == 0o600  # not widened
    assert temp_files(tmp_path) == [] and temp_files(real) == []


def test_export_into_a_fifo_streams_in_place(small_sandbox, capsys, tmp_path):
    fifo = tmp_path / "courses.jsonl"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = export(capsys, small_sandbox, fifo)
    reader.join(timeout=60)
    assert code == 0, err
    assert len(set(keys(got[0].decode()))) == COURSES
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["courses.jsonl"]


def test_export_into_a_null_device_leaves_the_device(small_sandbox, capsys, tmp_path):
    null = device(tmp_path / "null", NULL)
    code, _, err = export(capsys, small_sandbox, null, "--format", "csv")
    assert code == 0, err
    assert_is_device(null, NULL)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_export_into_a_full_device_is_one_line_and_leaves_the_device(
    small_sandbox, capsys, tmp_path
):
    full = device(tmp_path / "full", FULL)
    code, out, err = export(capsys, small_sandbox, full)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"edxtui: cannot write {full}: No space left on device; "
        "what was written before this went through",
        "edxtui: free some space and try again",
    ]
    assert_is_device(full, FULL)
    assert [p.name for p in tmp_path.iterdir()] == ["full"]


def test_export_onto_a_full_disk_changes_nothing_and_says_so(small_sandbox, capsys, tmp_path):
    with tiny_tmpfs(tmp_path / "small") as small:
        target = small / "courses.jsonl"
        target.write_text("the previous export\n")
        fill_disk(small)
        code, out, err = export(capsys, small_sandbox, target)
        assert code == 1 and out == ""
        assert err.splitlines()[0] == (
            f"edxtui: cannot write {target}: No space left on device; nothing was changed"
        )
        assert len(err.splitlines()) == 2
        assert target.read_text() == "the previous export\n"
        assert sorted(p.name for p in small.iterdir()) == ["ballast", "courses.jsonl"]


# --- signals: TERM and HUP clean up like Ctrl-C; a SIGKILLed run's leftovers go next time ---


def start_hung_export(sb, out):
    """An export child whose every page hangs; returns once its temporary file exists."""
    sb.faults.update(api_latency=30)
    child = interruptible(
        [sys.executable, "-m", "edxtui", "export", "1", "-o", str(out), *conn(sb)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "EDXTUI_CLIENT_SECRET": SECRET},
    )
    # The temp file is made before the first request, so it exists once the sandbox sees one.
    assert sb.counters.wait_until(lambda c: c.api_requests >= 1, timeout=60)
    assert len(temp_files(out.parent)) == 1
    return child


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
def test_a_signal_mid_export_exits_128_plus_it_and_leaves_the_old_file(
    small_sandbox, tmp_path, signum, code
):
    out = tmp_path / "courses.jsonl"
    out.write_text("the previous export\n")
    child = start_hung_export(small_sandbox, out)
    try:
        child.send_signal(signum)
        stdout, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == code, stderr
    assert "Traceback" not in stderr and stdout == ""
    assert out.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["courses.jsonl"]  # no temporary file


def test_the_next_export_removes_what_a_killed_export_left(small_sandbox, capsys, tmp_path):
    out = tmp_path / "courses.jsonl"
    child = start_hung_export(small_sandbox, out)
    child.kill()  # SIGKILL: nothing of its own runs
    child.communicate(timeout=60)
    assert len(temp_files(tmp_path)) == 1
    small_sandbox.faults.update(api_latency=0)
    code, _, err = export(capsys, small_sandbox, tmp_path / "other.jsonl")
    assert code == 0, err
    assert temp_files(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.jsonl"]
