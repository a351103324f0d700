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
