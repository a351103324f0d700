"""Run the sandbox: in a background thread on a free loopback port, or in the foreground.

The socket is bound here (port 0 -> the OS picks a free one) before uvicorn starts, so the port
is known at once and two servers never race for one. Stopping asks uvicorn to exit and joins
its thread; nothing outlives `stop()`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

import uvicorn
import uvicorn.config

from edxtui.api.credentials import Credentials
from edxtui.sandbox.app import SandboxApp
from edxtui.sandbox.config import SandboxConfig
from edxtui.sandbox.faults import RESET_IDLE_TIMEOUT, Counters, Faults
from edxtui.sandbox.wire import (
    API_ROOTS,
    LAYOUTS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    TOKEN_PATHS,
)

if TYPE_CHECKING:
    from edxtui.sandbox.tls import Certificates


class _QuietFaults(logging.Filter):
    """uvicorn complains when a response is cut short on purpose; those lines are not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


_QUIET = _QuietFaults()
_NULL = logging.NullHandler()


def _bind(host: str, port: int) -> socket.socket:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the sandbox only listens on loopback, not {host}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP, and
    # without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn.Server that tells another thread when it is ready (or failed to start)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


class SandboxServer:
    """The sandbox on 127.0.0.1:<free port>. Use as a context manager, or start()/stop()."""

    def __init__(self, config: SandboxConfig | None = None, **overrides: Any) -> None:
        if config is None:
            config = SandboxConfig(**overrides)
        elif overrides:
            raise TypeError("pass either a SandboxConfig or keyword settings, not both")
        self.config = config
        self.app = SandboxApp(config)
        self._sock: socket.socket | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # The https mode's second listener (config.https): its own uvicorn, the same app.
        self._tls_sock: socket.socket | None = None
        self._tls_server: _Server | None = None
        self._tls_thread: threading.Thread | None = None
        self._certs: Certificates | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def _uvicorn(self, *, foreground: bool = False, tls: bool = False) -> _Server:
        logging.getLogger("uvicorn.error").addFilter(_QUIET)
        if not foreground:
            # Embedded (tests, the TUI): never print to the terminal; records still reach the
            # root logger if the host program configured one.
            logging.getLogger("uvicorn").addHandler(_NULL)
        cfg = uvicorn.Config(
            self.app,
            log_config=uvicorn.config.LOGGING_CONFIG if foreground else None,
            log_level=self.config.log_level,
            access_log=foreground and self.config.log_level in ("info", "debug", "trace"),
            lifespan="off",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,  # idle keep-alive connections; nginx keeps them 75 s
            ssl_certfile=str(self._certs.cert_file) if tls and self._certs else None,
            ssl_keyfile=str(self._certs.key_file) if tls and self._certs else None,
        )
        return _Server(cfg)

    def start(self) -> SandboxServer:
        if self._thread is not None:
            return self
        self.bind()
        self._server = self._uvicorn()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name=f"edxtui-sandbox:{self.port}",
            daemon=True,
        )  # fmt: skip
        self._thread.start()
        self._server.ready.wait(timeout=10)
        if not self._server.started:
            self.stop()
            raise RuntimeError("the sandbox server did not start")
        if self.config.https:
            self.start_https()
        return self

    def start_https(self) -> None:
        """The https listener (config.https), in its own thread; the plain http one keeps
        working. start() and serve_forever() call it; call it first to know ca_file sooner."""
        if self._tls_sock is not None:
            return
        from edxtui.sandbox import tls  # only here: `edxtui --sandbox` never loads cryptography

        self._certs = tls.generate()
        self._tls_sock = _bind(self.config.host, 0)
        self._tls_server = self._uvicorn(tls=True)
        self._tls_thread = threading.Thread(
            target=self._tls_server.run, kwargs={"sockets": [self._tls_sock]},
            name=f"edxtui-sandbox-tls:{self.https_port}", daemon=True,
        )  # fmt: skip
        self._tls_thread.start()
        self._tls_server.ready.wait(timeout=10)
        if not self._tls_server.started:
            self.stop()
            raise RuntimeError("the sandbox's https listener did not start")

    def stop(self) -> None:
        self._stop_tls()
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=5)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def _stop_tls(self) -> None:
        if self._tls_server is not None:
            self._tls_server.should_exit = True
        if self._tls_thread is not None:
            self._tls_thread.join(timeout=5)
        if self._tls_sock is not None:
            self._tls_sock.close()
        if self._certs is not None:
            self._certs.remove()
        self._tls_server = self._tls_thread = self._tls_sock = self._certs = None

    def bind(self) -> SandboxServer:
        """Claim the port now (so `base_url` is known) without serving yet."""
        if self._sock is None:
            self._sock = _bind(self.config.host, self.config.port)
        return self

    def adopt(self, sock: socket.socket) -> SandboxServer:
        """Serve on a socket that is already bound and listening (handed over by a parent)."""
        if self._sock is not None:
            raise RuntimeError("the sandbox already has a socket")
        self._sock = sock
        return self

    def request_exit(self) -> None:
        """Ask a serving uvicorn to shut down gracefully (safe from any thread)."""
        if self._server is not None:
            self._server.should_exit = True

    def serve_forever(self) -> None:
        """Run in this thread until Ctrl-C / SIGTERM (uvicorn handles the signals; after a
        Ctrl-C it re-raises KeyboardInterrupt once it has shut down cleanly)."""
        self.bind()
        assert self._sock is not None
        if self.config.https:
            self.start_https()
        self._server = self._uvicorn(foreground=True)
        try:
            self._server.run(sockets=[self._sock])
        finally:
            self._stop_tls()
            self._sock.close()
            self._sock = self._server = None

    async def serve_async(self, started: asyncio.Event | None = None) -> None:
        """Serve inside the running event loop until cancelled (for asyncio-only callers).
        Cancelling this shuts uvicorn down gracefully rather than cancelling it mid-flight."""
        self.bind()
        assert self._sock is not None
        server = self._server = self._uvicorn()
        serving = asyncio.create_task(server.serve(sockets=[self._sock]))
        try:
            while not server.started and not serving.done():
                await asyncio.sleep(0.01)
            if started is not None and server.started:
                started.set()
            await asyncio.shield(serving)
        finally:
            server.should_exit = True
            await asyncio.gather(serving, return_exceptions=True)
            if self._sock is not None:
                self._sock.close()
            self._sock = self._server = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- where things are ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("the sandbox is not running")
        return self._sock.getsockname()[1]

    @property
    def base_url(self) -> str:
        host = self.config.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def https_port(self) -> int:
        if self._tls_sock is None:
            raise RuntimeError("the sandbox is not serving https (SandboxConfig(https=True))")
        return self._tls_sock.getsockname()[1]

    @property
    def https_url(self) -> str:
        """The https origin (config.https): the same app as base_url, behind TLS."""
        host = self.config.host
        port = self.https_port
        return f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}"

    @property
    def ca_file(self) -> str:
        """The PEM file of the CA that signed the https certificate (for SSL_CERT_FILE)."""
        if self._certs is None:
            raise RuntimeError("the sandbox is not serving https (SandboxConfig(https=True))")
        return str(self._certs.ca_file)

    def token_url(self, layout: str = "openedx", *, https: bool = False) -> str:
        return (self.https_url if https else self.base_url) + TOKEN_PATHS[_check(layout)]

    def api_root(self, layout: str = "openedx", *, https: bool = False) -> str:
        return (self.https_url if https else self.base_url) + API_ROOTS[_check(layout)]

    @property
    def client_id(self) -> str:
        return SANDBOX_CLIENT_ID

    @property
    def client_secret(self) -> str:
        return SANDBOX_CLIENT_SECRET

    def credentials(
        self,
        layout: str = "openedx",
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        https: bool = False,
    ) -> Credentials:
        return Credentials(
            token_url=self.token_url(layout, https=https),
            api_root=self.api_root(layout, https=https),
            client_id=client_id or self.client_id,
            client_secret=client_secret or self.client_secret,
        )

    @property
    def faults(self) -> Faults:
        return self.app.faults

    @property
    def counters(self) -> Counters:
        return self.app.counters

    def reset(self) -> None:
        """No faults, nothing in flight, zeroed counters (revoked tokens stay revoked).

        The wait matters: a request its client gave up on (a timeout) is still being served,
        and once the reset cuts its latency short it would go on to take whatever one-shot
        fault the next user of this server sets, and be counted as theirs."""
        self.app.faults.reset()
        if not self.app.counters.wait_until(Counters.idle, timeout=RESET_IDLE_TIMEOUT):
            snapshot = self.app.counters.snapshot()
            raise RuntimeError(
                "the sandbox is still serving requests after a reset "
                f"(api {snapshot['in_flight']}, token {snapshot['token_in_flight']})"
            )
        self.app.counters.reset()

    def prewarm(self, courses: int | None = None) -> int:
        """Build and render courses now (all of the large catalog, as many as the config's
        cached_courses) so that later pages are served from cache: for client benchmarks.
        Safe while serving."""
        return self.app.data.prewarm(courses)

    def revoke_tokens(self) -> None:
        self.app.faults.revoke_tokens()

    def __repr__(self) -> str:
        where = self.base_url if self._sock is not None else "stopped"
        return f"SandboxServer({where})"


def _check(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    return layout
