"""The headless core of edxtui: one authenticated session, the token lifecycle, the catalog.

It never imports Textual, so scripts and the CLI use it directly (see docs/core.md).
Every name below is importable from `edxtui.api` as before, but loaded on first use
(PEP 562): the CLI and the TUI import the light `edxtui.api.errors` and `.credentials` at
start-up, and running this package must not drag in httpx, the session and the token
manager (docs/performance.md) before anything needs them.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

# `import httpx` also imports httpx's own command-line client (`httpx._main`: click,
# pygments, a rich console), which edxtui never runs, on the way to every CLI command's
# answer and the TUI's first token (docs/performance.md). A None entry makes that one import fail, and httpx then
# defines the stub `main` it has for installs without its CLI extras (httpx/__init__.py).
# Only while httpx is not loaded: a process that imported it first keeps it as it is.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None blocks it

if TYPE_CHECKING:  # for type checkers and editors: the same names, eagerly
    from edxtui.api import catalog
    from edxtui.api.auth import JWTAuth
    from edxtui.api.catalog import (
        Page,
        fetch_all,
        fetch_object,
        fetch_page,
        iter_pages,
        parse_page,
    )
    from edxtui.api.credentials import Credentials
    from edxtui.api.errors import (
        ApiError,
        AuthError,
        ConfigError,
        EdxError,
        OriginError,
        ResponseFormatError,
        ThrottledError,
        TransportError,
    )
    from edxtui.api.exchange import Exchange, ExchangeLog
    from edxtui.api.jwt import JwtDecodeError, decode_unverified
    from edxtui.api.redaction import REDACTED
    from edxtui.api.retry import RetryPolicy
    from edxtui.api.session import DEFAULT_TIMEOUT, USER_AGENT, Session
    from edxtui.api.state import TokenState, TokenStatus
    from edxtui.api.token_response import TokenGrant, parse_token_response
    from edxtui.api.tokens import TokenManager, refresh_margin

# name -> the submodule that defines it
_WHERE = {
    "JWTAuth": "auth",
    **dict.fromkeys(
        ("Page", "fetch_all", "fetch_object", "fetch_page", "iter_pages", "parse_page"), "catalog"
    ),
    "Credentials": "credentials",
    **dict.fromkeys(
        (
            "ApiError",
            "AuthError",
            "ConfigError",
            "EdxError",
            "OriginError",
            "ResponseFormatError",
            "ThrottledError",
            "TransportError",
        ),
        "errors",
    ),
    **dict.fromkeys(("Exchange", "ExchangeLog"), "exchange"),
    **dict.fromkeys(("JwtDecodeError", "decode_unverified"), "jwt"),
    "REDACTED": "redaction",
    "RetryPolicy": "retry",
    **dict.fromkeys(("DEFAULT_TIMEOUT", "USER_AGENT", "Session"), "session"),
    **dict.fromkeys(("TokenState", "TokenStatus"), "state"),
    **dict.fromkeys(("TokenGrant", "parse_token_response"), "token_response"),
    **dict.fromkeys(("TokenManager", "refresh_margin"), "tokens"),
}


def __getattr__(name: str) -> Any:
    if name == "catalog":
        return importlib.import_module("edxtui.api.catalog")
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'edxtui.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"edxtui.api.{module}"), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DEFAULT_TIMEOUT",
    "REDACTED",
    "USER_AGENT",
    "ApiError",
    "AuthError",
    "ConfigError",
    "Credentials",
    "EdxError",
    "Exchange",
    "ExchangeLog",
    "JWTAuth",
    "JwtDecodeError",
    "OriginError",
    "Page",
    "ResponseFormatError",
    "RetryPolicy",
    "Session",
    "ThrottledError",
    "TokenGrant",
    "TokenManager",
    "TokenState",
    "TokenStatus",
    "TransportError",
    "catalog",
    "decode_unverified",
    "fetch_all",
    "fetch_object",
    "fetch_page",
    "iter_pages",
    "parse_page",
    "parse_token_response",
    "refresh_margin",
]
