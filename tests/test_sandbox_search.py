"""The `search` switch: q=, keys=, uuids=, ordering= on courses/, course_runs/ and programs/,
and search/all/ (page-number paging, facets), as Open edX discovery. Plain httpx over HTTP."""

from __future__ import annotations

import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui.sandbox import SandboxServer


@pytest.fixture
def auth(sandbox: SandboxServer) -> dict[str, str]:
    headers = {"Authorization": f"JWT {sandbox_token(sandbox)}"}
    sandbox.faults.update(search=True)
    return headers


def get(sb: SandboxServer, path: str, auth: dict[str, str], **params: str):
    return http.get(sb.api_root() + path, headers=auth, params=params)


def test_without_the_switch_filters_are_ignored_and_search_is_not_routed(sandbox) -> None:
    headers = {"Authorization": f"JWT {sandbox_token(sandbox)}"}
    everything = get(sandbox, "courses/", headers, q="databases").json()
    assert everything["count"] == 10_000
    r = get(sandbox, "search/all/", headers, q="x")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_q_matches_title_or_key_case_insensitively(sandbox, auth) -> None:
    page = get(sandbox, "courses/", auth, q="advanced DATABASES", limit="100").json()
    assert page["count"] >= 1
    assert all("advanced databases" in c["title"].lower() for c in page["results"])
    by_org = get(sandbox, "courses/", auth, q="org:KAUSTx", limit="100").json()
    assert by_org["count"] >= 1
    assert all(c["key"].startswith("KAUSTx+") for c in by_org["results"])


def test_keys_uuids_and_ordering(sandbox, auth) -> None:
    first = get(sandbox, "courses/", auth, limit="3").json()["results"]
    keys = ",".join(c["key"] for c in first)
    page = get(sandbox, "courses/", auth, keys=keys, ordering="-key").json()
    assert page["count"] == 3
    assert [c["key"] for c in page["results"]] == sorted((c["key"] for c in first), reverse=True)
    one = get(sandbox, "courses/", auth, uuids=first[0]["uuid"]).json()
    assert [c["uuid"] for c in one["results"]] == [first[0]["uuid"]]
    run_key = first[0]["course_runs"][0]["key"]
    runs = get(sandbox, "course_runs/", auth, keys=run_key).json()
    assert [r["key"] for r in runs["results"]] == [run_key]
    program = get(sandbox, "programs/", auth, limit="1").json()["results"][0]
    found = get(sandbox, "programs/", auth, uuids=program["uuid"]).json()
    assert found["count"] == 1 and found["results"][0]["uuid"] == program["uuid"]


def test_an_invalid_query_is_400_on_course_runs_and_500_elsewhere(sandbox, auth) -> None:
    r = get(sandbox, "course_runs/", auth, q='title:"unclosed')
    assert (r.status_code, r.json()) == (
        400,
        {
            "detail": "Request could not be completed due to an incorrect ElasticSearch query parameters"
        },
    )
    assert get(sandbox, "courses/", auth, q="(broken").status_code == 500


@pytest.mark.parametrize("path", ["courses/", "course_runs/", "programs/"])
def test_exclude_utm_true_is_a_500_and_1_is_fine(sandbox, auth, path) -> None:
    r = get(sandbox, path, auth, exclude_utm="true")
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert get(sandbox, path, auth, exclude_utm="1", limit="1").status_code == 200


def test_search_all_pages_by_page_number_only_and_has_facets(sandbox, auth) -> None:
    r = get(sandbox, "search/all/", auth, q="*", limit="5", offset="40")
    body = r.json()
    assert list(body) == ["count", "next", "previous", "facets", "results"]
    assert len(body["results"]) == 20  # limit/offset ignored: page 1 of 20
    assert body["previous"] is None and "page=2" in body["next"]
    kinds = {b["key"] for b in body["facets"]["_filter_content_type"]["content_type"]["buckets"]}
    assert kinds == {"course", "courserun", "program"}
    page2 = get(sandbox, "search/all/", auth, q="*", page="2", page_size="7").json()
    assert len(page2["results"]) == 7 and page2["count"] == body["count"]


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("courses", "course"), ("course_runs", "courserun"), ("programs", "program")],
)
def test_search_by_kind(sandbox, auth, kind, content_type) -> None:
    body = get(sandbox, f"search/{kind}/", auth, q="*").json()
    assert body["count"] > 0
    assert {r["content_type"] for r in body["results"]} == {content_type}
