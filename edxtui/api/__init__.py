"""The headless core of edxtui: one authenticated session, the token lifecycle, the catalog.

It never imports Textual, so scripts and the CLI use it directly (see docs/core.md).
"""

from edxtui.api import catalog
from edxtui.api.auth import JWTAuth
from edxtui.api.catalog import Page, fetch_all, fetch_object, fetch_page, iter_pages, parse_page
from edxtui.api.credentials import Credentials
from edxtui.api.errors import (
    ApiError,
    AuthError,
    ConfigError,
    EdxError,
    OriginError,
    ResponseFormatError,
    TransportError,
)
from edxtui.api.exchange import REDACTED, Exchange, ExchangeLog
from edxtui.api.jwt import JwtDecodeError, decode_unverified
from edxtui.api.retry import RetryPolicy
from edxtui.api.session import DEFAULT_TIMEOUT, USER_AGENT, Session
from edxtui.api.state import TokenState, TokenStatus
from edxtui.api.tokens import TokenGrant, TokenManager, parse_token_response, refresh_margin

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
