"""The one atomic file writer behind the config, exports and saved response bodies."""

from __future__ import annotations

import os
import stat

import pytest

from edxtui.atomicfile import replaced_atomically

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_usual_mode_like_open_would(tmp_path):
    old_mask = os.umask(0o027)
    try:
        with replaced_atomically(tmp_path / "new.json") as handle:
            handle.write(b"{}")
    finally:
        os.umask(old_mask)
    assert (tmp_path / "new.json").read_bytes() == b"{}"
    assert mode_of(tmp_path / "new.json") == 0o640


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "body.json"
    target.write_bytes(b"old")
    os.chmod(target, 0o604)
    with replaced_atomically(target) as handle:
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
    with replaced_atomically(tmp_path / "secret", mode=0o600) as handle:
        handle.write(b"s")
    assert seen["mode"] == 0o600
    assert mode_of(tmp_path / "secret") == 0o600


def test_an_error_in_the_block_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "export.csv"
    target.write_text("old\n")
    with (
        pytest.raises(RuntimeError, match="page 3 failed"),
        replaced_atomically(target, text=True) as handle,
    ):
        handle.write("half of the new\n")
        raise RuntimeError("page 3 failed")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_text_is_utf8_with_newlines_as_written(tmp_path):
    target = tmp_path / "out.csv"
    with replaced_atomically(target, text=True) as handle:
        handle.write("a,é\r\nb\n")
    assert target.read_bytes() == "a,é\r\nb\n".encode()
