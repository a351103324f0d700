"""100 concurrent requests on an expired token: how many token POSTs, and what they cost.

Two ways a token is expired, both against the real sandbox (its counters count the POSTs):

- the client knows: its clock says the token is past expiry (the wall clock handed to the
  Session is moved past it), so every request waits for the one refresh;
- only the server knows: the sandbox's clock is moved past the token's exp, so all 100
  requests go out with the old token, get 401, and retry with the one new token.

Target: exactly 1 token POST either way. For scale, the 100 requests are also timed against
the same 100 requests on a live token, in the same run.

    python benchmarks/bench_tokens.py [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from _table import Row, median, print_table  # noqa: E402

from edxtui.api.session import Session  # noqa: E402
from edxtui.sandbox import SandboxConfig, SandboxServer  # noqa: E402

REQUESTS = 100


async def burst(session: Session) -> float:
    start = time.perf_counter()
    await asyncio.gather(*(session.get("catalogs/") for _ in range(REQUESTS)))
    return time.perf_counter() - start


async def scenario(server: SandboxServer, who_knows: str) -> tuple[int, int, float, float]:
    """(token POSTs, 401s, seconds for 100 on the expired token, seconds on a live one)."""
    shift = [0.0]
    session = Session(server.credentials(), clock=lambda: time.time() + shift[0])
    async with session:
        await session.tokens.get_token()
        await burst(session)  # opens the pool's connections, so both bursts find them open
        live = await burst(session)  # a live token: the baseline
        server.reset()
        if who_knows == "client":
            shift[0] = server.config.expires_in + 1.0  # our clock: past expiry
        else:
            server.faults.update(clock_skew=server.config.expires_in + 1.0)  # theirs
        expired = await burst(session)
        counters = server.counters.snapshot()
        server.reset()
    return counters["token_requests"], counters["unauthorized"], expired, live


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1 run")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    rows = []
    with SandboxServer(SandboxConfig()) as server:
        for who in ("client", "server"):
            posts, unauthorized, expired_t, live_t = [], [], [], []
            for _ in range(runs):
                p, u, e, live = asyncio.run(scenario(server, who))
                posts.append(p)
                unauthorized.append(u)
                expired_t.append(e)
                live_t.append(live)
            ok = all(p == 1 for p in posts)
            what = "client clock past expiry" if who == "client" else "server says expired (401)"
            rows.append(
                Row(
                    f"{REQUESTS} concurrent GETs, {what}: token POSTs",
                    f"{max(posts)} (every run: {sorted(set(posts))})",
                    "—",
                    "—",
                    "exactly 1",
                    "ok" if ok else "MISSED",
                )
            )
            rows.append(
                Row(
                    f"  … 401s from the API / time for the {REQUESTS}",
                    f"{max(unauthorized)} / {median(expired_t) * 1000:.0f} ms",
                    f"{median(live_t) * 1000:.0f} ms (live token)",
                    f"{median(expired_t) / median(live_t):.2f}×",
                )
            )
    note = "in-process sandbox; counts from its counters"
    print_table(f"Token single flight (median of {runs}; {note})", rows)


if __name__ == "__main__":
    main()
