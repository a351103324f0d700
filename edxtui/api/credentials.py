"""Where to get a token and which API to call: what a session needs from a profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from edxtui.api.errors import ConfigError
from edxtui.api.urls import check_url


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


def check_credentials(credentials: Credentials) -> str:
    """ConfigError unless both URLs are acceptable and the client id and secret are set;
    returns the API root, ending with '/'."""
    check_url(credentials.token_url, what="token URL", insecure=credentials.insecure)
    api_root = check_url(credentials.api_root, what="API root", insecure=credentials.insecure)
    if not credentials.client_id:
        raise ConfigError("no client id is set", "set it in the profile or EDXTUI_CLIENT_ID")
    if not credentials.client_secret:
        raise ConfigError(
            "no client secret is set", "set it in the profile or EDXTUI_CLIENT_SECRET"
        )
    return api_root
