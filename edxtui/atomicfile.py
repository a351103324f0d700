"""Replace a file all at once: a crash or an error leaves the old file or the new one, never half.

One writer for every file edxtui writes (the config, an export, a saved response body): the
data goes to a temporary file in the target's folder, which is fsynced, given its final mode
and only then renamed over the target. A failure removes the temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def replaced_atomically(
    path: Path, *, mode: int | None = None, text: bool = False
) -> Iterator[IO[Any]]:
    """A handle on a temporary file that replaces `path` when the block ends without error.

    `mode` is the file's permissions, set before the rename so the file is never readable
    by more people than it should be, not even for a moment (the config's 0600). Without
    it a replaced file keeps its mode and a new one gets the usual 0666 minus the umask,
    as `open()` would give it. `text=True` gives UTF-8 text with newlines written as they
    are (csv's \\r\\n and JSON's \\n alike, on every platform).
    """
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        handle: IO[Any] = (
            os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb")
        )
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    # Make the rename itself durable (not possible on Windows; harmless to skip).
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _umask() -> int:
    # The only way to read the umask is to set it; put it straight back.
    mask = os.umask(0)
    os.umask(mask)
    return mask
