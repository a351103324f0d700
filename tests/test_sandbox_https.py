"""The sandbox's https mode: a generated CA a client trusts through SSL_CERT_FILE, and the
`http_links` switch (discovery behind a TLS proxy without X-Forwarded-Proto builds http://
links to its own host). Plain httpx over real loopback TLS."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from edxtui.sandbox import SandboxServer

pytest.importorskip("cryptography")


@pytest.fixture(scope="module")
def tls_sandbox():
    with SandboxServer(https=True, courses=50) as server:
        yield server


@pytest.fixture
def tls(tls_sandbox):
    tls_sandbox.reset()
    yield tls_sandbox
    tls_sandbox.reset()


def trusting(sb: SandboxServer) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=sb.ca_file)


def token(client: httpx.Client, sb: SandboxServer) -> str:
    r = client.post(
        sb.token_url(https=True),
        data={"grant_type": "client_credentials", "client_id": sb.client_id,
              "client_secret": sb.client_secret, "token_type": "jwt"},
    )  # fmt: skip
    r.raise_for_status()
    return r.json()["access_token"]


def test_a_client_trusts_the_sandbox_through_ssl_cert_file(tls, monkeypatch) -> None:
    with httpx.Client() as untrusting, pytest.raises(httpx.ConnectError, match="CERTIFICATE"):
        untrusting.get(tls.https_url + "/_sandbox/ping")
    monkeypatch.setenv("SSL_CERT_FILE", tls.ca_file)
    with httpx.Client() as client:  # the default context, built from the environment
        t = token(client, tls)
        r = client.get(
            tls.api_root(https=True) + "catalogs/", headers={"Authorization": f"JWT {t}"}
        )
        assert r.status_code == 200 and r.url.scheme == "https"
        assert r.json()["results"][0]["id"] == 1


def test_https_links_are_https_unless_http_links_is_on(tls) -> None:
    with httpx.Client(verify=trusting(tls)) as client:
        auth = {"Authorization": f"JWT {token(client, tls)}"}
        url = tls.api_root(https=True) + "catalogs/1/courses/?limit=10&offset=10"
        page = client.get(url, headers=auth).json()
        host = f"127.0.0.1:{tls.https_port}"
        assert page["next"] == f"https://{host}/api/v1/catalogs/1/courses/?limit=10&offset=20"
        tls.faults.update(http_links=True)
        page = client.get(url, headers=auth).json()
        assert page["next"] == f"http://{host}/api/v1/catalogs/1/courses/?limit=10&offset=20"
        assert page["previous"] == f"http://{host}/api/v1/catalogs/1/courses/?limit=10"


def test_the_plain_http_port_keeps_working(tls) -> None:
    assert tls.base_url.startswith("http://") and tls.port != tls.https_port
    assert httpx.get(tls.base_url + "/_sandbox/ping").json() == {"ok": True}
    tls.faults.update(http_links=True)  # a no-op on http: the links already say http
    with httpx.Client(verify=trusting(tls)) as client:
        t = token(client, tls)
    page = httpx.get(
        tls.api_root() + "catalogs/1/courses/?limit=10", headers={"Authorization": f"JWT {t}"}
    ).json()
    assert page["next"].startswith(tls.base_url + "/api/v1/")


def test_the_certificates_go_away_with_the_server() -> None:
    server = SandboxServer(https=True, courses=1).start()
    folder = Path(server.ca_file).parent
    assert sorted(p.name for p in folder.iterdir()) == ["ca.pem", "cert.pem", "key.pem"]
    server.stop()
    assert not folder.exists()
    with pytest.raises(RuntimeError, match="https"):
        SandboxServer(courses=1).start().ca_file  # noqa: B018


def test_edxtui_sandbox_https_banner_names_the_ca(tmp_path) -> None:
    """`edxtui sandbox --https` (foreground): the banner gives the https root and the CA file."""
    child = subprocess.Popen(
        [sys.executable, "-m", "edxtui.sandbox", "--port", "0", "--https", "--quiet",
         "--courses", "1", "--large-catalog-courses", "1", "--rate", "200/hour"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        lines = []
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line)
            if "SSL_CERT_FILE=" in line:
                break
        text = "".join(lines)
        ca = text.split("SSL_CERT_FILE=", 1)[1].strip()
        https_root = next(w for w in text.split() if w.startswith("https://127.0.0.1:"))
        assert Path(ca).is_file()
        control = text.split("Control: GET/POST ", 1)[1].split("/_sandbox", 1)[0]
        assert httpx.get(control + "/_sandbox/faults").json()["rate"] == "200/hour"
        assert httpx.get(
            https_root + "/_sandbox/ping", verify=ssl.create_default_context(cafile=ca)
        ).json() == {"ok": True}
    finally:
        child.terminate()
        child.wait(timeout=10)
