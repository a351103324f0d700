"""The control API (`/_sandbox/...`): tests and the CLI switch faults and read counters over
HTTP. No auth: the sandbox only listens on loopback."""

from __future__ import annotations

import asyncio
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from edxtui.sandbox.faults import RESET_IDLE_TIMEOUT, Counters, Faults
from edxtui.sandbox.responses import json_response


def routes(faults: Faults, counters: Counters) -> list[Route]:
    async def control_faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = await request.json()
                if not isinstance(changes, dict):
                    raise ValueError("send a JSON object of fault names to values")
                faults.update(**changes)
            except ValueError as exc:  # includes JSONDecodeError
                return json_response({"error": str(exc)}, 400)
        return json_response(faults.snapshot())

    async def control_counters(request: Request) -> Response:
        return json_response(counters.snapshot())

    async def control_reset(request: Request) -> Response:
        faults.reset()
        # Let the requests still being served finish first (see SandboxServer.reset).
        deadline = time.monotonic() + RESET_IDLE_TIMEOUT
        while not counters.idle() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        counters.reset()
        return json_response({"faults": faults.snapshot(), "counters": counters.snapshot()})

    async def control_revoke(request: Request) -> Response:
        faults.revoke_tokens()
        return json_response(faults.snapshot())

    async def control_ping(request: Request) -> Response:
        """A constant answer: the benchmark's baseline for 'how fast can this server answer'."""
        return json_response({"ok": True})

    return [
        Route("/_sandbox/faults", control_faults, methods=["GET", "POST"]),
        Route("/_sandbox/counters", control_counters, methods=["GET"]),
        Route("/_sandbox/reset", control_reset, methods=["POST"]),
        Route("/_sandbox/revoke", control_revoke, methods=["POST"]),
        Route("/_sandbox/ping", control_ping, methods=["GET"]),
    ]
