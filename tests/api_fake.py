"""A fake edX server for the core's unit tests (httpx.MockTransport) and a fake clock.

Integration tests use the real sandbox; these unit tests need exact control over time and
over each response, which a handler function gives. Tokens are well-formed JWTs whose
signature part carries a sentinel, so leak checks can search for it.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx

from edxtui.api import Credentials, RetryPolicy, Session

SECRET = "SENTINEL-SECRET-5f1d"
TOKEN_MARK = "SENTINELTOKEN"
TOKEN_URL = "https://lms.example.edu/oauth2/access_token"
API_ROOT = "https://discovery.example.edu/api/v1/"


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def make_jwt(n: int, iat: float, expires_in: float) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"iat": int(iat), "exp": int(iat + expires_in), "preferred_username": "svc"}
    return f"{b64(header)}.{b64(claims)}.{TOKEN_MARK}{n:04d}"


class FakeClock:
    """Wall and monotonic clocks that move only when told; sleep() advances both."""

    def __init__(self, wall: float = 1_700_000_000.0) -> None:
        self.wall = wall
        self.mono = 5_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


Handler = Callable[[httpx.Request], httpx.Response]


class FakeEdx:
    """Issues tokens and serves a tiny catalog API; checks tokens against the fake clock."""

    def __init__(self, clock: FakeClock, expires_in: float = 3600) -> None:
        self.clock = clock
        self.expires_in = expires_in
        self.issued: dict[str, float] = {}  # token -> exp (server clock)
        self.revoked: set[str] = set()
        self.token_posts = 0
        self.token_forms: list[dict[str, list[str]]] = []
        self.token_headers: list[httpx.Headers] = []
        self.api_requests: list[httpx.Request] = []
        self.api_auth: list[str | None] = []  # Authorization as sent (the auth flow reuses
        # the request object for its retry, so read headers here, not from api_requests)
        self.expired_seen = 0  # API requests that carried an expired token
        self.token_responses: list[httpx.Response | Handler] = []  # served first, in order
        self.api_responses: list[httpx.Response | Handler] = []
        self.token_gate: asyncio.Event | None = None  # hold token responses until set

    # -- MockTransport entry point ---------------------------------------------------------
    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/oauth2/"):
            return await self.token(request)
        return self.api(request)

    async def token(self, request: httpx.Request) -> httpx.Response:
        self.token_posts += 1
        self.token_forms.append(parse_qs(request.content.decode()))
        self.token_headers.append(request.headers)
        if self.token_gate is not None:
            await self.token_gate.wait()
        if self.token_responses:
            canned = self.token_responses.pop(0)
            return canned(request) if callable(canned) else canned
        token = make_jwt(self.token_posts, self.clock.time(), self.expires_in)
        self.issued[token] = self.clock.time() + self.expires_in
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "expires_in": self.expires_in,
                "token_type": "JWT",
                "scope": "read write email profile",
            },
            headers={"Cache-Control": "no-store"},
        )

    def api(self, request: httpx.Request) -> httpx.Response:
        self.api_requests.append(request)
        auth = request.headers.get("authorization", "")
        self.api_auth.append(auth or None)
        token = auth[4:] if auth.lower().startswith("jwt ") else None
        if token is not None and token in self.issued and self.clock.time() >= self.issued[token]:
            self.expired_seen += 1
        if self.api_responses:
            canned = self.api_responses.pop(0)
            return canned(request) if callable(canned) else canned
        if token is None:
            return httpx.Response(
                401, json={"detail": "Authentication credentials were not provided."}
            )
        if (
            token not in self.issued
            or token in self.revoked
            or self.clock.time() >= self.issued[token]
        ):
            return httpx.Response(401, json={"detail": "Invalid token."})
        return httpx.Response(200, json=self.page(request))

    def page(self, request: httpx.Request) -> dict:
        offset = int(request.url.params.get("offset", 0))
        total, limit = 45, 20
        results = [
            {"id": i, "name": f"catalog {i}"} for i in range(offset, min(total, offset + limit))
        ]
        nxt = (
            str(request.url.copy_merge_params({"offset": offset + limit, "limit": limit}))
            if offset + limit < total
            else None
        )
        return {"count": total, "next": nxt, "previous": None, "results": results}

    def revoke_all(self) -> None:
        self.revoked.update(self.issued)


def make_session(
    fake: FakeEdx, clock: FakeClock, *, retry: RetryPolicy | None = None, **creds
) -> Session:
    credentials = Credentials(
        token_url=creds.pop("token_url", TOKEN_URL),
        api_root=creds.pop("api_root", API_ROOT),
        client_id=creds.pop("client_id", "client-id"),
        client_secret=creds.pop("client_secret", SECRET),
        insecure=creds.pop("insecure", False),
    )
    return Session(
        credentials,
        transport=httpx.MockTransport(fake),
        clock=clock.time,
        monotonic=clock.monotonic,
        sleep=clock.sleep,
        retry=retry,
    )
