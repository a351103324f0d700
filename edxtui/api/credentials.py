"""Where to get a token and which API to call: what a session needs from a profile."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credentials:
    token_url: str
    api_root: str  # always ends with "/"; relative paths resolve against it
    client_id: str
    client_secret: str = field(repr=False)  # never in repr, logs or messages
    insecure: bool = False  # allow plain http to a host other than loopback

    def __post_init__(self) -> None:
        if self.api_root and not self.api_root.endswith("/"):
            object.__setattr__(self, "api_root", self.api_root + "/")
