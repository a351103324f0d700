"""History that lasts: the last few hundred exchanges, kept across runs in a private file.

The history view shows the exchanges of earlier runs beside this run's. They live in one
JSON file in the user data folder (the caller gives the path), replaced atomically
(atomicfile) at mode 0600 in a 0700 folder. Nothing secret goes in: every exchange is
redacted again on the way out (Authorization and cookies masked, the token response's
access_token replaced, the live token and the client secret scrubbed from the URL, headers
and bodies), then its body is cut to MAX_BODY: scrubbed first, so a cut never leaves part of
a secret behind. Each record carries the id of the run that made it, so a reader can tell
this run's exchanges from earlier ones'.

A save reads the file again and keeps the other runs' records (another edxtui may be
running: the read and the write hold the file's lock, so two saving at once lose nothing),
replaces this run's with the ones given, and keeps the newest MAX_ENTRIES within
MAX_FILE_BYTES of bodies. A missing, unreadable or broken file reads as no history.
Standard library only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edxtui.api.atomicfile import FileWriteError, holding_lock, writing
from edxtui.api.exchange import Exchange
from edxtui.api.redaction import redact_headers, redact_token_body, scrub, scrub_text

HISTORY_FILE = "history.json"
#: exchanges kept across runs
MAX_ENTRIES = 300
#: bytes of a body kept (the rest is cut, after the secrets were scrubbed)
MAX_BODY = 64 * 1024
#: bodies' bytes the file holds at most; the oldest go first
MAX_FILE_BYTES = 8 * 1024 * 1024
FORMAT = 1
#: seconds a save waits for another edxtui's save (which holds the lock for milliseconds)
LOCK_TIMEOUT = 10.0


@dataclass(frozen=True)
class Saved:
    """One exchange read back from the file: the run that made it, and its body's real size."""

    exchange: Exchange
    run: str
    size: int  # the body's length before it was cut
    truncated: bool


def new_run_id() -> str:
    return secrets.token_hex(8)


class HistoryStore:
    """The history file at `path`; `run` names this run's records (a fresh id by default)."""

    def __init__(
        self,
        path: Path,
        *,
        run: str | None = None,
        max_entries: int = MAX_ENTRIES,
        max_body: int = MAX_BODY,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.path = Path(path)
        self.run = run or new_run_id()
        self.max_entries = max_entries
        self.max_body = max_body
        self.max_file_bytes = max_file_bytes

    def load(self) -> list[Saved]:
        """Every record of the file, oldest first (this run's too)."""
        return [saved for record in self._records() if (saved := _saved(record)) is not None]

    def earlier(self) -> list[Saved]:
        """The records that earlier (or other) runs made, oldest first."""
        return [saved for saved in self.load() if saved.run != self.run]

    def save(self, exchanges: Iterable[Exchange], secrets: Iterable[str | None] = ()) -> None:
        """Write this run's `exchanges` (in request order) after the other runs' records.

        `secrets` (the live token, the client secret) are scrubbed from everything written.
        FileWriteError (one line) when the file cannot be written.
        """
        hidden = tuple(secrets)
        mine = [self.record(exchange, hidden) for exchange in exchanges]
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._locked():  # another edxtui's save between our read and write would be lost
            others = [r for r in self._records() if r.get("run") != self.run]
            records = (others + mine)[-self.max_entries :]
            while len(records) > 1 and _body_bytes(records) > self.max_file_bytes:
                records.pop(0)
            data = json.dumps({"format": FORMAT, "exchanges": records}, separators=(",", ":"))
            with writing(self.path, mode=0o600) as handle:
                handle.write(data.encode("utf-8"))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the history's lock (history.json.lock, a `filelock`, as the config's)."""
        with holding_lock(
            self.path,
            LOCK_TIMEOUT,
            busy=lambda said: FileWriteError(f"{said}; this run's history was not written"),
            failed=lambda err: FileWriteError(f"cannot lock {self.path}: {err.strerror or err}"),
        ):
            yield

    def record(self, exchange: Exchange, secrets: Iterable[str | None] = ()) -> dict[str, Any]:
        """The exchange as written: redacted again, secrets scrubbed, body cut to max_body."""
        hidden = tuple(secrets)
        body = exchange.body
        request_body = scrub(exchange.request_body, hidden)
        if exchange.kind == "token":
            body = redact_token_body(body)
        body = scrub(body, hidden)  # before the cut: a cut secret could no longer be found
        size = len(body)
        body = body[: self.max_body]
        return {
            "run": self.run,
            "id": exchange.id,
            "kind": exchange.kind,
            "method": exchange.method,
            "url": scrub_text(exchange.url, hidden),
            "request_headers": redact_headers(exchange.request_headers, hidden),
            "request_body": _encode(request_body),
            "started_at": exchange.started_at,
            "status": exchange.status,
            "reason": exchange.reason,
            "http_version": exchange.http_version,
            "response_headers": redact_headers(exchange.response_headers, hidden),
            "body": _encode(body),
            "size": size,
            "elapsed": exchange.elapsed,
            "error": scrub_text(exchange.error, hidden) if exchange.error else None,
            "attempt": exchange.attempt,
        }

    def _records(self) -> list[dict[str, Any]]:
        try:
            raw = self.path.read_bytes()
            data = json.loads(raw)
        except (OSError, ValueError, RecursionError):
            return []
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return []
        records = data.get("exchanges")
        if not isinstance(records, list):
            return []
        return [r for r in records if isinstance(r, dict) and isinstance(r.get("run"), str)]


def _encode(data: bytes) -> dict[str, str]:
    """Bytes as JSON: UTF-8 text as it is, anything else in base64."""
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def _decode(value: Any) -> bytes | None:
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("text"), str):
        return str(value["text"]).encode("utf-8")
    if isinstance(value.get("base64"), str):
        try:
            return base64.b64decode(value["base64"], validate=True)
        except ValueError:
            return None
    return None


def _body_bytes(records: list[dict[str, Any]]) -> int:
    total = 0
    for record in records:
        body = record.get("body")
        if isinstance(body, dict):
            total += sum(len(v) for v in body.values() if isinstance(v, str))
    return total


def _headers(value: Any) -> list[tuple[str, str]] | None:
    if not isinstance(value, list):
        return None
    pairs = []
    for pair in value:
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            return None
        pairs.append((pair[0], pair[1]))
    return pairs


def _saved(record: dict[str, Any]) -> Saved | None:
    """A record read back as an Exchange; None for one that is not what save() writes."""
    body, request_body = _decode(record.get("body")), _decode(record.get("request_body"))
    request_headers = _headers(record.get("request_headers"))
    response_headers = _headers(record.get("response_headers"))
    strings = ("kind", "method", "url", "reason", "http_version")
    numbers = ("started_at", "elapsed")
    if (
        body is None
        or request_body is None
        or request_headers is None
        or response_headers is None
        or not all(isinstance(record.get(key), str) for key in strings)
        or not all(_number(record.get(key)) for key in numbers)
        or not _whole(record.get("id"))
        or not (record.get("status") is None or _whole(record.get("status")))
        or not (record.get("error") is None or isinstance(record.get("error"), str))
    ):
        return None
    exchange = Exchange(
        id=record["id"],
        kind=record["kind"],
        method=record["method"],
        url=record["url"],
        request_headers=request_headers,
        request_body=request_body,
        started_at=float(record["started_at"]),
        status=record["status"],
        reason=record["reason"],
        http_version=record["http_version"],
        response_headers=response_headers,
        body=body,
        elapsed=float(record["elapsed"]),
        error=record["error"],
        attempt=record["attempt"] if _whole(record.get("attempt")) else 1,
    )
    size = record["size"] if _whole(record.get("size")) else len(body)
    return Saved(exchange, record["run"], max(size, len(body)), size > len(body))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
