"""The URL policy (edxtui.api.urls) is one rule: the config, the credentials and the Session
accept and refuse the same URLs, with the same message.

Before it was merged, edxtui.config and edxtui.api.session each had their own copy: the
config refused `http://app.localhost` that the session accepted, and the two worded every
mistake differently.
"""

from __future__ import annotations

import pytest

from edxtui.api.credentials import Credentials
from edxtui.api.errors import ConfigError, OriginError
from edxtui.api.session import Session
from edxtui.api.urls import check_same_origin, check_url, is_loopback, origin
from edxtui.config import Profile, resolve, save_profile


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST",
        "app.localhost",
        "a.b.localhost.",
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "[::1]",
    ],
)
def test_loopback_is_localhost_names_127_and_ipv6_one(host):
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["localhost.example.com", "mylocalhost", "10.0.0.1", "::2", "0.0.0.0", "example.org"]
)
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback(host)


def creds(token_url: str, api_root: str, insecure: bool = False) -> Credentials:
    return Credentials(token_url, api_root, "id", "secret", insecure=insecure)


def test_a_localhost_subdomain_is_loopback_for_the_config_and_the_session_alike():
    base = "http://app.localhost:8000"
    env = {
        "EDXTUI_TOKEN_URL": f"{base}/oauth2/access_token",
        "EDXTUI_API_URL": f"{base}/api/v1/",
        "EDXTUI_CLIENT_ID": "id",
        "EDXTUI_CLIENT_SECRET": "secret",
    }
    _, credentials = resolve(None, env=env)  # the old config refused this one
    Session(credentials)
    save_profile(Profile("local", f"{base}/t", f"{base}/api/v1/", "id"), "secret")


@pytest.mark.parametrize(
    ("token_url", "api_root"),
    [
        ("http://lms.example.com/t", "https://d.example.com/api/v1/"),  # plain http
        ("ftp://lms.example.com/t", "https://d.example.com/api/v1/"),  # not http(s)
        ("https://u:pw@lms.example.com/t", "https://d.example.com/api/v1/"),  # user:password
        ("https://lms.example.com:99999/t", "https://d.example.com/api/v1/"),  # bad port
        ("https://lms.example.com/t#x", "https://d.example.com/api/v1/"),  # a fragment
        ("https://lms.example.org/t", "https://d.example.com/api/v1/"),  # the placeholder
        ("https://lms example.com/t", "https://d.example.com/api/v1/"),  # a space
    ],
)
def test_every_mistake_has_one_message_wherever_the_url_comes_from(token_url, api_root):
    with pytest.raises(ConfigError) as from_session:
        Session(creds(token_url, api_root))
    env = {
        "EDXTUI_TOKEN_URL": token_url,
        "EDXTUI_API_URL": api_root,
        "EDXTUI_CLIENT_ID": "id",
        "EDXTUI_CLIENT_SECRET": "secret",
    }
    with pytest.raises(ConfigError) as from_config:
        resolve(None, env=env)
    assert from_session.value.message == from_config.value.message
    assert from_session.value.hint == from_config.value.hint
    assert "pw" not in str(from_session.value)


def test_plain_http_is_refused_unless_insecure_and_says_why():
    url = "http://lms.example.com/oauth2/access_token"
    with pytest.raises(ConfigError) as info:
        check_url(url, what="token URL")
    assert info.value.message == f"refusing plain http to lms.example.com: {url}"
    assert "insecure = true" in info.value.hint and "unencrypted" in info.value.hint
    assert check_url(url, what="token URL", insecure=True) == url


def test_origin_is_scheme_host_and_port_with_the_default_port_filled_in():
    assert origin("https://D.example.com/x") == ("https", "d.example.com", 443)
    assert origin("http://d.example.com:8080/") == ("http", "d.example.com", 8080)
    check_same_origin("https://d.example.com:443/next?page=2", "https://D.EXAMPLE.com/api/v1/")
    with pytest.raises(OriginError, match=r"to http://d\.example\.com:80: the API is at https"):
        check_same_origin("http://d.example.com/next", "https://d.example.com/api/v1/")
