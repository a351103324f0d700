"""Saving and deleting profiles with their secrets: the keyring first, else the config file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from edxtui.api.errors import ConfigError
from edxtui.api.urls import check_url
from edxtui.config.file import Config, config_locked, load_config, save_config
from edxtui.config.keyring_store import keyring_delete, keyring_get, keyring_set
from edxtui.config.profiles import Profile, check_name, presets


@dataclass(frozen=True)
class SaveResult:
    storage: str  # "keyring", "file", or "none" (profile saved, secret unchanged)
    path: Path
    message: str  # one line for the user: where the secret went


def save_profile(
    profile: Profile,
    client_secret: str | None = None,
    *,
    make_default: bool | None = None,
    path: Path | None = None,
) -> SaveResult:
    """Save a profile (and its secret when given); say where the secret went.

    `make_default` None means: become the default when there is none yet. The config file
    is read, changed and written under its lock, so concurrent saves and deletes all count.
    """
    check_name(profile.name)
    check_url(profile.token_url, what="token URL", insecure=profile.insecure, profile=profile.name)
    api_root = check_url(
        profile.api_root, what="API root", insecure=profile.insecure, profile=profile.name
    )
    profile = replace(profile, api_root=api_root)
    with config_locked(path) as locked:
        config = load_config(locked)
        config.profiles[profile.name] = profile
        if make_default or (make_default is None and not config.default):
            config.default = profile.name

        if client_secret is None:
            save_config(config)
            return SaveResult("none", config.path, f"profile {profile.name} saved in {config.path}")
        stored = keyring_set(profile.name, client_secret)
        if stored == "saved":
            config.file_secrets.pop(profile.name, None)
            save_config(config)
            return SaveResult("keyring", config.path, "secret saved in the system keyring")
        config.file_secrets[profile.name] = client_secret
        save_config(config)
    where = f"secret saved in {config.path} (mode 0600)"
    if stored == "failed":
        where = f"the system keyring did not keep the secret; {where} instead"
    return SaveResult("file", config.path, where)


def delete_profile(name: str, *, path: Path | None = None) -> None:
    """Delete a saved profile and its secret (file and keyring), under the config's lock."""
    with config_locked(path) as locked:
        config = load_config(locked)
        if name not in config.profiles:
            raise ConfigError(f"no saved profile named {name!r}", known_profiles_hint(config))
        del config.profiles[name]
        config.file_secrets.pop(name, None)
        if config.default == name:
            config.default = next(iter(config.profiles), None)
        save_config(config)
        keyring_delete(name)


def stored_secret(name: str, config: Config) -> tuple[str | None, str]:
    """The saved secret of a profile and where it came from ("file", "keyring" or "")."""
    if name in config.file_secrets:
        return config.file_secrets[name], "file"
    secret = keyring_get(name)
    if secret:
        return secret, "keyring"
    return None, ""


def profile_names(config: Config | None = None) -> list[str]:
    """Saved profiles first, then the presets not shadowed by a saved one."""
    config = config or load_config()
    return list(config.profiles) + [n for n in presets() if n not in config.profiles]


def known_profiles_hint(config: Config) -> str:
    names = ", ".join(profile_names(config))
    return f"known profiles: {names}; save one with `edxtui profile save NAME ...`"
