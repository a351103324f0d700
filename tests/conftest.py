"""Shared test set-up.

Every test runs with its own empty config folder and with the system keyring switched off,
so no test reads or writes the real user's profiles or secrets. Sandbox fixtures live in
sandbox_fixtures.py (a real server on a free loopback port: no mocks).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from sandbox_fixtures import *  # noqa: F403  (sandbox_server, sandbox, make_sandbox)

# Hypothesis's per-example deadline (200 ms) and its "input generation is slow" health check
# are wall-clock asserts: on two cores shared with sandbox threads and child processes they
# fail now and then with nothing wrong in the code (seen on the token-response parser test).
# Tests here never assert on time, so both are off for every @given test. Examples are drawn
# from a fixed seed, so a full run is repeatable; HYPOTHESIS_PROFILE=explore draws new ones.
settings.register_profile(
    "repeatable",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def isolated_config(tmp_path, monkeypatch):
    """A private config dir, no keyring, no EDXTUI_* variables from the developer's shell."""
    config_dir = tmp_path / "config"
    monkeypatch.setenv("EDXTUI_CONFIG_DIR", str(config_dir))
    # the lasting history and the request bar's memory: never the developer's own
    monkeypatch.setenv("EDXTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in (
        "EDXTUI_PROFILE",
        "EDXTUI_TOKEN_URL",
        "EDXTUI_API_URL",
        "EDXTUI_CLIENT_ID",
        "EDXTUI_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    return config_dir
