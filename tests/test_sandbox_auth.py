"""Authentication on every resource of both layouts (API.md: "Calling the API")."""

from __future__ import annotations

import jwt
import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui.sandbox import SandboxServer

RUN = "course-v1:KAUSTx+DS100x+3T2019"  # course 0 of seed 0 (checked in the resource tests)
OPENEDX_PATHS = [
    "catalogs/", "catalogs/1/", "catalogs/1/courses/", "catalogs/1/contains/?course_id=x",
    "catalogs/1/csv/", "courses/", "courses/KAUSTx+DS100x/", "course_runs/", f"course_runs/{RUN}/",
    "programs/", "programs/00000000-0000-4000-8000-000000000000/", "organizations/",
    "organizations/00000000-0000-4000-8000-000000000000/",
]  # fmt: skip
EDX_PATHS = ["catalogs/", "catalogs/1/", "catalogs/1/courses/"]
ALL = [("openedx", p) for p in OPENEDX_PATHS] + [("edx", p) for p in EDX_PATHS]
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}


def get(sb: SandboxServer, path: str, auth: str | None = None, layout: str = "openedx"):
    headers = {} if auth is None else {"Authorization": auth}
    return http.get(sb.api_root(layout) + path, headers=headers)


@pytest.mark.parametrize(("layout", "path"), ALL)
def test_every_resource_needs_a_token(sandbox: SandboxServer, layout: str, path: str) -> None:
    r = get(sandbox, path, layout=layout)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'JWT realm="api"'
    assert r.json() == NOT_PROVIDED


@pytest.mark.parametrize(("layout", "path"), ALL)
def test_every_resource_rejects_an_invalid_token(
    sandbox: SandboxServer, layout: str, path: str
) -> None:
    r = get(sandbox, path, "JWT not-a-token", layout)
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token."}
    assert r.headers["www-authenticate"] == 'JWT realm="api"'


@pytest.mark.parametrize("prefix", ["JWT", "jwt", "Jwt", "jWt"])
def test_prefix_is_case_insensitive(sandbox: SandboxServer, prefix: str) -> None:
    token = sandbox_token(sandbox)
    assert get(sandbox, "catalogs/", f"{prefix} {token}").status_code == 200


def test_bearer_prefix_is_ignored_so_anonymous(sandbox: SandboxServer) -> None:
    token = sandbox_token(sandbox)
    r = get(sandbox, "catalogs/", f"Bearer {token}")
    assert r.status_code == 401
    assert r.json() == NOT_PROVIDED
    assert sandbox.counters.unauthorized == 1


def test_prefix_without_credentials(sandbox: SandboxServer) -> None:
    r = get(sandbox, "catalogs/", "JWT")
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid Authorization header. No credentials provided."}


def test_credentials_with_spaces(sandbox: SandboxServer) -> None:
    r = get(sandbox, "catalogs/", "JWT a b")
    assert r.status_code == 401
    assert "should not contain spaces" in r.json()["detail"]


def test_badly_signed_token_is_invalid(sandbox: SandboxServer) -> None:
    claims = jwt.decode(sandbox_token(sandbox), options={"verify_signature": False})
    forged = jwt.encode(claims, "x" * 32, algorithm="HS256")
    r = get(sandbox, "catalogs/", f"JWT {forged}")
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token."}
    assert sandbox.counters.invalid_token_requests == 1
    assert sandbox.counters.expired_token_requests == 0


def test_expired_token_is_invalid_and_counted(sandbox: SandboxServer) -> None:
    token = sandbox_token(sandbox)
    assert get(sandbox, "catalogs/", f"JWT {token}").status_code == 200
    # Move the server's clock past exp instead of waiting for it.
    sandbox.faults.update(clock_skew=3601)
    r = get(sandbox, "catalogs/", f"JWT {token}")
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token."}
    assert sandbox.counters.expired_token_requests == 1
    assert sandbox.counters.invalid_token_requests == 0
    assert sandbox.counters.unauthorized == 1


def test_token_is_valid_until_exactly_exp(sandbox: SandboxServer) -> None:
    token = sandbox_token(sandbox)
    claims = jwt.decode(token, options={"verify_signature": False})
    import time

    # One second before exp on the server's clock: still fine.
    sandbox.faults.update(clock_skew=claims["exp"] - time.time() - 1)
    assert get(sandbox, "catalogs/", f"JWT {token}").status_code == 200
    sandbox.faults.update(clock_skew=claims["exp"] - time.time())
    assert get(sandbox, "catalogs/", f"JWT {token}").status_code == 401


def test_revoked_tokens_stop_working_and_new_ones_work(sandbox: SandboxServer) -> None:
    old = sandbox_token(sandbox)
    sandbox.revoke_tokens()
    r = get(sandbox, "catalogs/", f"JWT {old}")
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token."}
    assert get(sandbox, "catalogs/", f"JWT {sandbox_token(sandbox)}").status_code == 200


def test_revoke_over_http(sandbox: SandboxServer) -> None:
    old = sandbox_token(sandbox)
    assert http.post(sandbox.base_url + "/_sandbox/revoke").status_code == 200
    assert get(sandbox, "catalogs/", f"JWT {old}").status_code == 401


def test_restricted_catalog_is_403(sandbox: SandboxServer) -> None:
    token = sandbox_token(sandbox)
    for path in ("catalogs/4/", "catalogs/4/courses/", "catalogs/4/contains/?course_id=a",
                 "catalogs/4/csv/"):  # fmt: skip
        r = get(sandbox, path, f"JWT {token}")
        assert r.status_code == 403, path
        assert r.json() == {"detail": "You do not have permission to perform this action."}
    r = get(sandbox, "catalogs/4/courses/", f"JWT {token}", layout="edx")
    assert r.status_code == 403


def test_client_without_catalog_access_sees_an_empty_list(sandbox: SandboxServer) -> None:
    token = sandbox_token(sandbox, client_id="edxtui-noaccess", client_secret="noaccess-secret")
    r = get(sandbox, "catalogs/", f"JWT {token}", layout="edx")
    assert r.status_code == 200
    assert r.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert get(sandbox, "catalogs/1/", f"JWT {token}").status_code == 403


def test_write_methods_are_405_after_auth(sandbox: SandboxServer) -> None:
    url = sandbox.api_root() + "catalogs/"
    assert http.post(url).status_code == 401
    r = http.post(url, headers={"Authorization": f"JWT {sandbox_token(sandbox)}"})
    assert r.status_code == 405
    assert r.json() == {"detail": 'Method "POST" not allowed.'}


def test_token_from_one_layout_works_on_the_other(sandbox: SandboxServer) -> None:
    token = sandbox_token(sandbox, "edx")
    assert get(sandbox, "courses/", f"JWT {token}").status_code == 200


def test_older_servers_answer_403_without_a_challenge(sandbox: SandboxServer) -> None:
    sandbox.faults.update(auth_status=403)
    r = get(sandbox, "catalogs/")
    assert r.status_code == 403
    assert "www-authenticate" not in r.headers
    assert r.json() == NOT_PROVIDED
    r = get(sandbox, "catalogs/", "JWT nonsense")
    assert (r.status_code, r.json()) == (403, {"detail": "Invalid token."})
    assert get(sandbox, "catalogs/", f"JWT {sandbox_token(sandbox)}").status_code == 200
