"""The sandbox: an edX deployment on loopback (both layouts, faults on demand). See docs/sandbox.md."""

from edxtui.sandbox.config import (
    CLIENTS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SandboxClient,
    SandboxConfig,
)
from edxtui.sandbox.faults import Counters, Faults, Rule
from edxtui.sandbox.server import SandboxServer

__all__ = [
    "CLIENTS",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "Counters",
    "Faults",
    "Rule",
    "SandboxClient",
    "SandboxConfig",
    "SandboxServer",
]
