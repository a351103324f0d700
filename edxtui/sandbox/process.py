"""The sandbox in a child process, for `edxtui --sandbox`.

Why a process and not a thread: the sandbox's CPU work (signing tokens, building pages of a
10,000-course catalog) then runs on another core and never holds the app's GIL, so the UI's
event loop does not stall while the sandbox serves; and the child's start-up overlaps with the
app's own imports instead of adding to them.

The listening socket is bound here, before the child starts, and handed to it (pass_fds): the
port is known at once, and a request sent before the child is serving simply waits in the
kernel's accept queue. The child exits when its stdin closes, so it never outlives the app,
even when the app is killed.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from typing import IO, Any

from edxtui.api.credentials import Credentials
from edxtui.sandbox.wire import (
    API_ROOTS,
    LAYOUTS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    TOKEN_PATHS,
)

# SandboxConfig fields the child understands, and the `edxtui sandbox` flag for each.
_FLAGS = {
    "seed": "--seed",
    "courses": "--courses",
    "large_catalog_courses": "--large-catalog-courses",
    "expires_in": "--expires-in",
    "search": "--fault search",  # q=, keys=, ordering= and search/all/ (docs/sandbox.md)
}


class SandboxProcess:
    """`python -m edxtui.sandbox` on a free 127.0.0.1 port, bound by the parent."""

    def __init__(self, **options: Any) -> None:
        unknown = set(options) - set(_FLAGS)
        if unknown:
            raise TypeError(f"unknown sandbox option(s): {', '.join(sorted(unknown))}")
        self.options = options
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def start(self) -> SandboxProcess:
        # IPPROTO_TCP explicitly, as in server._bind: asyncio only disables Nagle on sockets
        # whose proto says TCP.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            sock.listen(128)
            self.port = sock.getsockname()[1]
            command = [sys.executable, "-m", "edxtui.sandbox", "--fd", str(sock.fileno())]
            command += ["--quiet", "--exit-with-stdin"]
            for name, value in self.options.items():
                if name == "search":  # a switch: on or off, no value
                    command += ["--fault", "search"] if value else []
                else:
                    command += [_FLAGS[name], str(value)]
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                pass_fds=(sock.fileno(),),
            )
        finally:
            sock.close()  # the child holds its own copy; ours would keep a dead port open
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()  # the child's cue to exit
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def failure(self) -> str | None:
        """If the child has exited, the last line it wrote to stderr (or its exit code)."""
        if self._process is None or self._process.poll() is None:
            return None
        lines: list[bytes] = []
        if self._stderr is not None:
            self._stderr.seek(0)
            lines = [line for line in self._stderr.read().splitlines() if line.strip()]
        last = lines[-1].decode("utf-8", "replace") if lines else ""
        return last or f"the sandbox exited with code {self._process.returncode}"

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the sandbox process has not been started")
        return f"http://127.0.0.1:{self.port}"

    def token_url(self, layout: str = "openedx") -> str:
        return self.base_url + TOKEN_PATHS[_check(layout)]

    def api_root(self, layout: str = "openedx") -> str:
        return self.base_url + API_ROOTS[_check(layout)]

    def credentials(self, layout: str = "openedx") -> Credentials:
        return Credentials(
            token_url=self.token_url(layout),
            api_root=self.api_root(layout),
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
        )


def _check(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    return layout
