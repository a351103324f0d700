"""A server's text reaches a message scrubbed first, cut second, over real loopback HTTP.

Before, edxtui.api.errors cut an error body's `detail` to 200 characters and the CLI scrubbed
the known token afterwards: a token echoed at the start of a long body no longer matched the
scrub once cut, and most of it showed. Same for a token endpoint echoing the client secret.
"""

from __future__ import annotations

import pytest
from fault_servers import ForeignServer, Reply, json_reply

from edxtui import cli
from edxtui.api import ApiError, AuthError, Credentials, ResponseFormatError, Session, catalog

# Long enough that a cut at 200 characters falls inside it.
TOKEN = "tok-" + "".join(f"{n:03d}" for n in range(100))  # 304 distinct-ish characters
SECRET = "client-secret-" + "".join(f"{n:03d}" for n in range(80))


def pieces(secret: str, size: int = 12) -> list[str]:
    """Every run of `size` characters of the secret: none may show in a message."""
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def assert_no_part(text: str, secret: str) -> None:
    shown = [piece for piece in pieces(secret) if piece in text]
    assert not shown, f"part of a secret shows: {shown[:3]}"


def echoing_api(method: str, path: str) -> Reply:
    if method == "POST":
        return json_reply({"access_token": TOKEN, "expires_in": 3600, "token_type": "JWT"})
    return json_reply({"detail": f"{TOKEN} is not allowed here. " + "More words. " * 40}, 400)


def echoing_token_endpoint(method: str, path: str) -> Reply:
    description = f"{SECRET} is wrong. " + "More words. " * 40
    return json_reply({"error": "invalid_client", "error_description": description}, 401)


def credentials(server: ForeignServer) -> Credentials:
    return Credentials(
        token_url=f"{server.base_url}/oauth2/access_token",
        api_root=f"{server.base_url}/api/v1/",
        client_id="cid",
        client_secret=SECRET,
    )


async def test_the_core_scrubs_an_echoed_token_before_cutting_the_detail():
    with ForeignServer(echoing_api) as server:
        async with Session(credentials(server)) as session:
            with pytest.raises(ApiError) as caught:
                await session.get("catalogs/")
    message = str(caught.value)
    assert "HTTP 400" in message and "<redacted> is not allowed here." in message
    assert_no_part(message, TOKEN)
    assert_no_part(caught.value.detail or "", TOKEN)


async def test_the_core_scrubs_an_echoed_secret_before_cutting_the_description():
    with ForeignServer(echoing_token_endpoint) as server:
        async with Session(credentials(server)) as session:
            with pytest.raises(AuthError) as caught:
                await session.tokens.get_token()
    message = str(caught.value)
    assert "invalid_client" in message and "<redacted> is wrong." in message
    assert_no_part(message, SECRET)


@pytest.mark.parametrize("handler", [echoing_api, echoing_token_endpoint])
def test_the_cli_shows_no_part_of_an_echoed_token_or_secret(handler, capsys, monkeypatch):
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)
    with ForeignServer(handler) as server:
        code = cli.main(
            ["get", "catalogs/", "--token-url", f"{server.base_url}/oauth2/access_token",
             "--api-url", f"{server.base_url}/api/v1/", "--client-id", "cid"]
        )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "<redacted>" in err
    assert_no_part(err, TOKEN)
    assert_no_part(err, SECRET)


def test_an_internal_errors_text_is_scrubbed_before_it_is_cut(capsys, monkeypatch):
    from edxtui.cli import profile as cli_profile
    from edxtui.cli import secrets as cli_secrets

    def boom(args):
        raise RuntimeError(f"x{TOKEN}")  # the token starts inside the 200 characters kept

    cli_secrets.values.add(TOKEN)
    monkeypatch.setattr(cli_profile, "cmd_profile_list", boom)
    assert cli.main(["profile", "list"]) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: x<redacted>" in err
    assert_no_part(err, TOKEN)


def echoing_content_type(method: str, path: str) -> Reply:
    if method == "POST":
        return json_reply({"access_token": TOKEN, "expires_in": 3600, "token_type": "JWT"})
    return Reply(200, b"<html>not json</html>", {"Content-Type": f"text/html; t=x{TOKEN}"})


async def test_a_token_echoed_into_a_not_json_answers_content_type_is_scrubbed_before_the_cut():
    """The content type is cut to 80 characters in the message: scrubbed first, no part shows."""
    with ForeignServer(echoing_content_type) as server:
        async with Session(credentials(server)) as session:
            with pytest.raises(ResponseFormatError) as caught:
                await session.get_json("catalogs/")
    message = str(caught.value)
    assert "not JSON (text/html; t=x<redacted>" in message
    assert_no_part(message, TOKEN)


def looping_links(base_url: str):
    """A list whose next link loops back to itself, with our token echoed at its start."""

    def handler(method: str, path: str) -> Reply:
        if method == "POST":
            return json_reply({"access_token": TOKEN, "expires_in": 3600, "token_type": "JWT"})
        loop = f"{base_url}/api/v1/catalogs/?t={TOKEN}&offset=0"
        item = {"id": 2 if "t=" in path else 1}  # two pages that differ: not "paging ignored"
        return json_reply({"count": 40, "next": loop, "previous": None, "results": [item]})

    return handler


async def test_a_token_echoed_into_a_looping_next_link_is_scrubbed_before_the_cut():
    """The loop message cuts the link to 200 characters: scrubbed first, no part shows."""
    with ForeignServer(lambda method, path: Reply(500)) as server:
        server.handler = looping_links(server.base_url)
        async with Session(credentials(server)) as session:
            with pytest.raises(ResponseFormatError) as caught:
                async for _ in catalog.iter_pages(session, "catalogs/"):
                    pass
    message = str(caught.value)
    assert "a loop" in message and "t=<redacted>" in message
    assert_no_part(message, TOKEN)
