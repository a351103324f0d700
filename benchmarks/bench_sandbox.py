"""How fast the sandbox serves a page of a 10,000-course catalog.

Baseline, measured in the same run on the same server and the same keep-alive connection:
`GET /_sandbox/ping`, a constant JSON answer (what uvicorn + starlette + one round trip cost).
Figures: a default page (20 courses), limit=100 and limit=1000, each cold (courses never served
before: every request asks for a new slice) and warm (the same slice again, served from the
per-course JSON cache). The first 1,000 courses are built one by one; the rest ("bulk") are
pre-rendered templates filled in with each course's key, uuids and title, which is much cheaper. The question it answers: is the sandbox fast enough that a client
benchmark measures the client? A client parsing a 20-course page (~150 KB of JSON) spends
milliseconds on it, so a few ms per page from the sandbox is the bar.

    python benchmarks/bench_sandbox.py [--courses N] [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from _table import Row, median, print_table  # noqa: E402

from edxtui.sandbox import SandboxConfig, SandboxServer  # noqa: E402
from edxtui.sandbox.bulk import BULK_FROM  # noqa: E402

LARGE_CATALOG = 6


def timed(
    client: httpx.Client, url: str, params: dict[str, int] | None = None
) -> tuple[float, int]:
    start = time.perf_counter()
    r = client.get(url, params=params)
    elapsed = time.perf_counter() - start
    r.raise_for_status()
    return elapsed, len(r.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=10_000, help="large catalog size")
    parser.add_argument("--rounds", type=int, default=30, help="requests per figure")
    args = parser.parse_args()

    config = SandboxConfig(large_catalog_courses=args.courses)
    with SandboxServer(config) as sb, httpx.Client(verify=False, timeout=60) as client:
        token = client.post(
            sb.token_url(),
            data={"grant_type": "client_credentials", "client_id": sb.client_id,
                  "client_secret": sb.client_secret, "token_type": "jwt"},
        ).json()["access_token"]  # fmt: skip
        client.headers["Authorization"] = f"JWT {token}"
        ping = sb.base_url + "/_sandbox/ping"
        courses = sb.api_root() + f"catalogs/{LARGE_CATALOG}/courses/"

        for _ in range(5):  # warm the connection and the code paths
            timed(client, ping)
        base = median([timed(client, ping)[0] for _ in range(args.rounds * 3)])
        rows = [Row("GET /_sandbox/ping (constant JSON)", f"{base * 1000:.2f} ms", "—", "1.0x")]

        def row(label: str, samples: list[float], size: float) -> Row:
            m = median(samples)
            return Row(
                f"{label} ({size / 1024:,.0f} KB)",
                f"{m * 1000:.1f} ms ({1 / m:,.0f} req/s)",
                f"{base * 1000:.2f} ms",
                f"{m / base:.1f}x",
            )

        # The first 1,000 courses are built one by one; later ones are filled-in templates.
        built = [timed(client, courses, {"limit": 20, "offset": o}) for o in range(0, 600, 20)]
        rows.append(row("page of 20, first 1,000 (built), cold", [t for t, _ in built],
                        median([n for _, n in built])))  # fmt: skip
        next_offset = BULK_FROM  # cold slices never overlap: every course is new to the server
        for limit in (20, 100, 1000):
            rounds = max(3, args.rounds // (limit // 20))
            cold = []
            for _ in range(rounds):
                if next_offset + limit > args.courses:
                    break
                cold.append(timed(client, courses, {"limit": limit, "offset": next_offset}))
                next_offset += limit
            warm = [
                timed(client, courses, {"limit": limit, "offset": BULK_FROM}) for _ in range(rounds)
            ]
            if cold:
                rows.append(row(f"page of {limit}, bulk, cold", [t for t, _ in cold],
                                median([n for _, n in cold])))  # fmt: skip
            rows.append(row(f"page of {limit}, warm (cached)", [t for t, _ in warm], warm[0][1]))
    print_table(
        f"Sandbox: serving pages of a {args.courses:,}-course catalog (median of runs, "
        "one keep-alive connection, client and server in one process)",
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
