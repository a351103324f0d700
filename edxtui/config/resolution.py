"""What a command or the app should use: flags > environment > saved profile > preset.

`resolve()` turns a profile name plus flags and environment into `Credentials`, and says in
one or two lines what is missing.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from edxtui.api.credentials import Credentials
from edxtui.api.errors import ConfigError
from edxtui.api.urls import check_url
from edxtui.config.file import load_config, loose_mode_warning
from edxtui.config.profiles import Profile, presets
from edxtui.config.store import known_profiles_hint, profile_names, stored_secret

ENV_PROFILE = "EDXTUI_PROFILE"
ENV_TOKEN_URL = "EDXTUI_TOKEN_URL"
ENV_API_URL = "EDXTUI_API_URL"
ENV_CLIENT_ID = "EDXTUI_CLIENT_ID"
ENV_CLIENT_SECRET = "EDXTUI_CLIENT_SECRET"


def read_secret_file(path: str, warn: Callable[[str], None] | None = None) -> str:
    """The first line of a file (or of stdin for '-'): the client secret.

    A regular file that group or others may read gets the config's permission warning
    (through `warn`, stderr by default).
    """
    warn = warn or _print_warning
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            file = Path(path).expanduser()
            text = file.read_text(encoding="utf-8")
            mode = file.stat().st_mode
            if stat.S_ISREG(mode) and (warning := loose_mode_warning(path, stat.S_IMODE(mode))):
                warn(warning)
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not UTF-8 text"
        raise ConfigError(
            f"cannot read the client secret file {path}: {reason}",
            "pass a readable file with the secret on its first line, or '-' for stdin",
        ) from None
    secret = text.split("\n", 1)[0].removesuffix("\r")  # the first line, without its newline
    if not secret:
        raise ConfigError(f"the client secret file {path} is empty")
    return secret


def _print_warning(message: str) -> None:
    print(f"edxtui: warning: {message}", file=sys.stderr)


def resolve(
    profile_name: str | None = None,
    *,
    token_url: str | None = None,
    api_url: str | None = None,
    client_id: str | None = None,
    client_secret_file: str | None = None,
    env: Mapping[str, str] | None = None,
    warn: Callable[[str], None] | None = _print_warning,
) -> tuple[Profile, Credentials]:
    """The profile and credentials to use: flags > environment > saved profile > preset.

    With no profile named anywhere, the default profile is used; with no default either,
    every piece must come from flags or environment. Raises ConfigError saying what is
    missing and how to supply it.
    """
    env = os.environ if env is None else env
    config = load_config()
    if warn is not None:
        for warning in config.warnings:
            warn(warning)

    name = profile_name or env.get(ENV_PROFILE) or None
    base: Profile | None = None
    preset_secret: str | None = None
    if name is None and config.default in config.profiles:
        name = config.default
    if name is not None:
        preset = presets().get(name)
        if name in config.profiles:
            base = config.profiles[name]
        elif preset is not None:
            base, preset_secret = preset.profile, preset.client_secret
        else:
            raise ConfigError(f"unknown profile {name!r}", known_profiles_hint(config))

    label = name or "(none)"
    pieces = {
        "token URL": (token_url, ENV_TOKEN_URL, "--token-url", base.token_url if base else ""),
        "API root": (api_url, ENV_API_URL, "--api-url", base.api_root if base else ""),
        "client id": (client_id, ENV_CLIENT_ID, "--client-id", base.client_id if base else ""),
    }
    values = {
        what: (flag or env.get(env_name) or saved).strip()
        for what, (flag, env_name, _, saved) in pieces.items()
    }
    # Wrong URLs first (a placeholder host, plain http): the more basic mistake to report.
    insecure = base.insecure if base else False
    checked = {
        what: check_url(values[what], what=what, insecure=insecure, profile=name)
        for what in ("token URL", "API root")
        if values[what]
    }
    for what, (_, env_name, option, _) in pieces.items():
        if values[what]:
            continue
        if name is None:
            raise ConfigError(
                "no profile chosen and no default profile saved",
                f"use --profile NAME (known: {', '.join(profile_names(config))}), "
                "or set EDXTUI_TOKEN_URL, EDXTUI_API_URL and EDXTUI_CLIENT_ID",
            )
        raise ConfigError(
            f"no {what} for profile {label}",
            f"set {env_name}, use {option}, or save it in the profile",
        )

    if client_secret_file:
        secret: str | None = read_secret_file(client_secret_file, warn or (lambda _: None))
    else:
        # A trailing newline (a .env file, a pasted line) is not part of the secret.
        secret = (env.get(ENV_CLIENT_SECRET) or "").rstrip("\r\n") or None
        if secret is None and name is not None:
            secret, _ = stored_secret(name, config)
        if secret is None:
            secret = preset_secret
    if not secret:
        raise ConfigError(
            f"no client secret for profile {label}",
            "set EDXTUI_CLIENT_SECRET, use --client-secret-file, or save the profile "
            "(`edxtui profile save` or the app)",
        )

    profile = Profile(
        name=name or "(environment)",
        token_url=checked["token URL"],
        api_root=checked["API root"],
        client_id=values["client id"],
        insecure=insecure,
    )
    return profile, profile.credentials(secret)
