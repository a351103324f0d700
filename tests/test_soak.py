"""The short soak: ten seconds of concurrent reads through one Session with 3-second tokens.

The full soak is `python benchmarks/soak.py` (minutes; figures in docs/reliability.md). This
version asserts counts only, read from the sandbox's own counters: no read failed, no request
arrived with an expired token (nor drew a 401), and tokens were renewed about as often as the
refresh margin says, never more than once per renewal period plus the first fetch.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

from edxtui.api.tokens import refresh_margin

_SPEC = importlib.util.spec_from_file_location(
    "soak", Path(__file__).resolve().parents[1] / "benchmarks" / "soak.py"
)
soak_module = importlib.util.module_from_spec(_SPEC)
sys.modules["soak"] = soak_module  # dataclasses look their module up there
_SPEC.loader.exec_module(soak_module)

LIFETIME = 3
DURATION = 10.0


@pytest.mark.slow
async def test_short_soak_never_sends_an_expired_token(make_sandbox):
    server = make_sandbox(expires_in=LIFETIME, large_catalog_courses=1000)
    sandbox = soak_module.Sandbox(server.base_url, LIFETIME)
    result = await soak_module.soak(sandbox, duration=DURATION, concurrency=6)

    assert result.reads > 0 and result.api_requests == result.reads
    assert result.failed_reads == 0, result.failures
    assert result.expired_token_requests == 0
    assert result.invalid_token_requests == 0 and result.unauthorized == 0
    # Renewals: at least one per lifetime (else a token would have expired in use), at most
    # one per (lifetime - margin) period plus the first fetch.
    period = LIFETIME - refresh_margin(LIFETIME)
    assert math.floor(result.duration / LIFETIME) <= result.token_requests
    assert result.token_requests <= math.ceil(result.duration / period) + 1
    assert len(result.samples) >= 2  # memory was sampled (start and end at least)
