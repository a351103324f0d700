"""The switches for how real deployments differ (API.md, "Where real deployments differ").

They are fault settings like any other (`--fault NAME=VALUE`, `POST /_sandbox/faults`,
`faults.update(...)`), all off by default; Faults calls `parse_setting` and `reset_settings`.
Kept apart from deployment.py (the behaviour) so faults.py need not import starlette.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Switches:
    """The switches' values (Faults.switches). Off by default: the tidy picture unless asked."""

    http_links: bool = False  # next/previous say http:// (a TLS proxy without X-Forwarded-Proto)
    real_404s: bool = False  # "No Catalog matches the given query."; HTML 404 on a failed pattern
    rate: str | None = None  # "200/hour": DRF's per-user SimpleRateThrottle
    cold_pages: float = 0.0  # seconds before the first byte of a list page not yet cached
    search: bool = False  # q=, keys=, uuids=, ordering= and search/ (search.py)
    slash_keys: bool = False  # catalog 7 of old-style MITx/6.002x/2012_Fall runs (legacy.py)
    gateway: bool = False  # /catalog/v1/ behaves like api.edx.org's API Gateway (gateway.py)
    gateway_drops_query: bool = False  # ...which does not forward the query string
    ascii_json: bool = False  # JSON with non-ASCII as \uXXXX, as Python's json.dumps writes it
    epoch: int = field(default=0, compare=False)  # bumped on reset: budget and cache forget


DEFAULTS = tuple(f.name for f in fields(Switches) if f.name != "epoch")
_BOOLS = (
    "http_links",
    "real_404s",
    "search",
    "slash_keys",
    "gateway",
    "gateway_drops_query",
    "ascii_json",
)
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}  # DRF's parse_rate: the period's 1st letter


def parse_rate(rate: str) -> tuple[int, int]:
    """DRF SimpleRateThrottle.parse_rate: "200/hour" -> (200, 3600)."""
    num, _, period = rate.partition("/")
    try:
        count, duration = int(num), _PERIODS[period.strip()[:1].lower()]
    except (ValueError, KeyError):
        raise ValueError(f"rate must look like 200/hour (s, m, h or d), not {rate!r}") from None
    if count < 1:
        raise ValueError("rate must allow at least 1 request")
    return count, duration


def parse_setting(name: str, value: Any) -> Any:
    """The checked value of one of DEFAULTS' settings (ValueError on a bad one)."""
    if name in _BOOLS:
        if isinstance(value, str) and value.lower() in ("", "1", "true", "on", "yes"):
            return True
        if isinstance(value, str) and value.lower() in ("0", "false", "off", "no"):
            return False
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    if name == "rate":
        if value in (None, "", "off", "none"):
            return None
        parse_rate(str(value))
        return str(value)
    if name == "cold_pages":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"cold_pages must be a number of seconds, not {value!r}") from None
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("cold_pages must be >= 0")
        return seconds
    raise KeyError(name)


def fresh(previous: Switches | None) -> Switches:
    """Every switch back to its default, in a new epoch."""
    return Switches(epoch=0 if previous is None else previous.epoch + 1)


def snapshot(current: Switches) -> dict[str, Any]:
    out = asdict(current)
    del out["epoch"]
    return out
