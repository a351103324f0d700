"""What the request bar accepts: a path under the API root, with its query.

`courses/?q=python&limit=5` or `course_runs/course-v1:MITx+6.00x+1T2025/` becomes the
absolute URL under the API root that the Session then GETs. The bar is one more way to ask
the one session for a page, so it follows the session's URL policy and adds the rest:
- a path is always relative to the API root (a leading '/' too: people type it), and never
  climbs out of it (`../`);
- a full URL is accepted only under the API root; another origin is refused (the token
  goes nowhere else), and so is the API root's server outside the API root;
- nothing that holds the live token or the client secret: edxtui never puts one in a URL.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from edxtui.api.errors import ConfigError
from edxtui.api.redaction import holds_secret
from edxtui.api.urls import check_same_origin, shown

_HINT = "type a path under the API root, e.g. courses/?q=python or catalogs/1/"


def request_url(text: str, api_root: str, secrets: Iterable[str | None] = ()) -> str:
    """The absolute URL the request bar's `text` stands for; ConfigError (one line) if none."""
    text = text.strip()
    if not text:
        raise ConfigError("the request is empty", _HINT)
    if holds_secret(text, secrets):
        raise ConfigError(
            "refusing a request that holds the token or the client secret",
            "edxtui never puts a secret in a URL; it sends the token in a header by itself",
        )
    if any(c.isspace() or not c.isprintable() for c in text):
        raise ConfigError(f"a request cannot contain spaces or control characters: {shown(text)}")
    root = api_root if api_root.endswith("/") else api_root + "/"
    if "://" in text or text.startswith("//"):
        url = text
        check_same_origin(url, root)
    else:
        # "./" first: a key such as course-v1:MITx would otherwise read as a URL scheme.
        url = urljoin(root, "./" + text.lstrip("/"))
    path = urlsplit(url).path
    if not path.startswith(urlsplit(root).path) or "/../" in path + "/":
        raise ConfigError(f"only paths under the API root {shown(root)} can be requested", _HINT)
    if urlsplit(url).fragment:
        raise ConfigError("a request cannot contain a '#fragment'", _HINT)
    return url


def relative(url: str, api_root: str) -> str:
    """`url` as the bar shows it: its path and query under the API root."""
    root = api_root if api_root.endswith("/") else api_root + "/"
    return url[len(root) :] if url.startswith(root) else url
