"""Long work on the event loop in short steps, so input and painting never wait for it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

STEP_SECONDS = 0.01  # longest the work holds the event loop at a time
PROGRESS_SECONDS = 0.5  # how often it reports progress (a repaint costs a step)


async def run_in_steps(
    step: Callable[[], bool], *, wanted: Callable[[], bool], progress: Callable[[], None]
) -> bool:
    """Call `step` (True when the work is finished) until the work is done.

    Between bursts of at most STEP_SECONDS it yields to the loop; `progress` runs about
    every PROGRESS_SECONDS. Returns False, early, once `wanted()` is False (e.g. the body
    was replaced), True when the work is finished.
    """
    shown_at = time.perf_counter()
    while True:
        deadline = time.perf_counter() + STEP_SECONDS
        finished = False
        while not finished and time.perf_counter() < deadline:
            finished = step()
        if not wanted():
            return False
        if finished:
            return True
        if time.perf_counter() - shown_at > PROGRESS_SECONDS:
            shown_at = time.perf_counter()
            progress()
        await asyncio.sleep(0.001)  # a timer, so waiting input and timers run first
