"""Profiles, presets, overrides, secret storage and the config file's safety rules."""

from __future__ import annotations

import io
import os
import stat
import tomllib

import keyring
import keyring.backend
import keyring.errors
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edxtui import config
from edxtui.api.errors import ConfigError
from edxtui.api.urls import check_url
from edxtui.config import Profile, load_config, resolve, save_profile

SECRET = 's3cr3t-"quoted"-\\back\\-ünï'


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A working keyring that lives in a dict: the real keyring API, no system service."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class BrokenKeyring(MemoryKeyring):
    """A keyring that is configured but fails on use (a locked or absent Secret Service)."""

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError("no secret service")


@pytest.fixture
def use_keyring():
    previous = keyring.get_keyring()

    def install(backend):
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def example(name="work", **changes) -> Profile:
    fields = {
        "name": name,
        "token_url": "https://lms.example.com/oauth2/access_token",
        "api_root": "https://discovery.example.com/api/v1/",
        "client_id": "my-client",
    }
    fields.update(changes)
    return Profile(**fields)


# --- presets -----------------------------------------------------------------------------


def test_edx_org_preset_has_the_gateway_urls_and_needs_a_client():
    preset = config.presets()["edx.org"].profile
    assert preset.token_url == "https://api.edx.org/oauth2/v1/access_token"
    assert preset.api_root == "https://api.edx.org/catalog/v1/"
    with pytest.raises(ConfigError, match="no client id for profile edx.org"):
        resolve("edx.org", env={})


def test_edx_org_preset_works_with_env_credentials():
    profile, creds = resolve(
        "edx.org", env={"EDXTUI_CLIENT_ID": "cid", "EDXTUI_CLIENT_SECRET": "csecret"}
    )
    assert creds.token_url == "https://api.edx.org/oauth2/v1/access_token"
    assert (creds.client_id, creds.client_secret) == ("cid", "csecret")
    assert profile.name == "edx.org"


def test_openedx_preset_with_placeholder_hosts_is_refused():
    with pytest.raises(ConfigError) as info:
        resolve("openedx", env={"EDXTUI_CLIENT_ID": "x", "EDXTUI_CLIENT_SECRET": "y"})
    assert "placeholder host lms.example.org" in str(info.value)
    assert "replace it" in info.value.hint
    # Filling in the hosts through the environment makes it usable.
    _, creds = resolve(
        "openedx",
        env={
            "EDXTUI_TOKEN_URL": "https://lms.uni.edu/oauth2/access_token",
            "EDXTUI_API_URL": "https://discovery.uni.edu/api/v1",
            "EDXTUI_CLIENT_ID": "x",
            "EDXTUI_CLIENT_SECRET": "y",
        },
    )
    assert creds.api_root == "https://discovery.uni.edu/api/v1/"


def test_sandbox_preset_matches_the_sandbox_defaults():
    from edxtui.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
    from edxtui.sandbox.wire import API_ROOTS, DEFAULT_PORT, TOKEN_PATHS

    profile, creds = resolve("sandbox", env={})
    base = f"http://127.0.0.1:{DEFAULT_PORT}"
    assert creds.token_url == base + TOKEN_PATHS["openedx"]
    assert creds.api_root == base + API_ROOTS["openedx"]
    assert (creds.client_id, creds.client_secret) == (SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)


# --- precedence: flags > environment > profile --------------------------------------------


def test_flags_beat_env_beat_profile(tmp_path):
    save_profile(example(), "profile-secret")
    env = {
        "EDXTUI_TOKEN_URL": "https://env.example.com/token",
        "EDXTUI_CLIENT_ID": "env-client",
        "EDXTUI_CLIENT_SECRET": "env-secret",
    }
    # env beats profile for what env sets; the rest comes from the profile
    _, creds = resolve("work", env=env)
    assert creds.token_url == "https://env.example.com/token"
    assert creds.api_root == "https://discovery.example.com/api/v1/"
    assert creds.client_id == "env-client"
    assert creds.client_secret == "env-secret"
    # flags beat env
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("file-secret\n")
    _, creds = resolve(
        "work",
        token_url="https://flag.example.com/token",
        api_url="https://flag.example.com/api",
        client_id="flag-client",
        client_secret_file=str(secret_file),
        env=env,
    )
    assert creds.token_url == "https://flag.example.com/token"
    assert creds.api_root == "https://flag.example.com/api/"
    assert creds.client_id == "flag-client"
    assert creds.client_secret == "file-secret"
    # nothing overridden: the profile and its stored secret
    _, creds = resolve("work", env={})
    assert (creds.client_id, creds.client_secret) == ("my-client", "profile-secret")


def test_env_profile_selects_and_default_is_used_otherwise():
    save_profile(example("one"), "s1")
    save_profile(example("two", client_id="c2"), "s2")
    assert load_config().default == "one"  # the first saved profile becomes the default
    assert resolve(env={})[0].name == "one"
    assert resolve(env={"EDXTUI_PROFILE": "two"})[1].client_id == "c2"
    assert resolve("one", env={"EDXTUI_PROFILE": "two"})[0].name == "one"  # flag wins


def test_environment_alone_is_enough_without_any_profile():
    profile, creds = resolve(
        env={
            "EDXTUI_TOKEN_URL": "https://lms.example.com/oauth2/access_token",
            "EDXTUI_API_URL": "https://discovery.example.com/api/v1/",
            "EDXTUI_CLIENT_ID": "cid",
            "EDXTUI_CLIENT_SECRET": "sec",
        }
    )
    assert creds.client_secret == "sec"
    assert profile.name == "(environment)"


def test_nothing_configured_says_what_to_do():
    with pytest.raises(ConfigError, match="no profile chosen") as info:
        resolve(env={})
    assert "--profile" in info.value.hint


def test_unknown_profile_lists_the_known_ones():
    save_profile(example(), "s")
    with pytest.raises(ConfigError, match="unknown profile 'nope'") as info:
        resolve("nope", env={})
    assert "work" in info.value.hint and "sandbox" in info.value.hint
    assert info.value.exit_code == 2


def test_missing_secret_names_the_three_ways():
    save_profile(example(), None)
    with pytest.raises(ConfigError) as info:
        resolve("work", env={})
    text = str(info.value)
    assert "no client secret for profile work" in text
    assert "EDXTUI_CLIENT_SECRET" in text and "--client-secret-file" in text


def test_secret_from_stdin_dash(monkeypatch):
    save_profile(example(), None)
    monkeypatch.setattr("sys.stdin", io.StringIO("piped-secret\n"))
    _, creds = resolve("work", client_secret_file="-", env={})
    assert creds.client_secret == "piped-secret"


def test_the_secret_is_the_files_first_line(tmp_path):
    save_profile(example(), None)
    secret_file = tmp_path / "secret"
    secret_file.write_bytes(b"first-line-secret\r\nsecond line\n")
    assert resolve("work", client_secret_file=str(secret_file), env={})[1].client_secret == (
        "first-line-secret"
    )


def test_unreadable_or_empty_secret_file(tmp_path):
    save_profile(example(), None)
    with pytest.raises(ConfigError, match="cannot read the client secret file"):
        resolve("work", client_secret_file=str(tmp_path / "missing"), env={})
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        resolve("work", client_secret_file=str(empty), env={})


def test_a_secret_file_others_can_read_gets_the_configs_warning(tmp_path):
    save_profile(example(), None)
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    for mode, expected in ((0o644, True), (0o640, True), (0o600, False), (0o400, False)):
        os.chmod(secret_file, mode)
        seen: list[str] = []
        creds = resolve("work", client_secret_file=str(secret_file), env={}, warn=seen.append)
        assert creds[1].client_secret == SECRET
        if expected:
            assert seen == [
                f"{secret_file} holds a client secret but its mode is {mode:04o}; "
                f"run: chmod 600 {secret_file}"
            ]
        else:
            assert seen == []


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\n\n"])
def test_a_trailing_newline_on_the_environment_secret_is_not_part_of_it(ending):
    save_profile(example(), None)
    _, creds = resolve("work", env={"EDXTUI_CLIENT_SECRET": SECRET + ending})
    assert creds.client_secret == SECRET


# --- URL rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/t", "http://127.5.6.7/t", "http://[::1]:9/t", "http://localhost/t"],
)
def test_plain_http_is_fine_on_loopback(url):
    assert check_url(url, what="token URL") == url


def test_plain_http_elsewhere_is_refused_unless_insecure():
    url = "http://lms.example.com/oauth2/access_token"
    with pytest.raises(ConfigError) as info:
        save_profile(example(token_url=url), "s")
    assert url in str(info.value) and "insecure = true" in info.value.hint
    # saved by hand with insecure = true it is accepted
    save_profile(example(token_url=url, insecure=True), "s")
    assert resolve("work", env={})[1].insecure is True
    # and an env override to http on a secure profile is refused too
    save_profile(example("safe"), "s")
    with pytest.raises(ConfigError, match="refusing plain http to 10.0.0.5"):
        resolve("safe", env={"EDXTUI_API_URL": "http://10.0.0.5/api/v1/"})


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://host/x", "must be an http(s) URL"),
        ("https:///nohost", "must be an http(s) URL"),
        ("not a url", "not a valid URL"),
        ("https://user:pw@host/x", "user name or password"),
        ("https://host:99999/x", "not a valid URL"),
    ],
)
def test_bad_urls_are_refused(url, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")) as info:
        check_url(url, what="token URL")
    assert "pw" not in str(info.value)


def test_bad_profile_names_are_refused():
    for name in ("", "has space", "-lead", "a" * 65, "x/y"):
        with pytest.raises(ConfigError, match="invalid profile name"):
            save_profile(example(name), "s")


# --- storage: keyring or 0600 file ---------------------------------------------------------


def test_without_keyring_the_secret_goes_to_a_0600_file_in_a_0700_folder(isolated_config):
    result = save_profile(example(), SECRET)
    path = isolated_config / "config.toml"
    assert result.storage == "file"
    assert result.message == f"secret saved in {path} (mode 0600)"
    assert mode_of(path) == 0o600
    assert mode_of(isolated_config) == 0o700
    data = tomllib.loads(path.read_text())
    assert data["profiles"]["work"]["client_secret"] == SECRET
    assert resolve("work", env={})[1].client_secret == SECRET
    assert load_config().warnings == []


def test_with_a_working_keyring_the_secret_stays_out_of_the_file(isolated_config, use_keyring):
    ring = use_keyring(MemoryKeyring())
    assert config.keyring_available()
    result = save_profile(example(), SECRET)
    assert result.storage == "keyring"
    assert result.message == "secret saved in the system keyring"
    assert ring.store[("edxtui", "work")] == SECRET
    assert SECRET not in (isolated_config / "config.toml").read_text()
    assert resolve("work", env={})[1].client_secret == SECRET
    config.delete_profile("work")
    assert ring.store == {}
    assert "work" not in load_config().profiles


def test_moving_from_file_to_keyring_removes_the_file_copy(isolated_config, use_keyring):
    save_profile(example(), "old-secret")
    assert "old-secret" in (isolated_config / "config.toml").read_text()
    use_keyring(MemoryKeyring())
    assert save_profile(example(), "new-secret").storage == "keyring"
    assert (
        "client_secret"
        not in tomllib.loads((isolated_config / "config.toml").read_text())["profiles"]["work"]
    )
    assert resolve("work", env={})[1].client_secret == "new-secret"


def test_a_keyring_that_fails_on_use_falls_back_to_the_file(isolated_config, use_keyring):
    use_keyring(BrokenKeyring())
    result = save_profile(example(), SECRET)
    assert result.storage == "file"
    assert mode_of(isolated_config / "config.toml") == 0o600


class DroppingKeyring(MemoryKeyring):
    """A keyring that says it stored the secret and keeps nothing (a broken Secret Service)."""

    def set_password(self, service, username, password):
        pass  # no error: a save that is silently dropped


class GarblingKeyring(MemoryKeyring):
    """A keyring that keeps something other than what it was given (a truncating backend)."""

    def set_password(self, service, username, password):
        super().set_password(service, username, password[:4])


@pytest.mark.parametrize("ring", [DroppingKeyring, GarblingKeyring])
def test_a_keyring_that_claims_to_store_is_read_back_and_the_file_used_instead(
    isolated_config, use_keyring, ring
):
    use_keyring(ring())
    result = save_profile(example(), SECRET)
    path = isolated_config / "config.toml"
    assert result.storage == "file"
    assert result.message == (
        f"the system keyring did not keep the secret; secret saved in {path} (mode 0600) instead"
    )
    assert tomllib.loads(path.read_text())["profiles"]["work"]["client_secret"] == SECRET
    assert mode_of(path) == 0o600
    assert resolve("work", env={})[1].client_secret == SECRET


def test_the_config_folder_is_set_back_to_0700_on_every_save(isolated_config):
    save_profile(example(), SECRET)
    os.chmod(isolated_config, 0o755)
    save_profile(example("other"), None)
    assert mode_of(isolated_config) == 0o700
    os.chmod(isolated_config, 0o755)
    config.delete_profile("other")
    assert mode_of(isolated_config) == 0o700


def test_the_fail_backend_counts_as_no_keyring():
    assert not config.keyring_available()


def test_loose_permissions_give_a_one_line_warning_when_a_secret_is_inside(isolated_config):
    save_profile(example(), SECRET)
    path = isolated_config / "config.toml"
    os.chmod(path, 0o644)
    warnings = load_config().warnings
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "0644" in warnings[0] and "chmod 600" in warnings[0]
    os.chmod(isolated_config, 0o755)
    seen: list[str] = []
    resolve("work", env={}, warn=seen.append)
    assert len(seen) == 2 and "chmod 700" in seen[1]
    assert all(SECRET not in line for line in seen)


def test_loose_permissions_without_a_secret_are_not_worth_a_warning(isolated_config):
    save_profile(example(), None)
    os.chmod(isolated_config / "config.toml", 0o644)
    assert load_config().warnings == []


def test_a_crash_between_temp_write_and_rename_leaves_the_old_file(isolated_config, monkeypatch):
    save_profile(example(), "first")
    path = isolated_config / "config.toml"
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError("simulated power loss")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        save_profile(example(), "second")
    assert path.read_bytes() == before
    left = {p.name for p in isolated_config.iterdir()} - {"config.toml.lock"}
    assert left == {"config.toml"}  # no temp file left


def test_write_atomic_gives_the_temp_file_its_mode_before_the_rename(isolated_config, monkeypatch):
    seen = {}
    real_replace = os.replace

    def spy(src, dst):
        seen["mode"] = mode_of(src)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    save_profile(example(), SECRET)
    assert seen["mode"] == 0o600


def test_a_broken_config_file_is_a_config_error(isolated_config):
    isolated_config.mkdir(parents=True)
    (isolated_config / "config.toml").write_text("[profiles.x\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        resolve("x", env={})
    (isolated_config / "config.toml").write_text("[profiles.x]\ninsecure = 'yes'\n")
    with pytest.raises(ConfigError, match="insecure of profile 'x' must be true or false"):
        load_config()


@settings(max_examples=60)
@given(secret=st.text(min_size=1).filter(lambda s: s.strip("\r\n") == s), cid=st.text())
def test_any_secret_and_client_id_round_trip_through_the_file(secret, cid):
    save_profile(example(client_id=cid), secret)
    loaded = load_config()
    assert loaded.file_secrets["work"] == secret
    assert loaded.profiles["work"].client_id == cid
