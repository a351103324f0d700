"""The one atomic file writer behind the config, exports and saved response bodies."""

from __future__ import annotations

import os
import queue
import stat
import subprocess
import sys
import threading

import pytest
from fs_objects import (
    FULL,
    NULL,
    as_nobody,
    assert_is_device,
    device,
    fill_disk,
    temp_files,
    tiny_tmpfs,
)

from edxtui.api.atomicfile import FileWriteError, remove_stale_temp_files, writing

if os.name != "nt":
    import fcntl

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_usual_mode_like_open_would(tmp_path):
    old_mask = os.umask(0o027)
    try:
        with writing(tmp_path / "new.json") as handle:
            handle.write(b"{}")
    finally:
        os.umask(old_mask)
    assert (tmp_path / "new.json").read_bytes() == b"{}"
    assert mode_of(tmp_path / "new.json") == 0o640


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "body.json"
    target.write_bytes(b"old")
    os.chmod(target, 0o604)
    with writing(target) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new"
    assert mode_of(target) == 0o604


def test_a_given_mode_is_on_the_file_before_it_takes_the_name(tmp_path, monkeypatch):
    seen = {}
    real_replace = os.replace

    def spy(src, dst):
        seen["mode"] = mode_of(src)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    with writing(tmp_path / "secret", mode=0o600) as handle:
        handle.write(b"s")
    assert seen["mode"] == 0o600
    assert mode_of(tmp_path / "secret") == 0o600


def test_an_error_in_the_block_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "export.csv"
    target.write_text("old\n")
    with (
        pytest.raises(RuntimeError, match="page 3 failed"),
        writing(target, text=True) as handle,
    ):
        handle.write("half of the new\n")
        raise RuntimeError("page 3 failed")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_text_is_utf8_with_newlines_as_written(tmp_path):
    target = tmp_path / "out.csv"
    with writing(target, text=True) as handle:
        handle.write("a,é\r\nb\n")
    assert target.read_bytes() == "a,é\r\nb\n".encode()


# --- what the target is: a regular file, a symlink, a FIFO, a device, a folder -------------


def test_a_symlink_is_followed_and_its_target_replaced_in_the_targets_folder(tmp_path):
    real, links = tmp_path / "real", tmp_path / "links"
    real.mkdir()
    links.mkdir()
    (real / "courses.jsonl").write_bytes(b"old")
    os.chmod(real / "courses.jsonl", 0o600)
    (links / "out.jsonl").symlink_to(real / "courses.jsonl")
    (links / "chain.jsonl").symlink_to(links / "out.jsonl")  # a chain of two links
    with writing(links / "chain.jsonl") as handle:
        handle.write(b"new")
    assert (links / "out.jsonl").is_symlink() and (links / "chain.jsonl").is_symlink()
    assert (real / "courses.jsonl").read_bytes() == b"new"
    assert mode_of(real / "courses.jsonl") == 0o600  # never widened to the link's 0777
    assert sorted(p.name for p in links.iterdir()) == ["chain.jsonl", "out.jsonl"]
    assert [p.name for p in real.iterdir()] == ["courses.jsonl"]


def test_a_dangling_symlink_gets_its_target_created(tmp_path):
    (tmp_path / "link.json").symlink_to(tmp_path / "made.json")
    with writing(tmp_path / "link.json") as handle:
        handle.write(b"{}")
    assert (tmp_path / "link.json").is_symlink()
    assert (tmp_path / "made.json").read_bytes() == b"{}"


def test_a_fifo_is_written_in_place_and_streamed(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: queue.Queue[bytes] = queue.Queue()

    def reader() -> None:
        with open(fifo, "rb") as pipe:
            while chunk := pipe.read1(65536):
                received.put(chunk)
        received.put(b"")  # the end

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    with writing(fifo, text=True) as handle:
        handle.write("first line\n")
        handle.flush()
        # streamed: the reader has the first line while the writer is still in its block
        assert received.get(timeout=30) == b"first line\n"
        handle.write("second line\n")
    assert received.get(timeout=30) == b"second line\n"
    assert received.get(timeout=30) == b""
    thread.join(timeout=30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary file


def test_a_null_device_is_written_in_place_and_stays_a_device(tmp_path):
    null = device(tmp_path / "null", NULL)
    with writing(null) as handle:
        handle.write(b"x" * 100_000)
    assert_is_device(null, NULL)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_a_full_device_is_a_one_line_error_and_stays_a_device(tmp_path):
    full = device(tmp_path / "full", FULL)
    with pytest.raises(FileWriteError) as caught, writing(full, text=True) as handle:
        handle.write("a course\n" * 10_000)
    message = str(caught.value)
    assert message.splitlines()[0] == (
        f"cannot write {full}: No space left on device; what was written before this went through"
    )
    assert "free some space" in message and len(message.splitlines()) == 2
    assert_is_device(full, FULL)
    assert [p.name for p in tmp_path.iterdir()] == ["full"]


def test_a_folder_is_refused_and_left_alone(tmp_path):
    (tmp_path / "out").mkdir()
    with (
        pytest.raises(FileWriteError, match="it is a folder; nothing was changed"),
        writing(tmp_path / "out") as handle,
    ):
        handle.write(b"x")
    assert (tmp_path / "out").is_dir() and list((tmp_path / "out").iterdir()) == []


# --- modes -----------------------------------------------------------------------------------


def test_an_existing_0600_file_stays_0600_whatever_the_umask(tmp_path):
    target = tmp_path / "private.json"
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    old_mask = os.umask(0)
    try:
        with writing(target) as handle:
            handle.write(b"new")
    finally:
        os.umask(old_mask)
    assert mode_of(target) == 0o600


def test_a_given_mode_never_widens_a_narrower_file(tmp_path):
    target = tmp_path / "config.toml"
    target.write_bytes(b"old")
    os.chmod(target, 0o400)
    with writing(target, mode=0o600) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new" and mode_of(target) == 0o400


# --- errors a person can cause: one line naming the path, nothing changed -------------------


def test_a_full_disk_leaves_the_old_file_and_no_temp_file(tmp_path):
    with tiny_tmpfs(tmp_path / "small") as small:
        target = small / "export.csv"
        target.write_text("old\n")
        fill_disk(small)
        with pytest.raises(FileWriteError) as caught, writing(target, text=True) as handle:
            handle.write("a course\n" * 10_000)
        assert str(caught.value).splitlines()[0] == (
            f"cannot write {target}: No space left on device; nothing was changed"
        )
        assert target.read_text() == "old\n"
        assert sorted(p.name for p in small.iterdir()) == ["ballast", "export.csv"]


def test_a_missing_folder_names_the_path(tmp_path):
    target = tmp_path / "no-such-folder" / "out.json"
    with pytest.raises(FileWriteError) as caught, writing(target) as handle:
        handle.write(b"{}")
    assert str(caught.value) == (
        f"cannot write {target}: No such file or directory; nothing was changed\n"
        "create the folder first, or pick one that exists"
    )
    assert list(tmp_path.iterdir()) == []


def test_permission_denied_names_the_path(tmp_path):
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o755)
    target = folder / "out.json"
    with as_nobody(), pytest.raises(FileWriteError) as caught, writing(target) as handle:
        handle.write(b"{}")
    assert str(caught.value).splitlines()[0] == (
        f"cannot write {target}: Permission denied; nothing was changed"
    )
    assert list(folder.iterdir()) == []


def test_an_error_that_is_not_about_the_file_passes_through(tmp_path):
    with pytest.raises(ConnectionResetError), writing(tmp_path / "x") as handle:
        handle.write(b"x")
        raise ConnectionResetError(104, "Connection reset by peer")
    assert list(tmp_path.iterdir()) == []


# --- leftovers of a killed run ---------------------------------------------------------------

_HOLD = """
import sys
from pathlib import Path
from edxtui.api.atomicfile import writing
with writing(Path(sys.argv[1])) as handle:
    handle.write(sys.argv[2].encode())
    handle.flush()
    print("writing", flush=True)
    sys.stdin.readline()
"""


def start_writer(target, content: str) -> subprocess.Popen[str]:
    """A real edxtui writer in another process, stopped in the middle of its write."""
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(target), content],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "writing\n"
    return child


def test_the_next_write_removes_what_a_killed_run_left(tmp_path):
    child = start_writer(tmp_path / "a.jsonl", "half")
    child.kill()  # SIGKILL: no clean-up of its own
    child.wait(timeout=30)
    assert len(temp_files(tmp_path)) == 1
    with writing(tmp_path / "b.jsonl") as handle:  # another file, the same folder
        handle.write(b"new")
    assert temp_files(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.jsonl"]


def test_a_live_runs_temp_file_is_never_removed(tmp_path):
    """Two exports into one folder at once: the second must not delete the first's file."""
    first = start_writer(tmp_path / "first.jsonl", "first's courses")
    try:
        kept = temp_files(tmp_path)
        assert len(kept) == 1
        with writing(tmp_path / "second.jsonl") as handle:
            handle.write(b"second's courses")
        assert temp_files(tmp_path) == kept
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert (tmp_path / "first.jsonl").read_text() == "first's courses"
    assert (tmp_path / "second.jsonl").read_text() == "second's courses"
    assert temp_files(tmp_path) == []


def test_a_locked_temp_file_is_kept_even_when_its_pid_is_gone(tmp_path):
    """A writer in another pid namespace (a container sharing the folder) holds its lock."""
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    name = f".x.jsonl.edxtui-{int(gone.stdout)}-0123abcd.tmp"
    (tmp_path / name).write_bytes(b"half")
    (tmp_path / ".x.jsonl.tmp").write_bytes(b"not ours")  # another program's temp file
    with open(tmp_path / name, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        assert remove_stale_temp_files(tmp_path) == []
    assert remove_stale_temp_files(tmp_path) == [name]
    assert [p.name for p in tmp_path.iterdir()] == [".x.jsonl.tmp"]
