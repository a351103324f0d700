"""SandboxServer lifecycle and the `edxtui sandbox` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import selectors
import signal
import subprocess
import sys
import threading

import httpx
import pytest
from children import interruptible
from sandbox_fixtures import http

from edxtui.api.credentials import Credentials
from edxtui.sandbox import SandboxConfig, SandboxServer
from edxtui.sandbox.cli import add_sandbox_arguments, run_sandbox_command


def test_start_stop_leaves_no_threads_and_frees_the_port() -> None:
    before = set(threading.enumerate())
    server = SandboxServer().start()
    port = server.port
    assert http.get(server.base_url + "/_sandbox/ping").status_code == 200
    server.stop()
    assert set(threading.enumerate()) == before
    with pytest.raises(httpx.ConnectError):
        http.get(f"http://127.0.0.1:{port}/_sandbox/ping")
    server.stop()  # stopping twice is harmless


def test_two_servers_get_two_ports(make_sandbox) -> None:
    a, b = make_sandbox(), make_sandbox(seed=3)
    assert a.port != b.port
    assert a.base_url.startswith("http://127.0.0.1:")


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host="0.0.0.0").start()


def test_urls_and_credentials(sandbox) -> None:
    base = sandbox.base_url
    assert sandbox.token_url("edx") == base + "/oauth2/v1/access_token"
    assert sandbox.api_root("edx") == base + "/catalog/v1/"
    assert sandbox.token_url("openedx") == base + "/oauth2/access_token"
    assert sandbox.api_root("openedx") == base + "/api/v1/"
    creds = sandbox.credentials("edx")
    assert isinstance(creds, Credentials)
    assert (creds.token_url, creds.api_root, creds.client_id, creds.client_secret) == (
        sandbox.token_url("edx"), sandbox.api_root("edx"), "edxtui-sandbox", "sandbox-secret"
    )  # fmt: skip
    assert "sandbox-secret" not in repr(creds)
    with pytest.raises(ValueError):
        sandbox.token_url("moodle")


def test_config_or_keywords_not_both() -> None:
    with pytest.raises(TypeError):
        SandboxServer(SandboxConfig(), seed=1)


def test_custom_sizes(make_sandbox) -> None:
    sb = make_sandbox(courses=7, large_catalog_courses=12_345)
    token = http.post(
        sb.token_url(), data={"grant_type": "client_credentials", "client_id": sb.client_id,
                              "client_secret": sb.client_secret, "token_type": "jwt"},
    ).json()["access_token"]  # fmt: skip
    cats = http.get(sb.api_root() + "catalogs/", headers={"Authorization": f"JWT {token}"}).json()
    counts = {c["id"]: c["courses_count"] for c in cats["results"]}
    assert counts[1] == 7 and counts[6] == 12_345


async def test_serve_async_in_the_running_loop() -> None:
    server = SandboxServer()
    started = asyncio.Event()
    task = asyncio.create_task(server.serve_async(started))
    await asyncio.wait_for(started.wait(), 5)
    async with httpx.AsyncClient() as client:
        r = await client.get(server.base_url + "/_sandbox/ping")
    assert r.json() == {"ok": True}
    base = server.base_url
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(base + "/_sandbox/ping")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    return parser.parse_args(argv)


def test_cli_bad_fault_is_a_message_not_a_traceback(capsys) -> None:
    assert run_sandbox_command(parse(["--port", "0", "--fault", "errors=3:200"])) == 2
    err = capsys.readouterr().err
    assert "edxtui sandbox:" in err and "status" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [["--port", "70000"], ["--port", "-1"], ["--courses", "-3"], ["--cache-courses", "-1"]],
)
def test_cli_bad_numbers_are_messages(capsys, argv) -> None:
    assert run_sandbox_command(parse(argv)) == 2
    err = capsys.readouterr().err
    assert err.startswith("edxtui sandbox:") and "Traceback" not in err


def test_cli_port_in_use(sandbox, capsys) -> None:
    assert run_sandbox_command(parse(["--port", str(sandbox.port)])) == 1
    err = capsys.readouterr().err
    assert f"127.0.0.1:{sandbox.port}" in err and "--port" in err


def _read_until(proc: subprocess.Popen, marker: str, timeout: float = 15) -> str:
    out = ""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    while marker not in out:
        if not sel.select(timeout):
            raise AssertionError(f"no {marker!r} in time; got {out!r}")
        chunk = os.read(proc.stdout.fileno(), 4096).decode()
        if not chunk:
            raise AssertionError(f"process ended; got {out!r}")
        out += chunk
    return out


def test_foreground_command_serves_the_guide_session_and_stops_on_ctrl_c() -> None:
    proc = interruptible(
        [sys.executable, "-m", "edxtui.sandbox", "--port", "0", "--quiet", "--courses", "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        banner = _read_until(proc, "Ctrl-C stops it.")
        base = re.search(r"http://127\.0\.0\.1:\d+", banner).group()
        assert f"{base}/oauth2/v1/access_token" in banner and f"{base}/catalog/v1/" in banner
        assert f"{base}/oauth2/access_token" in banner and f"{base}/api/v1/" in banner
        assert "edxtui-sandbox" in banner and "sandbox-secret" in banner
        assert 'curl -s -H "Authorization: JWT $TOKEN"' in banner
        token = http.post(
            base + "/oauth2/v1/access_token",
            data={"grant_type": "client_credentials", "client_id": "edxtui-sandbox",
                  "client_secret": "sandbox-secret", "token_type": "jwt"},
        ).json()["access_token"]  # fmt: skip
        r = http.get(base + "/catalog/v1/catalogs/", headers={"Authorization": f"JWT {token}"})
        assert r.status_code == 200 and r.json()["results"][0]["courses_count"] == 40
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode()
    assert "stopped" in out.decode()
    assert "Traceback" not in err.decode()


def test_stop_does_not_wait_for_a_slow_request(make_sandbox) -> None:
    sb = make_sandbox(faults={"api_latency": 60})
    outcome: list[object] = []

    def slow() -> None:
        try:
            outcome.append(http.get(sb.api_root() + "catalogs/").status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    client = threading.Thread(target=slow)
    client.start()
    assert sb.counters.wait_until(lambda c: c.in_flight == 1, timeout=5)
    name = f"edxtui-sandbox:{sb.port}"
    assert any(t.name == name for t in threading.enumerate())
    sb.stop()  # joins the server thread with a 5 s limit: far less than the 60 s latency
    assert not any(t.name == name for t in threading.enumerate())
    client.join(timeout=5)
    assert not client.is_alive()
    assert len(outcome) == 1 and outcome[0] != 200  # cut off (uvicorn answers 500), not served
    assert sb.counters.in_flight == 0
