"""The sandbox: an edX deployment on loopback (both layouts, faults on demand). See docs/sandbox.md.

Names are imported on first use (PEP 562), so `edxtui.sandbox.process` and
`edxtui.sandbox.wire` load without starlette and uvicorn: `edxtui --sandbox` starts the
server in a child process and must not pay for those imports itself.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "CLIENTS": "config",
    "SANDBOX_CLIENT_ID": "wire",
    "SANDBOX_CLIENT_SECRET": "wire",
    "SandboxClient": "config",
    "SandboxConfig": "config",
    "Counters": "faults",
    "Faults": "faults",
    "Rule": "faults",
    "SandboxServer": "server",
    "SandboxProcess": "process",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'edxtui.sandbox' has no attribute {name!r}")
    return getattr(importlib.import_module(f"edxtui.sandbox.{module}"), name)
