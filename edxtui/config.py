"""Profiles, presets, environment overrides and where the client secret is kept.

A profile names a deployment: a token URL, an API root, a client id, and whether plain http
to a non-loopback host is allowed. Profiles live in `config.toml` in the config folder
($EDXTUI_CONFIG_DIR, else the platform's user config dir). The client secret goes to the
system keyring when one works; otherwise it is written into config.toml, which is always
mode 0600 inside a 0700 folder and always replaced atomically. The access token is never
written anywhere.

`resolve()` turns a profile name plus flags and environment into `Credentials`, with the
precedence flags > environment > profile, and says in one or two lines what is missing.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from edxtui.api.credentials import Credentials
from edxtui.api.errors import ConfigError
from edxtui.api.urls import check_url
from edxtui.atomicfile import replaced_atomically

CONFIG_FILE = "config.toml"
KEYRING_SERVICE = "edxtui"

ENV_CONFIG_DIR = "EDXTUI_CONFIG_DIR"
ENV_PROFILE = "EDXTUI_PROFILE"
ENV_TOKEN_URL = "EDXTUI_TOKEN_URL"
ENV_API_URL = "EDXTUI_API_URL"
ENV_CLIENT_ID = "EDXTUI_CLIENT_ID"
ENV_CLIENT_SECRET = "EDXTUI_CLIENT_SECRET"

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
    # The sandbox's own constants: edxtui.sandbox.config is plain data (no starlette, no
    # uvicorn), imported here so that only what lists or resolves presets loads it.
    from edxtui.sandbox import config as sandbox

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


# ---------------------------------------------------------------------------------------
# Where things live


def config_dir() -> Path:
    """$EDXTUI_CONFIG_DIR, else the platform's user config folder for edxtui."""
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("edxtui", appauthor=False))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


# ---------------------------------------------------------------------------------------
# Validation


def check_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise ConfigError(
            f"invalid profile name {name!r}",
            "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return name


# ---------------------------------------------------------------------------------------
# The config file: read with tomllib, written by a tiny writer (strings and bools only)


@dataclass
class Config:
    """What config.toml holds, plus warnings about its permissions."""

    path: Path
    default: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    file_secrets: dict[str, str] = field(default_factory=dict, repr=False)
    warnings: list[str] = field(default_factory=list)


def _permission_warnings(path: Path) -> list[str]:
    if os.name == "nt":
        return []
    found = []
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        found.append(
            f"{path} holds a client secret but its mode is {mode:04o}; run: chmod 600 {path}"
        )
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
        raise ConfigError(f"cannot read {path}: {err.strerror}") from None
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


def _toml_string(value: str) -> str:
    """A TOML basic string: backslash, quote and every control character escaped."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def dump_config(config: Config) -> str:
    lines = [
        "# edxtui profiles. Edit freely, or use `edxtui profile save`.",
        "# A client_secret appears here only when no system keyring works (this file is 0600).",
        "",
    ]
    if config.default:
        lines += [f"default = {_toml_string(config.default)}", ""]
    for name, profile in config.profiles.items():
        lines.append(f"[profiles.{_toml_string(name)}]")
        lines.append(f"token_url = {_toml_string(profile.token_url)}")
        lines.append(f"api_root = {_toml_string(profile.api_root)}")
        lines.append(f"client_id = {_toml_string(profile.client_id)}")
        lines.append(f"insecure = {'true' if profile.insecure else 'false'}")
        if name in config.file_secrets:
            lines.append(f"client_secret = {_toml_string(config.file_secrets[name])}")
        lines.append("")
    return "\n".join(lines)


def write_private(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, readable by its owner alone (0600), in a 0700 folder.

    The folder is created (and kept) at 0700; the file gets its mode before the rename, so
    the secret in it is never readable by others, not even for a moment.
    """
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name != "nt":
        os.chmod(folder, 0o700)
    with replaced_atomically(path, mode=0o600) as handle:
        handle.write(data)


def save_config(config: Config) -> None:
    write_private(config.path, dump_config(config).encode("utf-8"))


# ---------------------------------------------------------------------------------------
# Secrets: the system keyring when it works, else the 0600 config file


def _keyring():
    """The keyring backend if a real one is configured, else None (never raises)."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    # keyrings.alt's plaintext file is no safer than our own 0600 file.
    if (
        type(backend).__module__.startswith("keyrings.alt")
        and "Plaintext" in type(backend).__name__
    ):
        return None
    return keyring


def keyring_available() -> bool:
    """True when a system keyring backend is configured and answers a read."""
    kr = _keyring()
    if kr is None:
        return False
    try:
        kr.get_password(KEYRING_SERVICE, "__edxtui_probe__")
    except Exception:
        return False
    return True


def _keyring_get(name: str) -> str | None:
    kr = _keyring()
    if kr is None:
        return None
    try:
        return kr.get_password(KEYRING_SERVICE, name)
    except Exception:
        return None


def _keyring_set(name: str, secret: str) -> bool:
    kr = _keyring()
    if kr is None:
        return False
    try:
        kr.set_password(KEYRING_SERVICE, name, secret)
        return kr.get_password(KEYRING_SERVICE, name) == secret
    except Exception:
        return False


def _keyring_delete(name: str) -> None:
    kr = _keyring()
    if kr is None:
        return
    with contextlib.suppress(Exception):
        kr.delete_password(KEYRING_SERVICE, name)


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
    config: Config | None = None,
) -> SaveResult:
    """Save a profile (and its secret when given); say where the secret went.

    `make_default` None means: become the default when there is none yet.
    """
    check_name(profile.name)
    check_url(profile.token_url, what="token URL", insecure=profile.insecure, profile=profile.name)
    api_root = check_url(
        profile.api_root, what="API root", insecure=profile.insecure, profile=profile.name
    )
    profile = replace(profile, api_root=api_root)
    config = config or load_config()
    config.profiles[profile.name] = profile
    if make_default or (make_default is None and not config.default):
        config.default = profile.name

    if client_secret is None:
        save_config(config)
        return SaveResult("none", config.path, f"profile {profile.name} saved in {config.path}")
    if _keyring_set(profile.name, client_secret):
        config.file_secrets.pop(profile.name, None)
        save_config(config)
        return SaveResult("keyring", config.path, "secret saved in the system keyring")
    config.file_secrets[profile.name] = client_secret
    save_config(config)
    return SaveResult("file", config.path, f"secret saved in {config.path} (mode 0600)")


def delete_profile(name: str, *, config: Config | None = None) -> None:
    config = config or load_config()
    if name not in config.profiles:
        raise ConfigError(f"no saved profile named {name!r}", _known_hint(config))
    del config.profiles[name]
    config.file_secrets.pop(name, None)
    if config.default == name:
        config.default = next(iter(config.profiles), None)
    save_config(config)
    _keyring_delete(name)


def stored_secret(name: str, config: Config) -> tuple[str | None, str]:
    """The saved secret of a profile and where it came from ("file", "keyring" or "")."""
    if name in config.file_secrets:
        return config.file_secrets[name], "file"
    secret = _keyring_get(name)
    if secret:
        return secret, "keyring"
    return None, ""


def profile_names(config: Config | None = None) -> list[str]:
    """Saved profiles first, then the presets not shadowed by a saved one."""
    config = config or load_config()
    return list(config.profiles) + [n for n in presets() if n not in config.profiles]


def _known_hint(config: Config) -> str:
    names = ", ".join(profile_names(config))
    return f"known profiles: {names}; save one with `edxtui profile save NAME ...`"


# ---------------------------------------------------------------------------------------
# Resolving what a command or the app should use


def read_secret_file(path: str) -> str:
    """The first line of a file (or of stdin for '-'): the client secret."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            text = Path(path).expanduser().read_text(encoding="utf-8")
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
            raise ConfigError(f"unknown profile {name!r}", _known_hint(config))

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
        secret: str | None = read_secret_file(client_secret_file)
    else:
        secret = env.get(ENV_CLIENT_SECRET) or None
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
