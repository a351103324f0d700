"""`Authorization: JWT <token>` on every API request, with one retry after a 401.

The flow asks the TokenManager for a token before each request (waiting for the single
in-flight refresh when one is needed), and after a 401 that our token caused (or a 403
whose detail says the token was refused, as some views answer) it invalidates that token,
gets a new one and sends the request once more. A second refusal goes back to the
session, which raises an ApiError. No lock is held across `yield request`:
waiting for a token is awaiting the TokenManager's shared fetch task, nothing more.
The token request itself never goes through this flow (the session sends it without auth).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator

import httpx

from edxtui.api.errors import json_detail
from edxtui.api.tokens import TokenManager


class JWTAuth(httpx.Auth):
    requires_response_body = True  # a 403's detail says whether the token was refused

    def __init__(self, tokens: TokenManager) -> None:
        self._tokens = tokens

    def __repr__(self) -> str:
        return "<JWTAuth>"

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("JWTAuth needs httpx.AsyncClient (the token manager is async)")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._tokens.get_token()
        request.headers["Authorization"] = f"JWT {token}"
        response = yield request
        if not _refused_token(response) or not _carried(response, token):
            return
        # The API refused this token (revoked, or expired by the server's clock): replace it.
        self._tokens.invalidate(token)
        token = await self._tokens.get_token()
        request.headers["Authorization"] = f"JWT {token}"
        yield request


# What the server says when it did not accept the token. Some views answer these with 403
# instead of 401 (API.md); a 403 with any other detail is a real "no permission".
_TOKEN_REFUSALS = (
    "invalid token",
    "authentication credentials were not provided",
    "signature has expired",
    "token has expired",
    "error decoding signature",
)


def _refused_token(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    if response.status_code != 403:
        return False
    detail = json_detail(response.content)
    return detail is not None and any(words in detail.lower() for words in _TOKEN_REFUSALS)


def _carried(response: httpx.Response, token: str) -> bool:
    """Did the request that got this response carry our token? (Not after a redirect to
    another origin, where httpx drops Authorization: a 401 there says nothing about it.)"""
    carried: str | None = response.request.headers.get("authorization")
    return carried == f"JWT {token}"
