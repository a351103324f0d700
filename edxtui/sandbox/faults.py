"""Fault switches and counters, shared by the server thread and the test (or CLI) thread.

Faults are plain settings (`expires_in`, latencies, clock skew, how `expires_in` is written)
plus counted one-shot rules ("the next N api requests get a 503"). Every read-modify-write goes
through one lock because the app runs in uvicorn's thread while tests flip switches from theirs.
The same names work from Python (`faults.update(...)`), from JSON (`POST /_sandbox/faults`) and
from the CLI (`--fault name=value`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from edxtui.sandbox import switches

SCOPES = ("token", "api", "any")
EXPIRES_IN_FORMATS = ("int", "string", "float", "null", "missing")
TRUNCATE_MODES = ("short_body", "json")  # Content-Length larger than sent / complete but cut JSON


@dataclass
class Rule:
    """Apply a fault to the next `count` matching requests (count < 0: every request)."""

    count: int = 1
    scope: str = "api"
    status: int = 503  # for "errors"
    retry_after: int | None = None  # for "rate_limit": None means no Retry-After header
    mode: str = "short_body"  # for "truncate"
    after: int = 0  # let this many matching requests through first (a fault mid-way)

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}, not {self.scope!r}")
        if self.mode not in TRUNCATE_MODES:
            raise ValueError(f"mode must be one of {TRUNCATE_MODES}, not {self.mode!r}")
        if not 400 <= int(self.status) <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")

    def matches(self, scope: str) -> bool:
        return self.count != 0 and self.scope in ("any", scope)


# Counted rules, in the order they are checked; the first that matches a request wins.
RULES: tuple[str, ...] = ("drop", "errors", "rate_limit", "token_throttle", "truncate", "not_json")
RULES += ("csrf_failure", "waf_block")  # 403 HTML pages that are not django-ratelimit's
_RULE_DEFAULTS: dict[str, dict[str, Any]] = {
    "drop": {},
    "errors": {"status": 503},
    "rate_limit": {},
    "token_throttle": {"scope": "token"},
    "truncate": {},
    "not_json": {},
    "csrf_failure": {"scope": "token"},
    "waf_block": {"scope": "token"},
}
SETTINGS: tuple[str, ...] = (
    "expires_in",
    "expires_in_format",
    "token_latency",
    "api_latency",
    "clock_skew",
    "auth_status",
    "links_origin",
    "repeat_courses",
    "hold_token",
    "hold_api",
    "trickle",
    "bomb_mb",
    "endless_next",
    "server_time",
)
SETTINGS += switches.DEFAULTS  # how real deployments differ (switches.py)


class Faults:
    """The fault switches. Thread-safe; `snapshot()` is the JSON the control API serves."""

    def __init__(self, expires_in: int = 3600, **initial: Any) -> None:
        self._lock = threading.Lock()
        self._default_expires_in = expires_in
        self.token_generation = 0  # bumped by revoke_tokens(); part of the signing key
        self._reset_locked()
        if initial:
            self.update(**initial)

    def _reset_locked(self) -> None:
        self.expires_in: int = self._default_expires_in
        self.expires_in_format: str = "int"
        self.token_latency: float = 0.0
        self.api_latency: float = 0.0
        self.clock_skew: float = 0.0  # seconds added to the server's clock for iat/exp/expiry
        self.auth_status: int = 401  # 403: an older server, which refuses without a challenge
        self.links_origin: str | None = None  # e.g. "http://evil.example": foreign next/previous
        # A catalog's course pages after the first also repeat the previous page's last N
        # courses (a search index whose order shifts between requests): courses listed twice.
        self.repeat_courses: int = 0
        # Gates: requests wait (counted in Counters.held) until the gate opens again. Tests use
        # them to line up N concurrent requests deterministically, instead of guessing latencies.
        self.hold_token: bool = False
        self.hold_api: bool = False
        self.hold_after: int = 0  # a closed gate lets this many more requests through first
        # Hostile servers (hostile.py): an API body sent a byte every `trickle` seconds; a
        # gzip body that inflates to `bomb_mb` MiB; `next` links that never end; a frozen clock
        self.trickle: float = 0.0
        self.bomb_mb: int = 0
        self.endless_next: bool = False
        self.server_time: float | None = None  # the server's clock reads exactly this
        self.rules: dict[str, Rule] = {}
        self.switches = switches.fresh(getattr(self, "switches", None))

    def reset(self) -> None:
        """Back to no faults. Revoked tokens stay revoked (the generation only goes up)."""
        with self._lock:
            self._reset_locked()

    def update(self, **changes: Any) -> None:
        """Set settings and rules by name; a rule is a Rule, a dict of its fields, an int count,
        or None/0 to clear it. Raises ValueError on an unknown name or a bad value."""
        parsed: dict[str, Any] = {}
        for name, value in changes.items():
            if name in RULES:
                parsed[name] = _parse_rule(name, value)
            elif name == "expires_in":
                parsed[name] = _int(name, value)
            elif name == "expires_in_format":
                if value not in EXPIRES_IN_FORMATS:
                    raise ValueError(f"expires_in_format must be one of {EXPIRES_IN_FORMATS}")
                parsed[name] = value
            elif name == "bomb_mb":
                parsed[name] = _int(name, value)
                if parsed[name] < 0:
                    raise ValueError("bomb_mb must be >= 0")
            elif name == "server_time":
                parsed[name] = None if value is None else _float(name, value)
            elif name in ("hold_token", "hold_api", "endless_next"):
                if isinstance(value, str):  # from --fault: `endless_next` or `name=true`
                    value = {"": True, "true": True, "false": False}.get(value.lower(), value)
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
                parsed[name] = value
            elif name == "links_origin":
                if value is not None and not str(value).startswith(("http://", "https://")):
                    raise ValueError("links_origin must be an http(s) origin or null")
                parsed[name] = None if value is None else str(value).rstrip("/")
            elif name == "hold_after":
                parsed[name] = _int(name, value)
                if parsed[name] < 0:
                    raise ValueError("hold_after must be >= 0")
            elif name == "repeat_courses":
                parsed[name] = _int(name, value)
                if parsed[name] < 0:
                    raise ValueError("repeat_courses must be >= 0")
            elif name == "auth_status":
                parsed[name] = _int(name, value)
                if parsed[name] not in (401, 403):
                    raise ValueError("auth_status must be 401 or 403")
            elif name in ("token_latency", "api_latency", "clock_skew", "trickle"):
                parsed[name] = _float(name, value)
                if name != "clock_skew" and parsed[name] < 0:
                    raise ValueError(f"{name} must be >= 0")
            elif name == "revoke_tokens":
                parsed[name] = bool(value)
            elif name in switches.DEFAULTS:
                parsed[name] = switches.parse_setting(name, value)
            else:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(SETTINGS + RULES)}")
        with self._lock:
            for name, value in parsed.items():
                if name in RULES:
                    if value is None:
                        self.rules.pop(name, None)
                    else:
                        self.rules[name] = value
                elif name == "revoke_tokens":
                    self.token_generation += int(value)
                elif name in switches.DEFAULTS:
                    setattr(self.switches, name, value)
                else:
                    setattr(self, name, value)

    def passes_gate(self, name: str) -> bool:
        """Whether a request goes through the named gate now: it is open, or `hold_after`
        still lets requests through (each one that does uses one up)."""
        with self._lock:
            if not getattr(self, name):
                return True
            if self.hold_after > 0:
                self.hold_after -= 1
                return True
            return False

    def release(self) -> None:
        """Open both gates: held requests go on."""
        with self._lock:
            self.hold_token = self.hold_api = False

    def revoke_tokens(self) -> None:
        """Every token issued so far stops verifying (the signing key changes)."""
        with self._lock:
            self.token_generation += 1

    def take(self, scope: str) -> tuple[str, Rule] | None:
        """The rule that applies to this request, if any, consuming one of its count."""
        with self._lock:
            for name in RULES:
                rule = self.rules.get(name)
                if rule is not None and rule.matches(scope):
                    if rule.after > 0:  # not yet: this one goes through untouched
                        rule.after -= 1
                        continue
                    if rule.count > 0:
                        rule.count -= 1
                    if rule.count == 0:
                        del self.rules[name]
                    return name, Rule(**asdict(rule))
        return None

    def now(self) -> float:
        """The server's clock: the wall clock (or the frozen `server_time`) + `clock_skew`."""
        frozen = self.server_time
        return (time.time() if frozen is None else frozen) + self.clock_skew

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "expires_in": self.expires_in,
                "expires_in_format": self.expires_in_format,
                "token_latency": self.token_latency,
                "api_latency": self.api_latency,
                "clock_skew": self.clock_skew,
                "auth_status": self.auth_status,
                "links_origin": self.links_origin,
                "repeat_courses": self.repeat_courses,
                "hold_token": self.hold_token,
                "hold_api": self.hold_api,
                "hold_after": self.hold_after,
                "trickle": self.trickle,
                "bomb_mb": self.bomb_mb,
                "endless_next": self.endless_next,
                "server_time": self.server_time,
                "token_generation": self.token_generation,
                "rules": {name: asdict(rule) for name, rule in self.rules.items()},
                **switches.snapshot(self.switches),
            }


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer, not {value!r}") from None


def _float(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return number


def _parse_rule(name: str, value: Any) -> Rule | None:
    if value is None or value is False or value == 0:
        return None
    base = {**asdict(Rule()), **_RULE_DEFAULTS[name]}
    if isinstance(value, Rule):
        base.update(asdict(value))
    elif value is True:
        base["count"] = -1
    elif isinstance(value, int):
        base["count"] = value
    elif isinstance(value, dict):
        known = {f.name for f in fields(Rule)}
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"{name}: unknown field(s) {sorted(unknown)}; known: {sorted(known)}")
        base.update(value)
    else:
        raise ValueError(f"{name} must be a count, true, null or an object, not {value!r}")
    try:
        base["count"] = _int(f"{name}.count", base["count"])
        base["status"] = _int(f"{name}.status", base["status"])
        base["after"] = _int(f"{name}.after", base["after"])
        if base.get("retry_after") is not None:
            base["retry_after"] = _int(f"{name}.retry_after", base["retry_after"])
        rule = Rule(**base)
    except TypeError as exc:
        raise ValueError(f"{name}: {exc}") from None
    if name == "token_throttle" and rule.scope != "token":
        raise ValueError("token_throttle only applies to the token endpoint (scope 'token')")
    return rule if rule.count != 0 else None


def parse_cli_fault(text: str) -> dict[str, Any]:
    """`--fault` values: `errors=3`, `errors=3:502`, `rate_limit=2:retry_after=5`,
    `errors=-1:500:after=1` (every request after the first), `expires_in=5`, `api_latency=0.2`, `truncate=1:mode=json`, `drop=-1:scope=token`."""
    name, sep, rest = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep:
        return {name: True if name in RULES else ""}
    if name not in RULES:
        return {name: rest}
    parts = rest.split(":")
    rule: dict[str, Any] = {"count": parts[0] or 1}
    for part in parts[1:]:
        key, eq, val = part.partition("=")
        if not eq:  # a bare number after the count is the status (errors=3:502)
            key, val = "status", key
        rule[key] = None if val.lower() in ("none", "null") else val
    if "count" in rule and str(rule["count"]).lower() in ("always", "all"):
        rule["count"] = -1
    return {name: rule}


# How long a reset waits for the requests still being served (a released gate or a latency cut
# short lets them finish in milliseconds; a handler stuck longer than this is a bug to report).
RESET_IDLE_TIMEOUT = 10.0

# Counters that describe requests being served right now: a reset must not zero them.
_LIVE = ("in_flight", "token_in_flight", "held")


@dataclass
class Counters:
    """What the server saw. Tests read these to prove client behaviour (e.g. never an expired
    token). `wait_until` blocks on a condition instead of sleeping."""

    token_requests: int = 0
    token_successes: int = 0
    api_requests: int = 0
    unauthorized: int = 0  # 401 responses from the API
    expired_token_requests: int = 0  # signature valid, exp passed
    invalid_token_requests: int = 0  # malformed, badly signed or revoked
    faults_applied: int = 0
    in_flight: int = 0  # api requests being served
    token_in_flight: int = 0  # token requests being served
    held: int = 0  # requests waiting at a closed gate (hold_token / hold_api)
    peak_concurrency: int = 0
    body_bytes_sent: int = 0  # body bytes the hostile faults sent (trickle, bomb: compressed)
    throttled: int = 0  # 429s from the request budget (the `rate` switch)
    cold_pages: int = 0  # list pages served slow because not yet in the response cache
    per_path: dict[str, int] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    _MAX_PATHS = 10_000  # keep a long soak from growing memory without bound

    def bump(self, **amounts: int) -> None:
        with self._cond:
            for name, n in amounts.items():
                setattr(self, name, getattr(self, name) + n)
            self._cond.notify_all()

    def count_path(self, path: str) -> None:
        with self._cond:
            if path in self.per_path or len(self.per_path) < self._MAX_PATHS:
                self.per_path[path] = self.per_path.get(path, 0) + 1

    def enter(self) -> None:
        with self._cond:
            self.in_flight += 1
            self.peak_concurrency = max(self.peak_concurrency, self.in_flight)
            self._cond.notify_all()

    def leave(self) -> None:
        with self._cond:
            self.in_flight -= 1
            self._cond.notify_all()

    def idle(self) -> bool:
        """No api or token request is being served."""
        return self.in_flight == 0 and self.token_in_flight == 0

    def reset(self) -> None:
        with self._cond:
            for f in fields(self):
                if f.name == "per_path":
                    self.per_path = {}
                elif not f.name.startswith("_") and f.name not in _LIVE:
                    setattr(self, f.name, 0)
            self.peak_concurrency = self.in_flight
            self._cond.notify_all()

    def snapshot(self) -> dict[str, Any]:
        with self._cond:
            out = {
                f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")
            }
            out["per_path"] = dict(self.per_path)
            return out

    def wait_until(self, predicate: Callable[[Counters], bool], timeout: float = 5.0) -> bool:
        """Block until predicate(counters) is true or timeout passes; returns the final truth."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout=timeout)
