"""The URL policy, written once: what loopback is, what an origin is, which URLs edxtui uses.

The config (profiles, flags, environment), the credentials screen and the Session all ask
this module, so a URL is accepted or refused for the same reason, with the same message,
wherever it comes from. Standard library only: `edxtui profile ...` must not load httpx.

- Loopback: `localhost` and every name under `.localhost` (RFC 6761 section 6.3: they always
  resolve to the loopback address), 127.0.0.0/8 and ::1.
- Origin: scheme, lower-case host and port (the scheme's default when none is written).
- Acceptable: http or https with a host; no user name or password (the client id and secret
  are set apart, and a URL is shown on screen), no fragment, not the Open edX preset's
  placeholder hosts, and an API root without a query string (it always ends with '/').
- Plain http is refused except to loopback, or when the profile says `insecure`: the secret
  and the token would cross the network unencrypted.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from edxtui.api.errors import ConfigError, OriginError
from edxtui.textsafe import visible

# The Open edX preset ships with these hosts so the user sees what to fill in.
PLACEHOLDER_HOSTS = ("lms.example.org", "discovery.example.org")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_USERINFO = re.compile(r"(//)[^/?#@]*@")
_FULL_URL_HINT = "write it in full, e.g. https://host/path"


def is_loopback(host: str) -> bool:
    """True for a host that never leaves this machine (RFC 6761 names, 127/8, ::1)."""
    host = host.strip("[]").lower().removesuffix(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: object) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute URL; the port is the scheme's default if unsaid."""
    parts = urlsplit(str(url))
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme, 0)


def origin_text(url: object) -> str:
    scheme, host, port = origin(url)
    if ":" in host:
        host = f"[{host}]"
    return visible(f"{scheme}://{host}:{port}")


def shown(url: str) -> str:
    """A URL for a message: control characters visible, any `user:password@` left out."""
    return visible(_USERINFO.sub(r"\1", str(url)))[:200]


def check_url(url: str, *, what: str, insecure: bool = False, profile: str | None = None) -> str:
    """`url` if edxtui may use it as the `what` ("token URL" or "API root"), else ConfigError.

    An API root is returned with a trailing '/', so that paths join under it.
    """
    where = f" of profile {profile}" if profile else ""
    if url == "":
        raise ConfigError(f"the {what}{where} is empty", _FULL_URL_HINT)
    try:
        if not isinstance(url, str) or any(c.isspace() or not c.isprintable() for c in url):
            raise ValueError  # httpx refuses these; a URL copied with a space is a typo
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.username is not None or parts.password is not None:
            raise ConfigError(
                f"the {what}{where} must not contain a user name or password",
                "remove the 'user:password@' part; the client id and secret are set separately",
            )
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except (ValueError, TypeError):
        raise ConfigError(
            f"the {what}{where} is not a valid URL: {shown(str(url))!r}", _FULL_URL_HINT
        ) from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(
            f"the {what}{where} must be an http(s) URL with a host, got {shown(url)!r}",
            _FULL_URL_HINT,
        )
    if parts.fragment:
        raise ConfigError(f"the {what}{where} must not contain a '#fragment': {shown(url)}")
    if host in PLACEHOLDER_HOSTS:
        raise ConfigError(
            f"the {what}{where} still has the placeholder host {host}: {shown(url)}",
            "replace it with your Open edX LMS (token URL) and discovery (API root) hosts",
        )
    if parts.scheme == "http" and not insecure and not is_loopback(host):
        raise ConfigError(
            f"refusing plain http to {visible(host)}: {shown(url)}",
            "the secret and the token would cross the network unencrypted; use https, "
            "or set insecure = true in the profile if it is a test server you trust",
        )
    if what == "API root":
        if parts.query:
            raise ConfigError(f"the API root{where} must not contain a query string: {shown(url)}")
        if not url.endswith("/"):
            url += "/"
    return url


def check_same_origin(url: object, api_root: object) -> None:
    """OriginError unless `url` is on the API root's origin: the token goes nowhere else."""
    if origin(url) != origin(api_root):
        raise OriginError(
            f"refusing to send the token to {origin_text(url)}: "
            f"the API is at {origin_text(api_root)}",
            "edxtui only follows links on the API's own server; this one points elsewhere",
        )


def upgrade_link(url: str, api_root: object) -> str:
    """A pagination link as it should be followed: `http://` to the API root's own host
    when the API root is https is the same server behind a TLS proxy that did not say so
    (API.md), so it becomes https: its explicit port kept, the https default otherwise.
    The token never goes over http. Any other link is returned as it is (and the same-origin
    check refuses it if it is foreign)."""
    parts = urlsplit(url)
    root_scheme, root_host, _ = origin(api_root)
    if (
        parts.scheme.lower() != "http"
        or root_scheme != "https"
        or (parts.hostname or "").lower() != root_host
    ):
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]  # host[:port], never a user name or password
    return parts._replace(scheme="https", netloc=netloc).geturl()
