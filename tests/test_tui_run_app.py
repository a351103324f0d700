"""How the app decides where to start: default profile, credentials screen, embedded sandbox."""

from __future__ import annotations

import httpx
import pytest

from edxtui import config
from edxtui.tui import app as app_module


def test_default_profile_gives_credentials(sandbox):
    profile = config.Profile(
        "work", sandbox.token_url("openedx"), sandbox.api_root("openedx"), sandbox.client_id
    )
    config.save_profile(profile, sandbox.client_secret, make_default=True)
    credentials, name, notice = app_module._default_credentials()
    assert name == "work" and notice is None
    assert credentials.api_root == sandbox.api_root("openedx")
    assert credentials.client_secret == sandbox.client_secret


def test_no_profile_means_the_credentials_screen_without_a_warning():
    credentials, name, notice = app_module._default_credentials()
    assert credentials is None and name is None and notice is None


def test_run_app_with_sandbox_starts_and_stops_the_server(monkeypatch):
    seen = {}

    def fake_run(self):  # the terminal part is exercised in tmux; here: what run_app wires
        seen["credentials"] = self.initial_credentials
        seen["embedded"] = self.embedded
        seen["profile"] = self.profile_name
        import httpx

        seen["reachable"] = httpx.get(
            self.embedded.api_root.replace("/api/v1/", "/_sandbox/counters")
        ).status_code
        self.exit(0)
        return 0

    monkeypatch.setattr(app_module.EdxApp, "run", fake_run)
    code = app_module.run_app(credentials=None, profile_name=None, sandbox=True)
    assert code == 0
    assert seen["profile"] == "sandbox" and seen["credentials"] == seen["embedded"]
    assert seen["reachable"] == 200
    # Stopped on exit: the port no longer answers.
    with pytest.raises(httpx.TransportError):
        httpx.get(seen["embedded"].api_root, timeout=2)


async def test_a_dead_sandbox_child_is_named_in_one_toast():
    """If the sandbox's child process dies, the app says so, not just 'connection refused'."""
    from tui_helpers import wait_for

    from edxtui.tui import sandbox_child

    process = sandbox_child.take({})
    try:
        process._process.kill()  # a child that died before serving
        process._process.wait()
        app = app_module.EdxApp(credentials=process.credentials(), profile_name="sandbox")
        app.sandbox_failure = process.failure
        async with app.run_test(size=(120, 30)) as pilot:
            toasts = lambda: [n.message for n in app._notifications]  # noqa: E731
            await wait_for(pilot, lambda: any("sandbox" in m for m in toasts()), "a toast")
            (said,) = [m for m in toasts() if "sandbox" in m]
            assert said.startswith("The sandbox did not start: ")
            assert "\n" not in said
    finally:
        process.stop()
