"""The request bar's memory: the paths a person typed, kept across runs.

A small JSON list in the user data folder (the caller gives the path), newest first,
replaced atomically (atomicfile) at mode 0600 in a 0700 folder. A path may hold query values
the person typed (`courses/?q=python`), never a secret: a request that holds the token or
the client secret is refused before it is sent (request_line), and one is never remembered.
A missing or broken file is no memory. Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from edxtui.api.atomicfile import writing
from edxtui.api.redaction import holds_secret

REQUESTS_FILE = "requests.json"
#: paths remembered
MAX_REQUESTS = 100
#: longest path remembered
MAX_LENGTH = 2000


class RecentRequests:
    """The typed requests at `path`, newest first."""

    def __init__(self, path: Path, *, limit: int = MAX_REQUESTS) -> None:
        self.path = Path(path)
        self.limit = limit

    def load(self) -> list[str]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError, RecursionError):
            return []
        if not isinstance(data, list):
            return []
        return [p for p in data if isinstance(p, str) and 0 < len(p) <= MAX_LENGTH][: self.limit]

    def remember(self, request: str, secrets: Iterable[str | None] = ()) -> list[str]:
        """Put `request` first (once) and write the file; the list as it now is.

        A request holding one of `secrets` (or too long to be a path) is not written.
        FileWriteError (one line) when the file cannot be written.
        """
        request = request.strip()
        known = self.load()
        if not request or len(request) > MAX_LENGTH or holds_secret(request, secrets):
            return known
        paths = [request, *(p for p in known if p != request)][: self.limit]
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with writing(self.path, mode=0o600) as handle:
            handle.write(json.dumps(paths, indent=0).encode("utf-8"))
        return paths
