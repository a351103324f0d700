"""Sandbox fixtures: a real server on a free loopback port, real HTTP, no mocks.

- `sandbox_server` (session): one default server for the whole run.
- `sandbox` (function): that same server with faults and counters reset before and after the test.
- `make_sandbox` (function): a factory for a server with its own SandboxConfig (or keyword
  settings); every server it made is stopped at teardown.
- `big_https_sandbox` (session): a TLS sandbox whose "All courses" catalog holds
  HTTPS_COURSES (26 pages), for the real-deployment tests of the CLI and the TUI alike.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from edxtui.sandbox import SandboxConfig, SandboxServer

__all__ = ["big_https_sandbox", "make_sandbox", "sandbox", "sandbox_server"]

HTTPS_COURSES = 2600  # the "All courses" catalog of the https sandbox: 26 pages of 100

# One plain-HTTP client for the sandbox tests: an httpx.Client per call costs ~30 ms of TLS set-up
# that loopback http never uses. Import it explicitly: `from sandbox_fixtures import http`.
http = httpx.Client(verify=False, timeout=10)
atexit.register(http.close)


def sandbox_token(server: SandboxServer, layout: str = "openedx", **form: str) -> str:
    """A fresh JWT from the server's token endpoint (plain httpx, no edxtui client code).
    Import it explicitly: `from sandbox_fixtures import sandbox_token`."""
    data = {
        "grant_type": "client_credentials",
        "client_id": server.client_id,
        "client_secret": server.client_secret,
        "token_type": "jwt",
        **form,
    }
    response = http.post(server.token_url(layout), data=data)
    response.raise_for_status()
    return response.json()["access_token"]


def sentinel_sandbox(
    make_sandbox: Callable[..., SandboxServer],
    monkeypatch: pytest.MonkeyPatch,
    client_id: str,
    secret: str,
    **settings: Any,
) -> SandboxServer:
    """A sandbox that knows one more client (`client_id`, `secret`: a sentinel no output may
    contain) and records every token it issues in `.issued`, for the no-secret-anywhere
    tests. Import it explicitly: `from sandbox_fixtures import sentinel_sandbox`."""
    from edxtui.sandbox.config import CLIENTS, SandboxClient

    monkeypatch.setitem(
        CLIENTS, client_id, SandboxClient(client_id, secret, "edxtui_sandbox_worker")
    )
    server = make_sandbox(**settings)
    issued: list[str] = []
    real_issue = server.app.authority.issue

    def issue(*args: Any, **kwargs: Any) -> str:
        token = real_issue(*args, **kwargs)
        issued.append(token)
        return token

    monkeypatch.setattr(server.app.authority, "issue", issue)
    server.issued = issued  # type: ignore[attr-defined]
    return server


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig()) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., SandboxServer]]:
    servers: list[SandboxServer] = []

    def factory(config: SandboxConfig | None = None, **settings: Any) -> SandboxServer:
        server = SandboxServer(config, **settings).start()
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def big_https_sandbox() -> Iterator[SandboxServer]:
    pytest.importorskip("cryptography")
    with SandboxServer(SandboxConfig(https=True, courses=HTTPS_COURSES)) as server:
        yield server
