"""Writing a file a person named: a regular file all at once, a stream in place.

The one writer of every file edxtui writes (the config, an export, a saved response body).
`writing(path)` looks at what `path` is:
- a regular file, or nothing yet: the data goes to a temporary file in the same folder,
  which is fsynced, given its final mode and only then renamed over the target, so a crash
  or an error leaves the old file or the new one, never half;
- a symlink: followed (a chain too), and its target replaced in the target's own folder, so
  the link stays a link;
- a FIFO or a character device (`/dev/stdout`, a null device, a terminal): written in
  place and streamed: no temporary file, nothing renamed over it;
- anything else (a folder, a socket, a block device): refused.

A replaced file's mode is never widened: it keeps its own (or narrows to the `mode` asked
for), and a new file gets what `open()` would give it (0666 minus the umask).

The temporary file is `.NAME.edxtui-PID-RANDOM.tmp`. A run killed outright (SIGKILL, power
loss) leaves one behind; the next write into that folder removes it, but only when its
writer is gone: no live process of that pid, and no lock held on the file (the writer holds
one the whole time), so two runs writing into one folder never delete each other's file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from edxtui.api.errors import EdxError

try:  # POSIX only; on Windows an open file cannot be deleted, which protects it the same way
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TEMP_PATTERN = re.compile(r"\..*\.edxtui-(?P<pid>\d+)-[0-9a-f]+\.tmp", re.DOTALL)

# The errors a person can cause or fix: a full disk, a missing folder, no permission, a
# read-only file system, a reader that went away. Others (a bug, the network) pass through.
_PERSONS_ERRNOS = {
    errno.ENOSPC: "free some space and try again",
    errno.EDQUOT: "free some space (you are over your disk quota) and try again",
    errno.EFBIG: "the file is too big for this file system; write it elsewhere",
    errno.ENOENT: "create the folder first, or pick one that exists",
    errno.ENOTDIR: "a part of the path is not a folder; check the path",
    errno.EACCES: "pick a file and folder you can write to",
    errno.EPERM: "pick a file and folder you can write to",
    errno.EROFS: "the file system is read-only; write somewhere else",
    errno.EISDIR: "give a file name, not a folder",
    errno.ENAMETOOLONG: "use a shorter file name",
    errno.ELOOP: "the path has a loop of symlinks; check it",
    errno.EIO: "the device reported an I/O error; check the disk",
    errno.EPIPE: "the program reading it stopped before the end",
}


class FileWriteError(EdxError):
    """A file could not be written for a reason a person can fix; the message names the path."""


@contextlib.contextmanager
def writing(path: Path, *, mode: int | None = None, text: bool = False) -> Iterator[IO[Any]]:
    """A handle to write `path` through; it takes effect when the block ends without error.

    `mode` is the most a replaced file may be readable by (the config's 0600), set before the
    rename so the file is never more readable than it should be, not even for a moment.
    `text=True` gives UTF-8 text with newlines written as they are (csv's \\r\\n and JSON's
    \\n alike, on every platform). An OSError a person can fix becomes a FileWriteError that
    names the path and says what happened to it.
    """
    path = Path(path)
    target = Path(os.path.realpath(path))  # a symlink's (chain's) final target
    in_place = False
    try:
        kind = _kind(target)
        if kind is not None and _streams(kind):
            in_place = True
            with _in_place(target, text) as handle:
                yield handle
        elif kind is not None and not stat.S_ISREG(kind):
            what = "a folder" if stat.S_ISDIR(kind) else "not a regular file, FIFO or device"
            raise FileWriteError(f"cannot write {path}: it is {what}; nothing was changed")
        else:
            with _replaced_atomically(target, mode=mode, text=text) as handle:
                yield handle
    except OSError as err:
        error = write_error(path, err, in_place=in_place)
        if error is None:
            raise
        raise error from None


@contextlib.contextmanager
def holding_lock(
    path: Path,
    timeout: float,
    *,
    busy: Callable[[str], Exception],
    failed: Callable[[OSError], Exception],
) -> Iterator[None]:
    """Hold `path`'s lock (`PATH.lock`, a `filelock` at 0600) for a read-modify-write, so two
    edxtuis writing at once lose nothing. Past `timeout` seconds raises `busy(said)` (said:
    "another edxtui has held the lock on PATH for N s"); a lock that cannot be taken at all
    raises `failed(err)`."""
    from filelock import FileLock, Timeout  # on the first write, not at import

    lock = FileLock(f"{path}.lock", timeout=timeout, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise busy(f"another edxtui has held the lock on {path} for {timeout:.0f} s") from None
    except OSError as err:
        raise failed(err) from None
    try:
        yield
    finally:
        lock.release()


def writes_in_place(path: Path) -> bool:
    """Whether `writing(path)` writes in place as it goes (a FIFO or a device, or a link to
    one) rather than replacing a file at the end."""
    try:
        kind = _kind(Path(os.path.realpath(path)))
    except OSError:
        return False  # writing() will say what is wrong with it
    return kind is not None and _streams(kind)


def _kind(target: Path) -> int | None:
    try:
        return os.stat(target).st_mode
    except FileNotFoundError:
        return None


def _streams(kind: int) -> bool:
    return stat.S_ISFIFO(kind) or stat.S_ISCHR(kind)


def write_error(path: Path, err: OSError, *, in_place: bool = False) -> FileWriteError | None:
    """The one-line FileWriteError for an OSError a person can fix, else None (a bug's)."""
    hint = _PERSONS_ERRNOS.get(err.errno or 0)
    if hint is None:
        return None
    reason = err.strerror or type(err).__name__
    outcome = "what was written before this went through" if in_place else "nothing was changed"
    return FileWriteError(f"cannot write {path}: {reason}; {outcome}", hint)


@contextlib.contextmanager
def _in_place(target: Path, text: bool) -> Iterator[IO[Any]]:
    """A FIFO or device written as it is: opened for writing, never created or truncated."""
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    handle = _wrap(fd, text)
    with handle:
        yield handle
        handle.flush()


@contextlib.contextmanager
def _replaced_atomically(
    target: Path, *, mode: int | None = None, text: bool = False
) -> Iterator[IO[Any]]:
    """Temp file, fsync, final mode, rename: `target` is the old file or the new, never half."""
    folder = target.parent
    remove_stale_temp_files(folder)
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    final_mode = _final_mode(old, mode)
    # A new file without a given mode is created as open() would create it (the umask
    # applies); any other starts owner-only and gets its final mode before a byte is written.
    create_mode = 0o666 if final_mode is None else 0o600
    fd, tmp_name = _create_temp(folder, target.name, create_mode)
    try:
        handle = _wrap(fd, text)
        with handle:
            if fcntl is not None:  # "a live writer holds this file" (see the cleanup)
                fcntl.flock(fd, fcntl.LOCK_EX)
            if old is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # keep the owner when root replaces a file
                    os.fchown(fd, old.st_uid, old.st_gid)
            if final_mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, final_mode)
            yield handle
            handle.flush()
            os.fsync(fd)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    # Make the rename itself durable (not possible on Windows; harmless to skip).
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _final_mode(old: os.stat_result | None, mode: int | None) -> int | None:
    """The replaced file's permissions: never wider than the old file's, nor than `mode`."""
    if old is None:
        return mode
    kept = stat.S_IMODE(old.st_mode) & 0o777  # no setuid/setgid/sticky onto new contents
    return kept if mode is None else kept & mode


def _create_temp(folder: Path, name: str, create_mode: int) -> tuple[int, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    while True:
        # The name is cut so a long one still fits the file system's 255-byte limit.
        tmp_name = os.path.join(
            folder, f".{name[:100]}.edxtui-{os.getpid()}-{secrets.token_hex(4)}.tmp"
        )
        try:
            return os.open(tmp_name, flags, create_mode), tmp_name
        except FileExistsError:
            continue


def _wrap(fd: int, text: bool) -> IO[Any]:
    try:
        if text:
            return os.fdopen(fd, "w", encoding="utf-8", newline="")
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def remove_stale_temp_files(folder: Path) -> list[str]:
    """Delete the temporary files a killed edxtui run left in `folder`; return their names.

    Only names of our own pattern, only regular files, and only when the writer is gone: no
    live process has the pid in the name, and nobody holds the lock every writer keeps on
    its file (which also covers a writer in another pid namespace sharing the folder).
    Never raises: a file that cannot be checked or removed is left alone.
    """
    if fcntl is None:
        return []  # Windows: os.kill(pid, 0) would signal a process; skip the cleanup
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = TEMP_PATTERN.fullmatch(entry.name)
        if match is None or _alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            if not entry.is_file(follow_symlinks=False):
                continue
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: its writer lives
                os.unlink(entry.path)
                removed.append(entry.name)
            finally:
                os.close(fd)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but is another user's
    return True
