"""config.toml: where it lives, reading it (tomllib), writing it (tomli-w) privately.

The file is always mode 0600 inside a 0700 folder and always replaced atomically, because it
may hold a client secret (when no system keyring works).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from edxtui.api.atomicfile import holding_lock, write_error, writing
from edxtui.api.errors import ConfigError
from edxtui.config.profiles import Profile

CONFIG_FILE = "config.toml"
ENV_CONFIG_DIR = "EDXTUI_CONFIG_DIR"
ENV_DATA_DIR = "EDXTUI_DATA_DIR"


def config_dir() -> Path:
    """$EDXTUI_CONFIG_DIR, else the platform's user config folder for edxtui."""
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("edxtui", appauthor=False))


def data_dir() -> Path:
    """$EDXTUI_DATA_DIR, else the platform's user data folder for edxtui (the lasting
    history and the request bar's memory; never a secret)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("edxtui", appauthor=False))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


@dataclass
class Config:
    """What config.toml holds, plus warnings about its permissions."""

    path: Path
    default: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    file_secrets: dict[str, str] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)


def loose_mode_warning(path: Path | str, mode: int) -> str | None:
    """The one warning for a file holding a client secret that others may read (the config,
    a --client-secret-file), with the chmod that fixes it; None when it is private."""
    if os.name == "nt" or not mode & 0o077:
        return None
    return f"{path} holds a client secret but its mode is {mode:04o}; run: chmod 600 {path}"


def _permission_warnings(path: Path) -> list[str]:
    if os.name == "nt":
        return []
    found = []
    warning = loose_mode_warning(path, stat.S_IMODE(path.stat().st_mode))
    if warning:
        found.append(warning)
    folder = path.parent
    folder_mode = stat.S_IMODE(folder.stat().st_mode)
    if folder_mode & 0o077:
        found.append(
            f"{folder} holds a client secret but its mode is {folder_mode:04o}; "
            f"run: chmod 700 {folder}"
        )
    return found


def load_config(path: Path | None = None) -> Config:
    """Read config.toml; a missing file is an empty config, a broken one a ConfigError."""
    path = path or config_path()
    config = Config(path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return config
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror}; nothing was changed") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(
            f"{path} is not valid TOML: {err}", "fix the file or delete it and save again"
        ) from None

    default = data.get("default")
    config.default = default if isinstance(default, str) and default else None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: 'profiles' must be a table")
    for name, entry in profiles.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: profile {name!r} must be a table")

        def text(key: str, name: str = name, entry: dict = entry) -> str:
            value = entry.get(key, "")
            if not isinstance(value, str):
                raise ConfigError(f"{path}: {key} of profile {name!r} must be a string")
            return value

        insecure = entry.get("insecure", False)
        if not isinstance(insecure, bool):
            raise ConfigError(f"{path}: insecure of profile {name!r} must be true or false")
        config.profiles[name] = Profile(
            name=name,
            token_url=text("token_url"),
            api_root=text("api_root"),
            client_id=text("client_id"),
            insecure=insecure,
        )
        secret = text("client_secret")
        if secret:
            config.file_secrets[name] = secret
    if config.file_secrets:
        config.warnings.extend(_permission_warnings(path))
    return config


_HEADER = """\
# edxtui profiles. Edit freely, or use `edxtui profile save`; a save rewrites this file
# from the profiles it holds, so comments added here are not kept.
# A client_secret appears here only when no system keyring works (this file is 0600).

"""


def dump_config(config: Config) -> str:
    import tomli_w  # only a save needs it

    profiles = {}
    for name, profile in config.profiles.items():
        entry = {
            "token_url": profile.token_url,
            "api_root": profile.api_root,
            "client_id": profile.client_id,
            "insecure": profile.insecure,
        }
        if name in config.file_secrets:
            entry["client_secret"] = config.file_secrets[name]
        profiles[name] = entry
    document: dict[str, object] = {"default": config.default} if config.default else {}
    document["profiles"] = profiles
    return _HEADER + tomli_w.dumps(document)


LOCK_TIMEOUT = 30.0  # seconds; a save holds the lock for milliseconds


@contextlib.contextmanager
def config_locked(path: Path | None = None) -> Iterator[Path]:
    """Hold the config's lock (config.toml.lock, a `filelock`): one read-modify-write at a time.

    Every change (save, delete) loads, changes and writes config.toml inside this block, so
    edxtui processes saving at once never lose each other's profiles or secrets. Yields the
    config file's path.
    """
    path = path or config_path()
    _private_folder(path.parent)
    with holding_lock(
        path,
        LOCK_TIMEOUT,
        busy=lambda said: ConfigError(
            f"{said}; nothing was changed",
            f"try again; if no edxtui is running, delete {path}.lock",
        ),
        failed=lambda err: _write_error(path, err),
    ):
        yield path


def _private_folder(folder: Path) -> None:
    """Create the config folder at 0700, and put it back to 0700 if someone widened it."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name != "nt":
            os.chmod(folder, 0o700)
    except OSError as err:
        raise _write_error(folder, err) from None


def _write_error(path: Path, err: OSError) -> Exception:
    error = write_error(path, err)
    return err if error is None else error


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, readable by its owner alone (0600), in a 0700 folder.

    The folder is created (and kept) at 0700; the file gets its mode before the rename, so
    the secret in it is never readable by others, not even for a moment.
    """
    _private_folder(path.parent)
    with writing(path, mode=0o600) as handle:
        handle.write(data)


def save_config(config: Config) -> None:
    """Write `config`; callers that changed what they loaded hold `config_locked()`."""
    write_private(config.path, dump_config(config).encode("utf-8"))
