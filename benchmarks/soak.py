"""A bounded soak: steady concurrent reads through one Session while short-lived tokens expire.

The sandbox runs as its own process (`python -m edxtui.sandbox`, so this process's memory is
the client's alone) with a short token lifetime (3 s by default). One Session (the TUI's
arrangement: background refresh on) serves `--concurrency` reader tasks that GET
catalog pages, catalog details and course lists back to back for `--duration` seconds, then
everything stops by itself. Reported, from the sandbox's own counters and this process:

- reads done and failed (expected: 0 failed),
- requests the server saw with an expired token (expected: 0) or a 401 at all,
- token requests, against duration/lifetime (about one per lifetime; the refresh margin
  min(60 s, lifetime/2) makes a 3 s token renew every ~1.5 s, so the design figure is
  duration / (lifetime - margin)),
- memory: RSS (and with --tracemalloc the Python heap, which slows the client down) sampled
  every second; the end is compared with the sample taken once the exchange log is full
  (it keeps the last 1,000 exchanges by design).

    python benchmarks/soak.py [--duration 180] [--concurrency 8] [--lifetime 3] [--json]

tests/test_soak.py runs a short version in-process (server in a thread) and asserts the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import re
import subprocess
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from edxtui.api import Credentials, EdxError, Session  # noqa: E402
from edxtui.api import catalog as paths  # noqa: E402
from edxtui.api.tokens import refresh_margin  # noqa: E402
from edxtui.sandbox.catalogs import CATALOG_ALL, CATALOG_CS, CATALOG_LANG  # noqa: E402
from edxtui.sandbox.wire import (  # noqa: E402
    API_ROOTS,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    TOKEN_PATHS,
)

READS = [
    (paths.catalogs(), None),
    (paths.catalog(CATALOG_ALL), None),
    (paths.catalog_courses(CATALOG_ALL), {"limit": 5}),
    (paths.catalog_courses(CATALOG_CS), {"limit": 5, "offset": 10}),
    (paths.catalog_courses(CATALOG_LANG), {"page": 2, "page_size": 5}),
    (paths.courses(), {"limit": 3}),
    (paths.organizations(), None),
]


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; 0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Sample:
    t: float
    rss: int
    traced: int
    reads: int


@dataclass
class SoakResult:
    duration: float
    concurrency: int
    lifetime: float
    reads: int = 0
    failed_reads: int = 0
    failures: list[str] = field(default_factory=list)
    token_requests: int = 0
    expired_token_requests: int = 0
    invalid_token_requests: int = 0
    unauthorized: int = 0
    api_requests: int = 0
    samples: list[Sample] = field(default_factory=list)

    @property
    def per_lifetime(self) -> float:
        """Token requests per token lifetime of wall time (1.0 = one per lifetime)."""
        return self.token_requests / (self.duration / self.lifetime)

    @property
    def design_per_lifetime(self) -> float:
        """What the refresh margin predicts: a renewal every (lifetime - margin)."""
        return self.lifetime / (self.lifetime - refresh_margin(self.lifetime))

    def memory(self) -> dict[str, float]:
        """Start-of-steady-state vs end, in MiB (steady: after the exchange log filled)."""
        steady = next((s for s in self.samples if s.reads >= 1000), self.samples[0])
        end = self.samples[-1]
        mib = 1024 * 1024
        return {
            "rss_steady_mib": steady.rss / mib,
            "rss_end_mib": end.rss / mib,
            "rss_growth_mib": (end.rss - steady.rss) / mib,
            "traced_steady_mib": steady.traced / mib,
            "traced_end_mib": end.traced / mib,
            "traced_growth_mib": (end.traced - steady.traced) / mib,
            "steady_from_s": steady.t,
        }

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("samples")
        out["per_lifetime"] = round(self.per_lifetime, 3)
        out["design_per_lifetime"] = round(self.design_per_lifetime, 3)
        out["memory"] = {k: round(v, 2) for k, v in self.memory().items()}
        out["samples"] = len(self.samples)
        return out


class Sandbox:
    """What the soak needs of a sandbox: its credentials and its counters (over HTTP, so the
    server can be a thread of this process or a process of its own)."""

    def __init__(self, base_url: str, lifetime: float) -> None:
        self.base_url = base_url
        self.lifetime = lifetime

    def credentials(self) -> Credentials:
        return Credentials(
            token_url=self.base_url + TOKEN_PATHS["openedx"],
            api_root=self.base_url + API_ROOTS["openedx"],
            client_id=SANDBOX_CLIENT_ID,
            client_secret=SANDBOX_CLIENT_SECRET,
        )

    def reset(self) -> None:
        httpx.post(self.base_url + "/_sandbox/reset").raise_for_status()

    def counters(self) -> dict[str, Any]:
        response = httpx.get(self.base_url + "/_sandbox/counters")
        response.raise_for_status()
        return response.json()


async def soak(
    sandbox: Sandbox,
    *,
    duration: float,
    concurrency: int,
    background: bool = True,
    trace: bool = False,
    sample_every: float = 1.0,
) -> SoakResult:
    """Read through one Session for `duration` seconds; the server's counters are reset first."""
    result = SoakResult(duration=duration, concurrency=concurrency, lifetime=sandbox.lifetime)
    sandbox.reset()
    stop = asyncio.Event()
    rng = random.Random(7)
    if trace:
        tracemalloc.start()

    async with Session(sandbox.credentials()) as session:
        if background:
            session.tokens.start_background()

        async def reader() -> None:
            while not stop.is_set():
                path, params = rng.choice(READS)
                try:
                    await session.get_json(path, params)
                    result.reads += 1
                except EdxError as err:  # counted, never fatal: the soak goes on
                    result.failed_reads += 1
                    if len(result.failures) < 20:
                        result.failures.append(err.message)

        def sample(t: float) -> None:
            gc.collect()
            traced = tracemalloc.get_traced_memory()[0] if trace else 0
            result.samples.append(Sample(t, rss_bytes(), traced, result.reads))

        start = time.monotonic()
        tasks = [asyncio.create_task(reader()) for _ in range(concurrency)]
        sample(0.0)
        while (elapsed := time.monotonic() - start) < duration:
            await asyncio.sleep(min(sample_every, duration - elapsed))
            sample(time.monotonic() - start)
        stop.set()
        await asyncio.gather(*tasks)
        result.duration = time.monotonic() - start

    if trace:
        tracemalloc.stop()
    counters = await asyncio.to_thread(sandbox.counters)
    for name in (
        "token_requests",
        "expired_token_requests",
        "invalid_token_requests",
        "unauthorized",
        "api_requests",
    ):
        setattr(result, name, counters[name])
    return result


def report(result: SoakResult) -> str:
    mem = result.memory()
    lines = [
        f"## Soak: {result.duration:.0f} s, {result.concurrency} concurrent readers, "
        f"{result.lifetime:g} s tokens, one Session",
        "",
        "| what | figure | expected |",
        "|---|---|---|",
        f"| reads | {result.reads:,} ({result.reads / result.duration:,.0f}/s) | — |",
        f"| failed reads | {result.failed_reads} | 0 |",
        f"| requests with an expired token (server) | {result.expired_token_requests} | 0 |",
        f"| 401 answers (server) | {result.unauthorized} | 0 |",
        f"| token requests | {result.token_requests} "
        f"({result.per_lifetime:.2f} per lifetime) | "
        f"~{result.design_per_lifetime:.2f} per lifetime (renewal at lifetime - margin) |",
        f"| RSS, steady (t={mem['steady_from_s']:.0f} s) -> end | "
        f"{mem['rss_steady_mib']:.1f} -> {mem['rss_end_mib']:.1f} MiB "
        f"({mem['rss_growth_mib']:+.1f}) | flat |",
    ]
    if mem["traced_end_mib"]:
        lines.append(
            f"| Python heap (tracemalloc), steady -> end | "
            f"{mem['traced_steady_mib']:.1f} -> {mem['traced_end_mib']:.1f} MiB "
            f"({mem['traced_growth_mib']:+.2f}) | flat |"
        )
    if len(result.samples) > 2:
        rss = [f"{s.rss / 2**20:.0f}" for s in result.samples[:: max(1, len(result.samples) // 12)]]
        lines += ["", f"RSS over time (MiB): {' '.join(rss)}"]
    if result.failures:
        lines += ["", "failures (first 20):", *(f"- {f}" for f in result.failures)]
    return "\n".join(lines)


class SandboxProcess:
    """`python -m edxtui.sandbox` on a free port, stopped on exit."""

    def __init__(self, lifetime: int) -> None:
        self.lifetime = lifetime

    def __enter__(self) -> Sandbox:
        command = [sys.executable, "-m", "edxtui.sandbox", "--port", "0", "--quiet",
                   "--expires-in", str(self.lifetime), "--large-catalog-courses", "1000"]  # fmt: skip
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            match = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
            if match:
                return Sandbox(match.group(1), self.lifetime)
        raise RuntimeError("the sandbox process did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds (default 180)")
    parser.add_argument("--concurrency", type=int, default=8, help="reader tasks (default 8)")
    parser.add_argument("--lifetime", type=int, default=3, help="token lifetime s (default 3)")
    parser.add_argument("--no-background", action="store_true", help="no background refresh")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    with SandboxProcess(args.lifetime) as sandbox:
        result = asyncio.run(
            soak(
                sandbox,
                duration=args.duration,
                concurrency=args.concurrency,
                background=not args.no_background,
                trace=args.tracemalloc,
            )
        )
    print(report(result))
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    ok = result.failed_reads == 0 and result.expired_token_requests == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
