"""`edxtui get` uses the core's rules, not copies of them, over a real loopback server.

- Redaction (edxtui.api.redaction): before, `get -i` had its own secret-header set and
  printed a token that the server echoed back (a debug page, a misconfigured proxy) raw, in
  the body and in the headers.
- Following `next` (edxtui.api.catalog.iter_pages): before, `--all-pages` had its own loop,
  with its own message for a `next` that loops.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from fault_servers import ForeignServer, Reply, json_reply

from edxtui import cli
from edxtui.api import Credentials, ResponseFormatError, Session, iter_pages

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


def conn(server: ForeignServer) -> list[str]:
    base = server.base_url
    return [
        "--token-url", f"{base}/oauth2/access_token",
        "--api-url", f"{base}/api/v1/",
        "--client-id", "me",
    ]  # fmt: skip


@pytest.mark.parametrize("flags", [["-i"], ["-i", "--raw"], []])
def test_get_scrubs_an_echoed_token_from_headers_and_body(echo_server, capsys, monkeypatch, flags):
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)
    code = cli.main(["get", *flags, "catalogs/", *conn(echo_server)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert echo_server.seen[-1].headers["authorization"] == f"JWT {TOKEN}"  # it was echoed
    assert TOKEN not in out + err and SECRET not in out + err
    body = out.partition("\r\n\r\n")[2] if "-i" in flags else out
    assert json.loads(body)["you_sent"] == "JWT <redacted>"
    if "-i" in flags:
        assert "x-echo: JWT <redacted>\r\n" in out
        assert "set-cookie: <redacted>\r\n" in out


def test_all_pages_scrubs_an_echoed_token_from_the_results(capsys, monkeypatch):
    def answer(method: str, path: str) -> Reply:
        if method == "POST":
            return json_reply({"access_token": TOKEN, "expires_in": 3600, "token_type": "JWT"})
        sent = server.seen[-1].headers.get("authorization", "")
        return json_reply({"count": 1, "next": None, "previous": None, "results": [sent]})

    with ForeignServer(answer) as server:
        monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)
        code = cli.main(["get", "--all-pages", "catalogs/", *conn(server)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out) == ["JWT <redacted>"] and TOKEN not in out


def test_all_pages_stops_a_next_loop_with_the_cores_message(capsys, monkeypatch):
    def answer(method: str, path: str) -> Reply:
        if method == "POST":
            return json_reply({"access_token": TOKEN, "expires_in": 3600, "token_type": "JWT"})
        looping = f"{server.base_url}/api/v1/catalogs/?offset=2"  # page 2 points at itself
        # page 2 differs from page 1 (the same page again is another message: paging ignored)
        results = [3, 4] if "offset" in path else [1, 2]
        return json_reply({"count": 9, "next": looping, "previous": None, "results": results})

    with ForeignServer(answer) as server:

        async def core_message() -> str:
            credentials = Credentials(
                f"{server.base_url}/oauth2/access_token", f"{server.base_url}/api/v1/", "me", SECRET
            )
            async with Session(credentials) as session:
                with pytest.raises(ResponseFormatError) as info:
                    async for _ in iter_pages(session, "catalogs/"):
                        pass
            return str(info.value)

        expected = asyncio.run(core_message())
        monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)
        code = cli.main(["get", "--all-pages", "catalogs/", *conn(server)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "a loop" in expected
    assert err == "".join(f"edxtui: {line}\n" for line in expected.splitlines())
