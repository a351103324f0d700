"""The sandbox in its own process, for benchmarks.

An in-process SandboxServer runs in a thread of the measured process: its JSON rendering would
hold the GIL, stall the measured event loop and add to its RSS. A real API server is elsewhere,
so the benchmarks put the sandbox in a child process (`python -m edxtui.sandbox --port 0`).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx

from edxtui.sandbox.config import CACHED_COURSES

ROOT = Path(__file__).resolve().parent.parent
_BASE = re.compile(r"on (http://127\.0\.0\.1:\d+)")

CLIENT_ID = "edxtui-sandbox"
CLIENT_SECRET = "sandbox-secret"  # noqa: S105 (the sandbox's published demo credential)
LARGE_CATALOG = "6"  # the sandbox's "Large catalog" id


class SandboxProcess:
    """`with SandboxProcess(courses=N) as sb:` a sandbox whose large catalog has N courses."""

    def __init__(
        self,
        large_catalog_courses: int,
        *,
        expires_in: int = 3600,
        cache_courses: int = CACHED_COURSES,
    ) -> None:
        self.large = large_catalog_courses
        self.expires_in = expires_in
        self.cache_courses = cache_courses
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> SandboxProcess:
        cmd = [
            sys.executable,
            "-m",
            "edxtui.sandbox",
            "--port",
            "0",
            "--quiet",
            "--large-catalog-courses",
            str(self.large),
            "--expires-in",
            str(self.expires_in),
            "--cache-courses",
            str(self.cache_courses),
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            match = _BASE.search(line)
            if match:
                self.base_url = match.group(1)
                break
        if not self.base_url:
            self.__exit__(None, None, None)
            raise RuntimeError("the sandbox process did not start")
        # keep draining stdout (closing it would break the child's next print)
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.base_url + "/_sandbox/counters", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the sandbox process does not answer")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    @property
    def token_url(self) -> str:
        return self.base_url + "/oauth2/access_token"

    @property
    def api_root(self) -> str:
        return self.base_url + "/api/v1/"

    def counters(self) -> dict:
        return httpx.get(self.base_url + "/_sandbox/counters", timeout=10).json()

    def reset(self) -> None:
        httpx.post(self.base_url + "/_sandbox/reset", timeout=10)

    def env(self) -> dict[str, str]:
        """Environment for a child that should find this sandbox (edxtui's EDXTUI_* names)."""
        return {
            **os.environ,
            "EDXTUI_TOKEN_URL": self.token_url,
            "EDXTUI_API_URL": self.api_root,
            "EDXTUI_CLIENT_ID": CLIENT_ID,
            "EDXTUI_CLIENT_SECRET": CLIENT_SECRET,
        }

    def warm(self, page_size: int = 100) -> None:
        """Ask for every page of the large catalog once, so the sandbox's render cache is warm
        for the runs that follow (as much of it as the cache holds: `cache_courses`)."""
        with httpx.Client(timeout=60) as client:
            token = client.post(
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "token_type": "jwt",
                },
            ).json()["access_token"]
            url = f"{self.api_root}catalogs/{LARGE_CATALOG}/courses/"
            for offset in range(0, min(self.large, self.cache_courses), page_size):
                client.get(
                    url,
                    params={"limit": page_size, "offset": offset},
                    headers={"Authorization": f"JWT {token}"},
                ).raise_for_status()
