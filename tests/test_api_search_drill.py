"""The headless rules behind search on the server and drill-down (edxtui.api.search, .drill),
then the same paths and parameters over real HTTP against the sandbox."""

from __future__ import annotations

import pytest

from edxtui.api.catalog import contains, fetch_object, fetch_page
from edxtui.api.drill import DRILLABLE, detail_path, is_run_key, split_keys
from edxtui.api.errors import ApiError, ConfigError
from edxtui.api.search import (
    MIXED,
    SEARCHABLE,
    NoSearchError,
    result_kind,
    search_all,
    search_target,
)
from edxtui.api.session import Session
from edxtui.sandbox.search import INVALID_QUERY

LISTS = set(SEARCHABLE)


# ----- search: where it goes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "scope", "kind"),
    [("courses/", "Courses", "course"), ("course_runs/", "Course runs", "run"),
     ("programs/", "Programs", "program")],
)  # fmt: skip
def test_a_searchable_list_is_searched_with_q_on_itself(path, scope, kind):
    target = search_target(path, LISTS)
    assert (target.path, target.scope, target.child_kind) == (path, scope, kind)
    assert target.params("  python  ", 100) == {"q": "python", "limit": "100"}


@pytest.mark.parametrize("path", ["catalogs/", "organizations/", None])
def test_anywhere_else_search_all_pages_by_page_size(path):
    target = search_target(path, LISTS)
    assert target.path == search_all() == "search/all/"
    assert target.child_kind == MIXED and target.scope == "everything"
    assert target.params("org:MITx", 50) == {"q": "org:MITx", "page_size": "50"}


def test_search_all_needs_one_searchable_list_served():
    assert search_target("catalogs/", {"programs/"}).path == "search/all/"
    with pytest.raises(NoSearchError, match="edX.org gateway"):
        search_target("catalogs/", {"catalogs/"})  # the gateway: catalogs only


def test_a_list_the_server_does_not_serve_has_no_search():
    with pytest.raises(NoSearchError, match="Courses is not available on this server"):
        search_target("courses/", {"catalogs/", "programs/"})


@pytest.mark.parametrize("query", ["", "   ", "\t"])
def test_an_empty_query_is_refused(query):
    with pytest.raises(ConfigError, match="nothing to search for"):
        search_target("courses/", LISTS).params(query, 100)


@pytest.mark.parametrize(
    ("item", "kind"),
    [({"content_type": "course"}, "course"), ({"content_type": "courserun"}, "run"),
     ({"content_type": "program"}, "program"), ({"content_type": "person"}, "item"),
     ({"content_type": 3}, "item"), ({}, "item"), ("course", "item")],
)  # fmt: skip
def test_a_search_all_result_says_its_kind(item, kind):
    assert result_kind(item) == kind


# ----- drill down: detail paths, keys ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "item", "path"),
    [
        ("course", {"key": "MITx+6.00x"}, "courses/MITx+6.00x/"),
        ("run", {"key": "course-v1:MITx+6.00x+1T2025"}, "course_runs/course-v1:MITx+6.00x+1T2025/"),
        ("run", {"key": "MITx/6.002x/2012_Fall"}, "course_runs/MITx/6.002x/2012_Fall/"),
        ("program", {"uuid": "0b7e-1"}, "programs/0b7e-1/"),
        ("catalog", {"id": 7}, "catalogs/7/"),
        ("course", {"key": "a b?#"}, "courses/a%20b%3F%23/"),
    ],
)
def test_detail_path_per_kind(kind, item, path):
    assert kind in DRILLABLE
    assert detail_path(kind, item) == path


def test_an_organization_has_a_path_for_the_request_bar_but_d_does_not_drill_it():
    assert detail_path("organization", {"uuid": "0b7e-2"}) == "organizations/0b7e-2/"
    assert "organization" not in DRILLABLE


@pytest.mark.parametrize(
    ("kind", "item"),
    [("course", {}), ("course", {"key": ""}), ("program", {"key": "x"}), ("run", {"key": ".."}),
     ("course", {"key": ["x"]}), ("seat", {"key": "x"}), ("course", "not an object")],
)  # fmt: skip
def test_no_detail_path_without_a_usable_key(kind, item):
    with pytest.raises(ConfigError):
        detail_path(kind, item)


def test_split_keys_tells_runs_from_courses_once_each_in_order():
    text = " MITx+6.00x, course-v1:MITx+6.00x+1T2025 MITx/6.002x/2012_Fall,,MITx+6.00x "
    assert split_keys(text) == (
        ["MITx+6.00x"],
        ["course-v1:MITx+6.00x+1T2025", "MITx/6.002x/2012_Fall"],
    )
    assert is_run_key("course-v1:A+B+C") and not is_run_key("A+B")
    with pytest.raises(ConfigError, match="no course key"):
        split_keys(" , ")


# ----- over real HTTP ----------------------------------------------------------------------


async def test_the_targets_answer_on_the_sandbox(sandbox):
    sandbox.faults.update(search=True)
    async with Session(sandbox.credentials("openedx")) as session:
        courses = search_target("courses/", LISTS)
        page = await fetch_page(session, courses.path, courses.params("python", 5))
        assert page.count == 21 and len(page.results) == 5
        assert all("python" in c["title"].lower() or "python" in c["key"] for c in page.results)
        everything = search_target(None, LISTS)
        page = await fetch_page(session, everything.path, everything.params("python", 5))
        assert page.count == 75 and "page=2" in (page.next or "")
        assert {result_kind(r) for r in page.results} <= {"course", "run", "program"}
        first = page.results[0]
        key = first["key"]
        detail, _ = await fetch_object(session, detail_path(result_kind(first), first))
        assert detail["key"] == key and "course_runs" in detail  # the whole object
        runs = search_target("course_runs/", LISTS)
        with pytest.raises(ApiError) as err:
            await fetch_page(session, runs.path, runs.params('"python', 5))
        assert err.value.status == 400 and err.value.detail == INVALID_QUERY
        course_ids, run_ids = split_keys(f"{key} course-v1:No+Such+Run")
        found = await contains(session, 1, course_ids, run_ids)
        assert found == {key: True, "course-v1:No+Such+Run": False}
    assert sandbox.counters.per_path["/api/v1/search/all/"] == 1
