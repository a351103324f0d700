"""The `gateway` switch: /catalog/v1/ answers like api.edx.org's AWS API Gateway (edx/api-manager
swagger/api.yaml, course-discovery api.yaml). Plain httpx over loopback HTTP."""

from __future__ import annotations

import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui.sandbox import SandboxServer


@pytest.fixture
def gw(sandbox: SandboxServer) -> dict[str, str]:
    headers = {"Authorization": f"JWT {sandbox_token(sandbox, 'edx')}"}
    sandbox.faults.update(gateway=True)
    sandbox.counters.reset()
    return headers


def test_the_three_catalog_routes_pass_through(sandbox, gw) -> None:
    root = sandbox.api_root("edx")
    for path in ("catalogs/", "catalogs/1/", "catalogs/1/courses/", "catalogs/1/courses"):
        r = http.get(root + path, headers=gw)
        assert r.status_code == 200, path
    page = http.get(root + "catalogs/1/courses/?limit=2&offset=2", headers=gw).json()
    assert page["next"] == root + "catalogs/1/courses/?limit=2&offset=4"


@pytest.mark.parametrize(
    "path", ["courses/", "catalogs/1/csv/", "catalogs/1/contains/?course_id=x", "nope", ""]
)
def test_anything_else_is_missing_authentication_token(sandbox, gw, path) -> None:
    r = http.get(sandbox.api_root("edx") + path, headers=gw)
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})
    assert r.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert sandbox.counters.api_requests == 1


def test_statuses_map_to_400_and_headers_are_stripped(sandbox, gw) -> None:
    root = sandbox.api_root("edx")
    refused = http.get(root + "catalogs/", headers={**gw, "Accept": "text/csv"})
    assert refused.status_code == 400  # discovery's 406
    assert refused.json() == {"detail": "Could not satisfy the request Accept header."}
    unauthorized = http.get(root + "catalogs/")
    assert unauthorized.status_code == 401 and "www-authenticate" not in unauthorized.headers
    sandbox.faults.update(rate_limit={"count": 1, "retry_after": 30})
    throttled = http.get(root + "catalogs/", headers=gw)
    assert throttled.status_code == 429 and "retry-after" not in throttled.headers
    sandbox.faults.update(errors={"count": 1, "status": 503})
    assert http.get(root + "catalogs/", headers=gw).status_code == 400
    sandbox.faults.update(errors={"count": 1, "status": 500})
    assert http.get(root + "catalogs/", headers=gw).status_code == 500


def test_the_open_edx_root_is_not_behind_the_gateway(sandbox, gw) -> None:
    assert http.get(sandbox.api_root() + "courses/?limit=1", headers=gw).status_code == 200


def test_query_string_not_forwarded_every_page_is_the_first(sandbox, gw) -> None:
    sandbox.faults.update(gateway_drops_query=True)
    root = sandbox.api_root("edx")
    first = http.get(root + "catalogs/1/courses/?limit=5&offset=0", headers=gw).json()
    later = http.get(root + "catalogs/1/courses/?limit=5&offset=100", headers=gw).json()
    assert later == first and len(first["results"]) == 20  # discovery's default page size
    assert (
        first["next"] == "https://discovery.edx.org/api/v1/catalogs/1/courses/?limit=20&offset=20"
    )


def test_gateway_from_the_control_api(sandbox) -> None:
    r = http.post(sandbox.base_url + "/_sandbox/faults", json={"gateway": True})
    assert r.json()["gateway"] is True
    assert http.get(sandbox.api_root("edx") + "courses/").status_code == 403
