"""`edxtui get` prints headers and body through the one redaction (edxtui.api.redaction).

Before, `get -i` had its own secret-header set and printed a token that the server echoed
back (a debug page, a misconfigured proxy) raw, in the body and in the headers.
"""

from __future__ import annotations

import json

import pytest
from fault_servers import ForeignServer, Reply, json_reply

from edxtui import cli

TOKEN = "echoed-token-0123456789"
SECRET = "the-client-secret"


@pytest.fixture
def echo_server():
    """A token endpoint and an API on one loopback server; the API echoes what it was sent."""

    def answer(method: str, path: str) -> Reply:
        if method == "POST":
            return json_reply({"access_token": TOKEN, "expires_in": 3600, "token_type": "JWT"})
        sent = server.seen[-1].headers.get("authorization", "")
        body = json.dumps({"you_sent": sent, "escaped": json.dumps(sent)}).encode()
        return Reply(
            200,
            body,
            {
                "Content-Type": "application/json",
                "X-Echo": sent,
                "Set-Cookie": "sessionid=abcdef123456",
            },
        )

    with ForeignServer(answer) as server:
        yield server


@pytest.mark.parametrize("flags", [["-i"], ["-i", "--raw"], []])
def test_get_scrubs_an_echoed_token_from_headers_and_body(echo_server, capsys, monkeypatch, flags):
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)
    base = echo_server.base_url
    code = cli.main(
        ["get", *flags, "catalogs/", "--token-url", f"{base}/oauth2/access_token",
         "--api-url", f"{base}/api/v1/", "--client-id", "me"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert echo_server.seen[-1].headers["authorization"] == f"JWT {TOKEN}"  # it was echoed
    assert TOKEN not in out + err and SECRET not in out + err
    body = out.partition("\r\n\r\n")[2] if "-i" in flags else out
    assert json.loads(body)["you_sent"] == "JWT <redacted>"
    if "-i" in flags:
        assert "x-echo: JWT <redacted>\r\n" in out
        assert "set-cookie: <redacted>\r\n" in out
