"""SandboxProcess: the sandbox in a child process on a socket the parent bound (edxtui --sandbox)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from edxtui.sandbox.process import SandboxProcess


def _token(sandbox: SandboxProcess) -> dict:
    creds = sandbox.credentials("edx")
    response = httpx.post(
        creds.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "token_type": "jwt",
        },
        timeout=20,
    )
    assert response.status_code == 200
    return response.json()


def test_serves_both_layouts_with_the_options_it_was_given():
    with SandboxProcess(expires_in=7, large_catalog_courses=123) as sandbox:
        grant = _token(sandbox)
        assert grant["expires_in"] == 7
        headers = {"Authorization": f"JWT {grant['access_token']}"}
        catalogs = httpx.get(sandbox.api_root("edx") + "catalogs/", headers=headers).json()
        large = [c for c in catalogs["results"] if c["courses_count"] == 123]
        assert len(large) == 1
        orgs = httpx.get(sandbox.api_root("openedx") + "organizations/", headers=headers)
        assert orgs.status_code == 200


def test_stop_ends_the_child_and_frees_the_port():
    sandbox = SandboxProcess().start()
    _token(sandbox)
    process = sandbox._process
    sandbox.stop()
    assert process is not None and process.returncode == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(sandbox.base_url + "/api/v1/catalogs/", timeout=5)


def test_the_child_exits_when_the_parent_goes_away():
    """Closing stdin is what a dying parent does; the child must not outlive it."""
    sandbox = SandboxProcess().start()
    try:
        _token(sandbox)
        process = sandbox._process
        assert process is not None and process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=10) == 0
    finally:
        sandbox.stop()


def test_a_child_that_cannot_start_says_why():
    sandbox = SandboxProcess(courses=-1).start()
    try:
        assert sandbox._process is not None
        sandbox._process.wait(timeout=20)
        message = sandbox.failure()
        assert message is not None and "course counts must be >= 0" in message
        with pytest.raises(httpx.ConnectError):  # the socket died with the child
            httpx.get(sandbox.base_url + "/api/v1/", timeout=5)
    finally:
        sandbox.stop()


def test_unknown_options_are_refused_before_anything_starts():
    with pytest.raises(TypeError, match="layout"):
        SandboxProcess(layout="edx")


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/<pid>/maps")
def test_the_child_signs_and_checks_tokens_without_loading_cryptography():
    """PyJWT would load cryptography (for RSA and EC) when it is installed; the child, which
    needs HMAC alone, skips it to start faster (edxtui/sandbox/__main__.py)."""
    pytest.importorskip("cryptography")  # installed, so the child has something to skip
    with SandboxProcess() as sandbox:
        grant = _token(sandbox)  # signed by the child
        headers = {"Authorization": f"JWT {grant['access_token']}"}
        response = httpx.get(sandbox.api_root("openedx") + "catalogs/", headers=headers)
        assert response.status_code == 200  # and checked by it
        assert sandbox._process is not None
        libraries = Path(f"/proc/{sandbox._process.pid}/maps").read_text()
        assert "/cryptography/" not in libraries


def test_the_explorers_sandbox_answers_searches():
    """`edxtui --sandbox` starts its child with the search switch on, so `S` and the request
    bar's `?q=` meet a server that searches, as discovery does; the bare process does not."""
    from edxtui.tui import sandbox_child

    def count(sandbox: SandboxProcess, query: str) -> int:
        headers = {"Authorization": f"JWT {_token(sandbox)['access_token']}"}
        url = sandbox.api_root("openedx") + "courses/" + query
        return httpx.get(url, headers=headers, timeout=20).json()["count"]

    sandbox_child.start_early({})
    explorers = sandbox_child.take({})
    try:
        everything, found = count(explorers, "?limit=1"), count(explorers, "?limit=1&q=python")
        assert 0 < found < everything
    finally:
        explorers.stop()
    with SandboxProcess() as bare:
        assert count(bare, "?limit=1&q=python") == count(bare, "?limit=1")
