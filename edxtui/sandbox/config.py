"""Sandbox settings and its known OAuth clients (fixed, documented, so curl examples work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edxtui.sandbox.wire import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET


@dataclass(frozen=True)
class SandboxClient:
    client_id: str
    client_secret: str = field(repr=False)
    username: str
    sees_catalogs: bool = True  # False: catalog list is empty, every catalog is 403
    restricted: bool = False  # a "restricted application": its tokens are born expired
    # ...unless issued as the LMS does today: a normal-looking JWT with is_restricted true,
    # signed with a key the API does not trust (oauth_dispatch/jwt.py), so it answers 401.
    restricted_jwt: bool = False


CLIENTS: dict[str, SandboxClient] = {
    c.client_id: c
    for c in (
        SandboxClient(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, "edxtui_sandbox_worker"),
        # Valid tokens, but no catalog permissions (the API.md "no access" rows).
        SandboxClient("edxtui-noaccess", "noaccess-secret", "noaccess_worker", sees_catalogs=False),
        # A restricted application: 200 with expires_in <= 0 (API.md token table).
        SandboxClient(
            "edxtui-restricted", "restricted-secret", "restricted_worker", restricted=True
        ),
        # The current restricted application: expires_in as configured, then 401 on the API.
        SandboxClient(
            "edxtui-restricted-jwt",
            "restricted-jwt-secret",
            "restricted_jwt_worker",
            restricted=True,
            restricted_jwt=True,
        ),
    )
}

#: rendered courses the sandbox keeps for later pages by default: ~9 KB each, ~140 MB at most
CACHED_COURSES = 16_384


@dataclass
class SandboxConfig:
    """What to serve. Sizes are cheap: courses are generated on demand from (seed, index)."""

    seed: int = 0
    courses: int = 300  # the regular catalog ("All courses") and friends
    large_catalog_courses: int = 10_000  # one big catalog, for benchmarks and scrolling
    cached_courses: int = CACHED_COURSES  # rendered courses kept for later pages
    expires_in: int = 3600  # token lifetime the token endpoint reports (and signs into exp)
    faults: dict[str, Any] = field(default_factory=dict)  # initial fault settings (faults.py)
    host: str = "127.0.0.1"  # loopback only; the server refuses anything else
    port: int = 0  # 0: a free port chosen by the OS
    log_level: str = "warning"  # uvicorn's; "info" prints one line per request
    # Also serve TLS on a second port, with a CA and certificate generated at start (tls.py,
    # needs the `cryptography` package): the https side of a TLS-terminating proxy.
    https: bool = False

    def __post_init__(self) -> None:
        if self.courses < 0 or self.large_catalog_courses < 0 or self.cached_courses < 0:
            raise ValueError("course counts must be >= 0")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0-65535 (0 = any free port), not {self.port}")
