"""Profiles and the built-in presets: where to get a token and which API to call."""

from __future__ import annotations

import re
from dataclasses import dataclass

from edxtui.api.credentials import Credentials
from edxtui.api.errors import ConfigError

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Profile:
    """Where to get a token and which API to call. The secret is stored separately."""

    name: str
    token_url: str
    api_root: str
    client_id: str = ""
    insecure: bool = False  # allow plain http to a host that is not loopback

    def credentials(self, client_secret: str) -> Credentials:
        return Credentials(
            token_url=self.token_url,
            api_root=self.api_root,
            client_id=self.client_id,
            client_secret=client_secret,
            insecure=self.insecure,
        )


@dataclass(frozen=True)
class Preset:
    profile: Profile
    description: str
    client_secret: str | None = None  # only the sandbox has a public, fixed secret


def presets() -> dict[str, Preset]:
    """The built-in starting points: edx.org, openedx (hosts to fill in) and sandbox."""
    # The sandbox's own constants: edxtui.sandbox.wire is plain data (no starlette, no
    # uvicorn), imported here so that only what lists or resolves presets loads it.
    from edxtui.sandbox import wire as sandbox

    base = f"http://127.0.0.1:{sandbox.DEFAULT_PORT}"
    return {
        "edx.org": Preset(
            Profile(
                "edx.org",
                "https://api.edx.org/oauth2/v1/access_token",
                "https://api.edx.org/catalog/v1/",
            ),
            "the edX.org API gateway",
        ),
        "openedx": Preset(
            Profile(
                "openedx",
                "https://LMS.example.org/oauth2/access_token",
                "https://DISCOVERY.example.org/api/v1/",
            ),
            "an Open edX instance: replace LMS.example.org and DISCOVERY.example.org",
        ),
        "sandbox": Preset(
            Profile(
                "sandbox",
                base + sandbox.TOKEN_PATHS["openedx"],
                base + sandbox.API_ROOTS["openedx"],
                sandbox.SANDBOX_CLIENT_ID,
            ),
            f"`edxtui sandbox` on port {sandbox.DEFAULT_PORT}",
            client_secret=sandbox.SANDBOX_CLIENT_SECRET,
        ),
    }


def check_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise ConfigError(
            f"invalid profile name {name!r}",
            "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return name
