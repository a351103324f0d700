"""Profiles, presets, environment overrides and where the client secret is kept.

A profile names a deployment: a token URL, an API root, a client id, and whether plain http
to a non-loopback host is allowed (the URL rules are edxtui.api.urls). Profiles live in
`config.toml` in the config folder ($EDXTUI_CONFIG_DIR, else the platform's user config
dir). The client secret goes to the system keyring when one works; otherwise it is written
into config.toml, which is always mode 0600 inside a 0700 folder and always replaced
atomically. The access token is never written anywhere.

    profiles.py       Profile, Preset, presets(), check_name()
    file.py           config.toml: config_dir(), load_config(), save_config() (tomli-w);
                      data_dir() (the user data folder: history, typed requests)
    keyring_store.py  the system keyring, when a real one works
    store.py          save_profile(), delete_profile(), stored_secret(): keyring, else file
    resolution.py     resolve(): flags > environment > saved profile > preset

Callers use the names below (`from edxtui import config; config.resolve(...)`).
"""

from __future__ import annotations

from edxtui.api.errors import ConfigError
from edxtui.config.file import (
    CONFIG_FILE,
    ENV_CONFIG_DIR,
    ENV_DATA_DIR,
    Config,
    config_dir,
    config_path,
    data_dir,
    dump_config,
    load_config,
    save_config,
    write_private,
)
from edxtui.config.keyring_store import KEYRING_SERVICE, keyring_available
from edxtui.config.profiles import Preset, Profile, check_name, presets
from edxtui.config.resolution import (
    ENV_API_URL,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_PROFILE,
    ENV_TOKEN_URL,
    read_secret_file,
    resolve,
)
from edxtui.config.store import (
    SaveResult,
    delete_profile,
    known_profiles_hint,
    profile_names,
    save_profile,
    stored_secret,
)

__all__ = [
    "CONFIG_FILE",
    "ENV_API_URL",
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_CONFIG_DIR",
    "ENV_DATA_DIR",
    "ENV_PROFILE",
    "ENV_TOKEN_URL",
    "KEYRING_SERVICE",
    "Config",
    "ConfigError",
    "Preset",
    "Profile",
    "SaveResult",
    "check_name",
    "config_dir",
    "config_path",
    "data_dir",
    "delete_profile",
    "dump_config",
    "keyring_available",
    "known_profiles_hint",
    "load_config",
    "presets",
    "profile_names",
    "read_secret_file",
    "resolve",
    "save_config",
    "save_profile",
    "stored_secret",
    "write_private",
]
