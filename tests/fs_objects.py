"""Real filesystem objects for the write tests, each made inside the test's own tmp_path.

Never the machine's own /dev/full or /dev/null: a bug that replaced the target with a regular
file would break them for everyone. A device node made with mknod here is the same device
(`c 1 7` is a full disk, `c 1 3` a null device) and is thrown away with tmp_path.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from edxtui.api.atomicfile import TEMP_PATTERN

NULL = (1, 3)
FULL = (1, 7)


def device(path: Path, major_minor: tuple[int, int]) -> Path:
    """A character device node at `path` (root only: the test is skipped otherwise)."""
    if not hasattr(os, "mknod") or os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*major_minor))
    return path


def assert_is_device(path: Path, major_minor: tuple[int, int]) -> None:
    st = os.lstat(path)
    assert stat.S_ISCHR(st.st_mode), f"{path} is no longer a character device"
    assert (os.major(st.st_rdev), os.minor(st.st_rdev)) == major_minor


def temp_files(folder: Path) -> list[str]:
    """The writer's temporary files in `folder` (its own name pattern)."""
    return sorted(p.name for p in folder.iterdir() if TEMP_PATTERN.fullmatch(p.name))


@contextlib.contextmanager
def tiny_tmpfs(folder: Path, size: str = "16k") -> Iterator[Path]:
    """A tmpfs of a few KB mounted at `folder` (root and mount(8) needed, else skipped)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_disk(folder: Path) -> None:
    """Fill the file system under `folder` to the last byte."""
    fd = os.open(folder / "ballast", os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 512)
    finally:
        os.close(fd)


@contextlib.contextmanager
def as_nobody() -> Iterator[None]:
    """This process acts as the unprivileged user nobody for the block (root only)."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("switching user needs root")
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
