"""Secrets stay where they belong, across a whole session, failures included.

A sandbox client whose secret is a sentinel string is added for these tests, and every access
token the sandbox issues is recorded server-side. Everything the app writes is captured:
stdout and stderr of the commands, every log record at DEBUG (the root logger, httpx and
httpcore included), the str and repr of every error, the exchange log (URLs, headers, bodies),
curl commands, TUI screens (SVG screenshots and the compositor's text), the config file.

Allowed places (checked positively too, so the search is shown to find what it looks for):
the token in the `token` command's output, in a clipboard copy, in a curl command the user
asked to reveal; the secret in the keyring (an in-memory backend here) or the 0600 config file.

Config writes are atomic: a process SIGKILLed in the middle of a write leaves the old file.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import stat
import subprocess
import sys
import textwrap
import tomllib

import keyring
import pytest
from keyring.backend import KeyringBackend
from sandbox_fixtures import sentinel_sandbox
from screen_text import screen_lines, svg_text
from tui_helpers import open_explorer, wait_for

from edxtui import cli, config
from edxtui.api import EdxError, Session
from edxtui.api.catalog import fetch_all
from edxtui.sandbox.catalogs import CATALOG_ALL

SECRET = "Sentinel-S3cret-7c41e9aa"  # what no output may contain
CLIENT_ID = "sentinel-client"


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process (the system one is off in tests)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def server(make_sandbox, monkeypatch):
    """A sandbox that knows the sentinel client and records every token it issues."""
    return sentinel_sandbox(make_sandbox, monkeypatch, CLIENT_ID, SECRET)


class Everything(logging.Handler):
    """Every log record of the process, formatted with its arguments and traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def all_logs():
    handler = Everything()
    root = logging.getLogger()
    names = ["", "httpx", "httpcore", "edxtui", "asyncio", "uvicorn", "textual"]
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


class Capture:
    """Named pieces of output; `leaks()` lists every place a secret or token shows up."""

    def __init__(self, server) -> None:
        self.server = server
        self.parts: list[tuple[str, str]] = []

    def add(self, where: str, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "backslashreplace")
        self.parts.append((where, text))

    def needles(self) -> dict[str, str]:
        found = {"client secret": SECRET}
        for n, token in enumerate(self.server.issued):
            found[f"token {n}"] = token
            found[f"token {n} signature"] = token.rsplit(".", 1)[1]
        return found

    def leaks(self) -> list[str]:
        assert self.server.issued, "no token was issued: the capture proves nothing"
        return [
            f"{name} in {where}"
            for where, text in self.parts
            for name, needle in self.needles().items()
            if needle in text
        ]


def dump_exchanges(session: Session, capture: Capture) -> None:
    for exchange in session.log:
        capture.add(f"exchange {exchange.id} repr", repr(exchange))
        capture.add(f"exchange {exchange.id} url", exchange.url)
        capture.add(f"exchange {exchange.id} headers", repr(exchange.request_headers))
        capture.add(f"exchange {exchange.id} response headers", repr(exchange.response_headers))
        capture.add(f"exchange {exchange.id} request body", exchange.request_body)
        capture.add(f"exchange {exchange.id} body", exchange.body)
        capture.add(f"exchange {exchange.id} error", str(exchange.error))
        capture.add(f"exchange {exchange.id} curl", session.curl(exchange))


# --- the headless core ------------------------------------------------------------------------


async def test_core_session_with_failures_leaks_nothing(server, all_logs):
    capture = Capture(server)
    creds = server.credentials("openedx", client_id=CLIENT_ID, client_secret=SECRET)
    capture.add("credentials repr", repr(creds))
    capture.add("credentials str", str(creds))
    errors: list[BaseException] = []

    async def attempt(coro) -> None:
        try:
            await coro
        except EdxError as err:
            errors.append(err)

    async with Session(creds) as session:
        await attempt(session.get_json("catalogs/"))
        await attempt(fetch_all(session, f"catalogs/{CATALOG_ALL}/courses/", {"limit": 100}))
        server.revoke_tokens()  # the next call meets a 401 and replaces the token
        await attempt(session.get_json("catalogs/"))
        for faults in (
            {"errors": {"count": 1, "status": 500}},
            {"not_json": 1},
            {"errors": {"count": -1, "status": 401}},
            {"token_throttle": 1, "revoke_tokens": True},
            {"errors": {"count": 1, "status": 400, "scope": "token"}},
        ):
            server.reset()
            server.faults.update(**faults)
            await attempt(session.get_json("catalogs/"))
        server.reset()
        await attempt(session.tokens.refresh())
        await attempt(session.get_json("catalogs/"))
        live = session.tokens.current_token
        capture.add("session repr", repr(session))
        capture.add("token manager repr", repr(session.tokens))
        capture.add("token state repr", repr(session.tokens.state()))
        dump_exchanges(session, capture)
        revealed = session.curl(next(e for e in session.log if e.kind == "api"), True)

    assert len(errors) >= 4 and len(server.issued) >= 3
    for err in errors:
        capture.add(f"{type(err).__name__} str", str(err))
        capture.add(f"{type(err).__name__} repr", repr(err))
        capture.add(f"{type(err).__name__} args", repr(err.args))
    capture.add("logs", "\n".join(all_logs.lines))
    assert any("httpx" in line for line in all_logs.lines)  # the debug logs were captured
    assert capture.leaks() == []
    # The search does find the token where the user asked for it.
    assert live in server.issued and live in revealed


# --- the command line, a whole session --------------------------------------------------------


def test_cli_session_leaks_nothing(server, all_logs, memory_keyring, capsys, tmp_path, monkeypatch):
    capture = Capture(server)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET + "\n")
    base = ["--profile", "sentinel"]
    commands = [
        ["profile", "save", "sentinel", "--token-url", server.token_url("openedx"),
         "--api-url", server.api_root("openedx"), "--client-id", CLIENT_ID,
         "--client-secret-file", str(secret_file)],
        ["profile", "show", "sentinel"],
        ["profile", "list"],
        ["get", "catalogs/", "-v", "-i", *base],
        ["get", "catalogs/", "--all-pages", "-v", *base],
        ["export", str(CATALOG_ALL), "-o", str(tmp_path / "out.csv"), "-v", *base],
        ["get", "https://elsewhere.invalid/api/v1/catalogs/", *base],  # refused: other origin
        ["get", "catalogs/", "--client-secret-file", str(tmp_path / "missing"), *base],
        ["get", "catalogs/", "--no-such-flag", SECRET, *base],  # values of unknown flags
    ]  # fmt: skip
    faulty = {
        "500": {"errors": {"count": -1, "status": 500, "scope": "any"}},
        "revoked": {"revoke_tokens": True},
        "throttled": {"token_throttle": 1, "revoke_tokens": True},
        "401": {"errors": {"count": -1, "status": 401}},
        "dropped": {"drop": -1},
    }
    codes = []
    for argv in commands:
        codes.append(cli.main(argv))
        out, err = capsys.readouterr()
        capture.add(f"stdout of {argv[:2]}", out)
        capture.add(f"stderr of {argv[:2]}", err)
    for name, faults in faulty.items():
        server.reset()
        server.faults.update(**faults)
        for argv in (["get", "catalogs/", "-v", *base], ["token", *base]):
            codes.append(cli.main(argv))
            out, err = capsys.readouterr()
            if argv[0] != "token" or codes[-1] != 0:
                capture.add(f"stdout of {argv[:2]} with {name}", out)
            capture.add(f"stderr of {argv[:2]} with {name}", err)
    monkeypatch.setenv("EDXTUI_DEBUG", "1")
    server.reset()
    assert codes[:6] == [0, 0, 0, 0, 0, 0] and codes[6:9] == [2, 2, 2]
    assert codes[9:] == [1, 1, 0, 0, 1, 0, 1, 0, 1, 0], codes  # the faults did bite

    # The token command prints the token and nothing else: the one allowed place.
    assert cli.main(["token", *base]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == server.issued[-1] and err == ""

    config_text = config.config_path().read_text()
    capture.add("config file", config_text)
    capture.add("export file", (tmp_path / "out.csv").read_text())
    capture.add("logs", "\n".join(all_logs.lines))
    assert capture.leaks() == []
    assert memory_keyring.store == {("edxtui", "sentinel"): SECRET}  # the secret's one home


def test_a_secret_passed_to_a_flag_that_does_not_exist_is_not_echoed(capsys):
    code = cli.main(["--client-secret", SECRET, "token"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "--client-secret" in err  # says what was wrong
    assert SECRET not in out + err


def test_without_keyring_the_secret_lives_only_in_the_0600_file(server, capsys, tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    code = cli.main(
        ["profile", "save", "sentinel", "--token-url", server.token_url("openedx"),
         "--api-url", server.api_root("openedx"), "--client-id", CLIENT_ID,
         "--client-secret-file", str(secret_file)]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and SECRET not in out + err
    path = config.config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = tomllib.loads(path.read_text())
    assert SECRET in path.read_text()
    assert cli.main(["get", "catalogs/", "--profile", "sentinel"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["count"] >= 1 and SECRET not in out + err
    assert saved  # parses


# --- the TUI ----------------------------------------------------------------------------------


async def test_tui_session_leaks_nothing(server, all_logs):
    from edxtui.tui.app import EdxApp

    capture = Capture(server)
    creds = server.credentials("openedx", client_id=CLIENT_ID, client_secret=SECRET)
    app = EdxApp(credentials=creds, profile_name="sentinel", use_system_clipboard=False)

    def shoot(where: str) -> None:
        capture.add(f"screenshot {where}", svg_text(app.export_screenshot()))
        capture.add(f"screen {where}", "\n".join(screen_lines(app)))

    async with app.run_test(size=(140, 45)) as pilot:
        await open_explorer(pilot)
        await wait_for(pilot, lambda: app.session.tokens.current_token, "a token")
        shoot("explorer")
        await pilot.press("t")  # the user asks for a copy of the token
        await wait_for(pilot, lambda: app.clipboard, "the copy")
        copied = app.clipboard
        await pilot.pause()
        shoot("after copy")
        server.faults.update(errors={"count": -1, "status": 500, "scope": "any"})
        server.revoke_tokens()
        await pilot.press("f")  # refresh now: fails
        await wait_for(pilot, lambda: app.session.tokens.state().last_error, "the failure")
        await pilot.pause()
        shoot("after a failed refresh")
        server.reset()
        await pilot.press("h")  # the history of exchanges
        await pilot.pause()
        shoot("history")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("c")  # the credentials screen, filled in with the live profile
        await wait_for(pilot, lambda: app.screen.query("#client-secret"), "credentials")
        assert app.screen.query_one("#client-secret").value == SECRET  # there, but masked
        await pilot.pause()
        shoot("credentials")
        await pilot.click("#reveal-secret")  # positive control: the person asks to see it
        await pilot.pause()
        assert SECRET in svg_text(app.export_screenshot())
        await pilot.press("escape")
        dump_exchanges(app.session, capture)
        live = app.session.tokens.current_token
    capture.add("logs", "\n".join(all_logs.lines))
    assert copied == server.issued[0] and copied not in (live or "") or copied == live
    assert capture.leaks() == []


# --- atomic config writes ---------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from edxtui import config

    where = sys.argv[1]
    real = {"replace": os.replace, "fsync": os.fsync}

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if where == "loop":  # write for ever; the parent kills us at an arbitrary moment
        n = 0
        while True:
            n += 1
            profile = config.Profile("p", "https://lms.atomic.test/oauth2/access_token",
                                     "https://catalog.atomic.test/api/v1/", f"client-{n}")
            config.save_profile(profile, f"secret-{n}")
            if n == 5:
                print("writing", flush=True)
    else:
        setattr(os, where, die)  # kill ourselves at that step of the write
        profile = config.Profile("p", "https://lms.atomic.test/oauth2/access_token",
                                 "https://catalog.atomic.test/api/v1/", "new-client")
        config.save_profile(profile, "new-secret")
    """
)


def _old_config() -> str:
    profile = config.Profile(
        "p",
        "https://lms.atomic.test/oauth2/access_token",
        "https://catalog.atomic.test/api/v1/",
        "old-client",
    )
    config.save_profile(profile, "old-secret")
    return config.config_path().read_text()


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_config_write_killed_midway_leaves_the_old_file(where):
    old = _old_config()
    proc = subprocess.run(
        [sys.executable, "-c", WRITER, where], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    path = config.config_path()
    assert path.read_text() == old
    loaded = config.load_config()
    assert loaded.profiles["p"].client_id == "old-client"
    assert config.stored_secret("p", loaded) == ("old-secret", "file")
    # a temp file may be left behind by the kill; it is private and never read as config
    for leftover in path.parent.iterdir():
        assert stat.S_IMODE(leftover.stat().st_mode) == 0o600


def test_config_always_whole_when_killed_at_any_moment():
    _old_config()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, "loop"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "writing"  # mid-stream of writes
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    loaded = config.load_config()
    assert loaded.warnings == [] or all("mode" not in w for w in loaded.warnings)
    client = loaded.profiles["p"].client_id
    n = int(client.split("-")[1])
    assert config.stored_secret("p", loaded) == (f"secret-{n}", "file")  # one whole version
