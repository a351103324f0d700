"""The CLI's configuration side: profiles, exit codes and messages for bad set-ups.

Everything here fails (or succeeds) before any network traffic, so no server is needed.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from fs_objects import as_nobody, fill_disk, temp_files, tiny_tmpfs

from edxtui import __version__, cli, config
from edxtui.cli import profile as cli_profile
from edxtui.cli import secrets as cli_secrets

SECRET = "very-secret-value-123"
SAVE_OTHER = (
    "profile", "save", "other", "--token-url", "https://lms.example.com/oauth2/access_token",
    "--api-url", "https://discovery.example.com/api/v1", "--client-id", "cid",
    "--client-secret-file",
)  # fmt: skip


def secret_file(tmp_path) -> Path:
    path = tmp_path / "other-secret"
    path.write_text(SECRET + "\n")
    os.chmod(path, 0o600)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    return code, out, err


def save_work(tmp_path, capsys, secret: str = SECRET, *extra: str) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(secret + "\n")
    code, out, err = run(
        capsys,
        "profile",
        "save",
        "work",
        "--token-url",
        "https://lms.example.com/oauth2/access_token",
        "--api-url",
        "https://discovery.example.com/api/v1",
        "--client-id",
        "cid",
        "--client-secret-file",
        str(secret_file),
        *extra,
    )
    assert code == 0, err
    assert SECRET not in out + err


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert (code, out.strip()) == (0, f"edxtui {__version__}")


def test_usage_errors_exit_2_with_a_short_message(capsys):
    code, out, err = run(capsys, "get")
    assert code == 2 and out == ""
    assert "the following arguments are required: PATH_OR_URL" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "export", "1", "--concurrency", "0")
    assert code == 2 and "must be at least 1" in err
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err


def test_the_explorers_flags_alone_build_no_command_parsers_and_help_still_lists_them(capsys):
    # `edxtui --sandbox` is the launch the start-up benchmark counts: its line names no
    # command, so the commands' nine parsers are not built for it.
    parser = cli.build_parser(["--sandbox"])
    assert parser._subparsers is None  # argparse keeps its subcommands' group there
    assert parser.parse_args(["--sandbox"]).sandbox
    code, _, err = run(capsys, "--sandbox", "--no-such-flag")
    assert code == 2 and "unrecognized arguments: --no-such-flag" in err
    code, out, _ = run(capsys, "--help")
    assert code == 0 and all(name in out for name in ("token", "get", "export", "profile"))


@pytest.mark.parametrize(
    "argv",
    [
        ("token", "--profile", "sandbox", "--client-secret", SECRET),
        ("--client-secret", SECRET, "token"),
        ("get", "catalogs/", f"--client-secret={SECRET}"),
    ],
)
def test_there_is_no_secret_flag_and_the_value_is_never_echoed(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert "there is no --client-secret flag" in err and "--client-secret-file" in err


@pytest.mark.parametrize(
    "argv",
    [(SECRET,), ("export", "1", "--concurrency", SECRET), ("export", "1", "--format", SECRET)],
)
def test_usage_errors_never_echo_what_was_typed(capsys, argv):
    code, out, err = run(capsys, *argv)  # run() asserts SECRET is in neither stream
    assert code == 2 and ("invalid" in err or "must be" in err)


def test_get_usage_errors_come_before_any_configuration(capsys):
    code, _, err = run(capsys, "get", "catalogs/", "--param", "limit")
    assert code == 2 and "--param wants KEY=VALUE" in err
    code, _, err = run(capsys, "get", "catalogs/", "--param", "a=1", "--param", SECRET)
    assert code == 2 and "parameter 2 is not" in err  # run() asserts SECRET is not shown
    code, _, err = run(capsys, "get", "catalogs/", "-i", "--all-pages")
    assert code == 2 and "cannot go with --all-pages" in err
    code, _, err = run(capsys, "get", "catalogs/", "--raw", "--pretty")
    assert code == 2 and "not allowed with" in err


def test_profile_save_show_list_delete(tmp_path, capsys, isolated_config):
    save_work(tmp_path, capsys)
    path = isolated_config / "config.toml"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    code, out, err = run(capsys, "profile", "show", "work")
    assert code == 0
    assert "https://discovery.example.com/api/v1/" in out
    assert f"in {path}" in out  # where the secret is, never the secret
    assert SECRET not in out + err

    code, out, _ = run(capsys, "profile", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("* work")  # the first saved profile is the default
    assert any(line.strip().startswith("sandbox") for line in lines)

    code, out, _ = run(capsys, "profile", "delete", "work")
    assert code == 0
    assert "work" not in config.load_config().profiles
    code, _, err = run(capsys, "profile", "delete", "work")
    assert code == 2 and "no saved profile named 'work'" in err


def test_profile_save_reports_the_file_storage(tmp_path, capsys, isolated_config):
    secret_file = tmp_path / "s"
    secret_file.write_text(SECRET)
    code, out, err = run(
        capsys, "profile", "save", "uni", "--preset", "edx.org", "--client-id", "c",
        "--client-secret-file", str(secret_file),
    )  # fmt: skip
    assert code == 0, err
    assert f"secret saved in {isolated_config / 'config.toml'} (mode 0600)" in out
    assert SECRET not in out + err


def test_profile_save_reads_the_secret_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    code, out, err = run(
        capsys, "profile", "save", "uni", "--preset", "edx.org", "--client-id", "c",
        "--client-secret-file", "-",
    )  # fmt: skip
    assert code == 0, err
    assert config.resolve("uni", env={})[1].client_secret == SECRET


def test_profile_save_with_placeholder_hosts_is_a_config_error(capsys):
    code, out, err = run(
        capsys, "profile", "save", "uni", "--preset", "openedx", "--client-id", "c", "--no-secret"
    )
    assert code == 2
    assert "placeholder host lms.example.org" in err
    assert len(err.strip().splitlines()) == 2  # what happened, what to do


def test_unknown_profile_exits_2(capsys):
    code, out, err = run(capsys, "token", "--profile", "nope")
    assert code == 2 and out == ""
    assert "unknown profile 'nope'" in err and "known profiles:" in err
    assert len(err.strip().splitlines()) == 2


def test_missing_secret_exits_2_and_says_how(tmp_path, capsys):
    code, _, _ = run(
        capsys, "profile", "save", "work", "--preset", "edx.org", "--client-id", "c", "--no-secret"
    )
    assert code == 0
    code, out, err = run(capsys, "get", "catalogs/", "--profile", "work")
    assert code == 2 and out == ""
    assert "no client secret for profile work" in err
    assert "EDXTUI_CLIENT_SECRET" in err and "--client-secret-file" in err


def test_plain_http_to_a_remote_host_exits_2(capsys, monkeypatch):
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)
    code, out, err = run(
        capsys,
        "token",
        "--profile",
        "edx.org",
        "--client-id",
        "c",
        "--token-url",
        "http://lms.example.com/oauth2/access_token",
    )
    assert code == 2 and out == ""
    assert "refusing plain http to lms.example.com" in err
    assert "insecure" in err
    assert SECRET not in err


def test_profile_save_warns_about_a_secret_file_others_can_read(tmp_path, capsys):
    path = secret_file(tmp_path)
    os.chmod(path, 0o644)
    code, out, err = run(capsys, *SAVE_OTHER, str(path))
    assert code == 0, err
    assert err.splitlines() == [
        f"edxtui: warning: {path} holds a client secret but its mode is 0644; run: chmod 600 {path}"
    ]


def test_loose_config_permissions_warn_on_one_line(tmp_path, capsys, isolated_config):
    save_work(tmp_path, capsys)
    os.chmod(isolated_config / "config.toml", 0o640)
    code, out, err = run(capsys, "profile", "list")
    assert code == 0
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "chmod 600" in warnings[0]


# --- a config that cannot be written: one line naming the path, nothing changed ------------


def test_profile_save_on_a_full_disk_says_so_and_changes_nothing(tmp_path, capsys, monkeypatch):
    with tiny_tmpfs(tmp_path / "small") as small:
        folder = small / "edxtui"
        monkeypatch.setenv("EDXTUI_CONFIG_DIR", str(folder))
        save_work(tmp_path, capsys)
        before = (folder / "config.toml").read_bytes()
        fill_disk(small)
        code, out, err = run(capsys, *SAVE_OTHER, str(secret_file(tmp_path)))
        assert code == 1 and out == ""
        assert err.splitlines()[0] == (
            f"edxtui: cannot write {folder / 'config.toml'}: No space left on device; "
            "nothing was changed"
        )
        assert len(err.splitlines()) == 2 and "internal error" not in err
        assert (folder / "config.toml").read_bytes() == before
        assert temp_files(folder) == []


def test_profile_save_into_a_folder_it_may_not_write_says_so(capsys, monkeypatch):
    # A folder nobody may enter but not write (tmp_path's parents are root's 0700 folders).
    parent = Path(tempfile.mkdtemp(prefix="edxtui-test-"))
    try:
        os.chmod(parent, 0o755)
        folder = parent / "edxtui"
        monkeypatch.setenv("EDXTUI_CONFIG_DIR", str(folder))
        monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
        with as_nobody():
            code, out, err = run(capsys, *SAVE_OTHER, "-")
        assert code == 1 and out == ""
        assert err.splitlines() == [
            f"edxtui: cannot write {folder}: Permission denied; nothing was changed",
            "edxtui: pick a file and folder you can write to",
        ]
        assert list(parent.iterdir()) == []
    finally:
        shutil.rmtree(parent)


def test_profile_save_under_a_file_not_a_folder_says_so(tmp_path, capsys, monkeypatch):
    (tmp_path / "plain-file").write_text("x")
    folder = tmp_path / "plain-file" / "edxtui"
    monkeypatch.setenv("EDXTUI_CONFIG_DIR", str(folder))
    code, out, err = run(capsys, *SAVE_OTHER, str(secret_file(tmp_path)))
    assert code == 2 and out == ""  # found when reading the config, before any write
    assert err.splitlines() == [
        f"edxtui: cannot read {folder / 'config.toml'}: Not a directory; nothing was changed",
    ]
    assert (tmp_path / "plain-file").read_text() == "x"


def test_an_unexpected_exception_is_one_line_without_secrets(capsys, monkeypatch):
    def boom(args):
        raise RuntimeError(f"bad thing with {SECRET}")

    cli_secrets.values.add(SECRET)
    monkeypatch.setattr(cli_profile, "cmd_profile_list", boom)
    code, out, err = run(capsys, "profile", "list")
    assert code == 1
    assert err.count("\n") == 1
    assert "internal error: RuntimeError" in err and "EDXTUI_DEBUG=1" in err
    assert SECRET not in err and "Traceback" not in err


def test_keyboard_interrupt_is_130_and_quiet(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_profile, "cmd_profile_list", interrupted)
    code, out, err = run(capsys, "profile", "list")
    assert code == 130 and "Traceback" not in err and err.strip() == ""


# --- the default command opens the TUI: what it hands to run_app -----------------------------


@pytest.fixture
def fake_run_app(monkeypatch):
    """Stand in for the TUI (tested on its own): record what the CLI passes to run_app."""
    from edxtui.tui import app

    calls: list[dict] = []

    def run_app(**kwargs):
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(app, "run_app", run_app)
    return calls


def test_no_command_opens_the_tui_on_the_sandbox(capsys, fake_run_app):
    code, _, _ = run(capsys, "--sandbox")
    assert code == 0
    assert fake_run_app == [{"credentials": None, "profile_name": None, "sandbox": True}]


def test_sandbox_options_reach_the_tui(capsys, fake_run_app):
    code, _, _ = run(capsys, "--sandbox", "--sandbox-expires-in", "20", "--sandbox-layout", "edx")
    assert code == 0
    assert fake_run_app[0]["sandbox_options"] == {"expires_in": 20, "layout": "edx"}
    code, _, err = run(capsys, "--sandbox-expires-in", "20")
    assert code == 2 and "need --sandbox" in err


def test_no_command_opens_the_tui_on_the_default_profile(tmp_path, capsys, fake_run_app):
    save_work(tmp_path, capsys)
    code, _, _ = run(capsys)
    assert code == 0
    (call,) = fake_run_app
    assert call["profile_name"] == "work" and call["sandbox"] is False
    assert call["credentials"].client_secret == SECRET


def test_no_command_with_nothing_configured_opens_the_credentials_screen(capsys, fake_run_app):
    code, _, err = run(capsys)
    assert code == 0 and err == ""
    assert fake_run_app[0]["credentials"] is None


def test_no_command_with_an_unknown_profile_exits_2(capsys, fake_run_app):
    code, _, err = run(capsys, "--profile", "nope")
    assert code == 2 and "unknown profile 'nope'" in err
    assert fake_run_app == []


def test_no_command_with_a_named_profile_that_cannot_work_exits_2(capsys, fake_run_app):
    code, _, err = run(capsys, "--profile", "openedx")
    assert code == 2 and "placeholder host" in err
    assert fake_run_app == []


def test_no_command_uses_credentials_from_the_environment(capsys, fake_run_app, monkeypatch):
    monkeypatch.setenv("EDXTUI_TOKEN_URL", "https://lms.example.com/oauth2/access_token")
    monkeypatch.setenv("EDXTUI_API_URL", "https://discovery.example.com/api/v1/")
    monkeypatch.setenv("EDXTUI_CLIENT_ID", "cid")
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)
    code, _, _ = run(capsys)
    assert code == 0
    creds = fake_run_app[0]["credentials"]
    assert (creds.client_id, creds.client_secret) == ("cid", SECRET)


def test_a_top_level_profile_applies_to_the_command_too(tmp_path, capsys):
    save_work(tmp_path, capsys)
    save_work(tmp_path, capsys)  # idempotent
    code, _, err = run(capsys, "profile", "save", "other", "--preset", "edx.org",
                       "--client-id", "x", "--no-secret")  # fmt: skip
    assert code == 0, err
    # `other` has no secret: the error names it, proving --profile before the command counts
    code, _, err = run(capsys, "--profile", "other", "token")
    assert code == 2 and "no client secret for profile other" in err
