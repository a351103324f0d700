"""The deterministic building blocks of the sandbox's data: a stable hash, a cheap seeded RNG,
uuids, dates and slugs. Nothing here depends on the process: the same seed, the same bytes."""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

_MASK = (1 << 64) - 1
# Availability is computed against a fixed date so the same seed always gives the same data.
REFERENCE_DATE = datetime(2026, 1, 15)


def mix(*parts: int) -> int:
    """A fast, stable 64-bit hash of integers (splitmix64 steps); no randomness from the process."""
    x = 0x9E3779B97F4A7C15
    for p in parts:
        x = ((x ^ (p & _MASK)) * 0xBF58476D1CE4E5B9) & _MASK
        x ^= x >> 31
        x = (x * 0x94D049BB133111EB) & _MASK
        x ^= x >> 29
    return x


class Rng(random.Random):
    """random.Random with cheaper randrange/choice/sample (one float draw each). Generation
    speed is what a page of a large catalog costs, and the stdlib versions dominate it."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]

    def sample(self, population: Any, k: int, *, counts: Any = None) -> list[Any]:
        """k consecutive items from a random start (wrapping): distinct, cheap, good enough."""
        n = len(population)
        first = int(self.random() * n) if n else 0
        return [population[(first + m) % n] for m in range(min(k, n))]


def make_uuid(h: int, tail: int | None = None) -> str:
    """A version-4-shaped uuid from a hash; `tail` (the last 12 hex digits) can carry an index."""
    t = (h >> 16) & 0xFFFFFFFFFFFF if tail is None else tail
    return (
        f"{h >> 32 & 0xFFFFFFFF:08x}-{h >> 16 & 0xFFFF:04x}-4{h >> 4 & 0xFFF:03x}-"
        f"{8 | (h & 3):x}{(h >> 40) & 0xFFF:03x}-{t & 0xFFFFFFFFFFFF:012x}"
    )


# Dates are naive UTC internally: isoformat() is several times faster than strftime().
def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat(timespec="seconds") + "Z"


def iso_micro(dt: datetime) -> str:
    return dt.isoformat(timespec="microseconds") + "Z"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "course"
