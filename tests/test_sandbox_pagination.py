"""Every pagination rule of API.md, over real HTTP, on both layouts."""

from __future__ import annotations

import httpx
import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui.sandbox import SandboxServer

LARGE = "catalogs/6/courses/"  # 10,000 courses
SMALL = "catalogs/1/courses/"  # 300 courses


@pytest.fixture(scope="module")
def auth(sandbox_server: SandboxServer) -> dict[str, str]:
    return {"Authorization": f"JWT {sandbox_token(sandbox_server)}"}


def page(sb: SandboxServer, auth, query: str = "", path: str = SMALL, layout: str = "openedx"):
    return http.get(sb.api_root(layout) + path + query, headers=auth)


def keys(r: httpx.Response) -> list[str]:
    return [c["key"] for c in r.json()["results"]]


@pytest.mark.parametrize("layout", ["edx", "openedx"])
def test_default_is_limit_offset_20_with_absolute_next(sandbox, auth, layout) -> None:
    r = page(sandbox, auth, layout=layout)
    body = r.json()
    assert body["count"] == 300
    assert len(body["results"]) == 20
    assert body["previous"] is None
    assert body["next"] == sandbox.api_root(layout) + SMALL + "?limit=20&offset=20"


def test_following_next_walks_everything_once(sandbox, auth) -> None:
    url, seen = sandbox.api_root() + SMALL + "?limit=70", []
    while url:
        body = http.get(url, headers=auth).json()
        seen += [c["key"] for c in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 300


def test_limit_has_no_upper_cap(sandbox, auth) -> None:
    r = page(sandbox, auth, "?limit=1100", path=LARGE)
    assert len(r.json()["results"]) == 1100
    assert r.json()["next"].endswith("?limit=1100&offset=1100")


@pytest.mark.parametrize("bad", ["0", "-5", "abc", "", "1.5"])
def test_invalid_or_zero_limit_falls_back_to_20(sandbox, auth, bad) -> None:
    r = page(sandbox, auth, f"?limit={bad}")
    assert len(r.json()["results"]) == 20
    assert "limit=20" in r.json()["next"]


@pytest.mark.parametrize("bad", ["-1", "x", ""])
def test_invalid_offset_is_zero(sandbox, auth, bad) -> None:
    assert keys(page(sandbox, auth, f"?offset={bad}&limit=5")) == keys(
        page(sandbox, auth, "?limit=5")
    )


def test_offset_slices_and_links(sandbox, auth) -> None:
    all_keys = keys(page(sandbox, auth, "?limit=300"))
    r = page(sandbox, auth, "?limit=10&offset=30")
    assert keys(r) == all_keys[30:40]
    root = sandbox.api_root() + SMALL
    assert r.json()["next"] == root + "?limit=10&offset=40"
    assert r.json()["previous"] == root + "?limit=10&offset=20"


@pytest.mark.parametrize("offset", ["10", "5"])
def test_previous_drops_offset_when_it_would_be_zero(sandbox, auth, offset) -> None:
    r = page(sandbox, auth, f"?limit=10&offset={offset}")
    assert r.json()["previous"] == sandbox.api_root() + SMALL + "?limit=10"


def test_last_page_has_no_next(sandbox, auth) -> None:
    r = page(sandbox, auth, "?limit=20&offset=280")
    assert len(r.json()["results"]) == 20
    assert r.json()["next"] is None


def test_offset_past_the_end_is_an_empty_page(sandbox, auth) -> None:
    # DRF's LimitOffsetPagination: 200 with no results (only page numbers 404).
    r = page(sandbox, auth, "?limit=20&offset=5000")
    assert r.status_code == 200
    assert r.json()["results"] == []
    assert r.json()["next"] is None
    assert r.json()["previous"].endswith("offset=4980")


def test_other_query_params_survive_in_links_sorted(sandbox, auth) -> None:
    r = page(sandbox, auth, "?zeta=1&limit=5&alpha=x")
    assert r.json()["next"] == sandbox.api_root() + SMALL + "?alpha=x&limit=5&offset=5&zeta=1"


def test_page_size_alone_is_ignored(sandbox, auth) -> None:
    r = page(sandbox, auth, "?page_size=50")
    assert len(r.json()["results"]) == 20
    assert "offset=20" in r.json()["next"]


def test_page_number_paging(sandbox, auth) -> None:
    all_keys = keys(page(sandbox, auth, "?limit=300"))
    r = page(sandbox, auth, "?page=3&page_size=25")
    assert keys(r) == all_keys[50:75]
    root = sandbox.api_root() + SMALL
    assert r.json()["next"] == root + "?page=4&page_size=25"
    assert r.json()["previous"] == root + "?page=2&page_size=25"


def test_page_number_default_size_and_first_page(sandbox, auth) -> None:
    r = page(sandbox, auth, "?page=1")
    assert len(r.json()["results"]) == 20
    assert r.json()["previous"] is None
    assert r.json()["next"] == sandbox.api_root() + SMALL + "?page=2"


def test_previous_of_page_two_drops_page_like_drf(sandbox, auth) -> None:
    r = page(sandbox, auth, "?page=2&page_size=25")
    assert r.json()["previous"] == sandbox.api_root() + SMALL + "?page_size=25"


@pytest.mark.parametrize("bad", ["0", "-1", "16", "abc", "1.5"])
def test_page_out_of_range_or_junk_is_404_invalid_page(sandbox, auth, bad) -> None:
    r = page(sandbox, auth, f"?page={bad}")  # 300 / 20 = 15 pages
    assert r.status_code == 404
    assert r.json() == {"detail": "Invalid page."}


def test_page_last_and_invalid_page_size(sandbox, auth) -> None:
    r = page(sandbox, auth, "?page=last&page_size=0")
    assert r.status_code == 200
    assert len(r.json()["results"]) == 20
    assert r.json()["next"] is None


def test_empty_list_has_a_page_one(sandbox, auth) -> None:
    r = page(sandbox, auth, "?page=1", path="catalogs/5/courses/")
    assert r.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert page(sandbox, auth, "?page=2", path="catalogs/5/courses/").status_code == 404


def test_links_use_the_request_host_header(sandbox, auth) -> None:
    r = http.get(sandbox.api_root() + SMALL, headers={**auth, "Host": "discovery.example.org:8443"})
    assert (
        r.json()["next"]
        == "http://discovery.example.org:8443/api/v1/" + SMALL + "?limit=20&offset=20"
    )


@pytest.mark.parametrize(
    "path", ["catalogs/", "courses/", "course_runs/", "programs/", "organizations/"]
)
def test_every_list_is_paginated(sandbox, auth, path) -> None:
    body = page(sandbox, auth, "?limit=3", path=path).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == min(3, body["count"])
    assert (body["next"] is None) == (body["count"] <= 3)


def test_links_origin_fault_points_next_and_previous_elsewhere(sandbox, auth) -> None:
    sandbox.faults.update(links_origin="https://evil.example:444/")
    body = page(sandbox, auth, "?limit=5&offset=5").json()
    assert body["next"] == "https://evil.example:444/api/v1/" + SMALL + "?limit=5&offset=10"
    assert body["previous"] == "https://evil.example:444/api/v1/" + SMALL + "?limit=5"


def test_an_empty_page_param_keeps_limit_offset_paging(sandbox, auth) -> None:
    # discovery picks page-number paging only for a non-empty `page` (a truthy
    # query_params.get("page")); `page=` is limit/offset, where page-number paging would
    # answer 404 "Invalid page." for the empty number
    r = page(sandbox, auth, "?page=&limit=5&offset=5")
    assert r.status_code == 200
    reference = page(sandbox, auth, "?limit=5&offset=5")
    assert keys(r) == keys(reference)
    body = r.json()
    assert body["next"] == sandbox.api_root() + SMALL + "?limit=5&offset=10&page="
    assert body["previous"] == sandbox.api_root() + SMALL + "?limit=5&page="
    numbered = page(sandbox, auth, "?page=2&page_size=5&limit=5&offset=5")
    assert keys(numbered) == keys(reference)  # same slice, but by page number: its links say so
    assert "page=3" in numbered.json()["next"]
