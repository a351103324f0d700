"""Every resource of both layouts: status, headers and body shapes (API.md: resource shapes)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui.sandbox import SandboxServer
from edxtui.sandbox.data import SandboxData

COURSE_FIELDS = {"key", "uuid", "title", "course_runs", "owners", "image", "short_description",
                 "full_description", "level_type", "subjects", "prerequisites",
                 "expected_learning_items", "video", "sponsors", "modified", "marketing_url"}  # fmt: skip
RUN_FIELDS = {"key", "uuid", "title", "image", "short_description", "marketing_url", "start", "end",
              "enrollment_start", "enrollment_end", "pacing_type", "type", "course",
              "full_description", "announcement", "video", "seats", "content_language",
              "transcript_languages", "instructors", "staff", "min_effort", "max_effort",
              "modified", "level_type", "availability", "mobile_available", "hidden"}  # fmt: skip
SEAT_FIELDS = {
    "type",
    "price",
    "currency",
    "upgrade_deadline",
    "credit_provider",
    "credit_hours",
    "sku",
}
ORG_FIELDS = {"uuid", "key", "name", "description", "homepage_url", "tags", "logo_image_url",
              "marketing_url"}  # fmt: skip
PERSON_FIELDS = {
    "uuid",
    "given_name",
    "family_name",
    "bio",
    "profile_image_url",
    "slug",
    "position",
}
PROGRAM_FIELDS = {"uuid", "title", "subtitle", "type", "status", "marketing_slug", "marketing_url",
                  "courses", "authoring_organizations"}  # fmt: skip


@pytest.fixture(scope="module")
def auth(sandbox_server: SandboxServer) -> dict[str, str]:
    return {"Authorization": f"JWT {sandbox_token(sandbox_server)}"}


def api(sb: SandboxServer, auth: dict[str, str], path: str, layout: str = "openedx", **params):
    r = http.get(sb.api_root(layout) + path, headers=auth, params=params or None)
    return r


def check_course(course: dict) -> None:
    assert set(course) >= COURSE_FIELDS
    assert course["course_runs"], "every course has at least one run"
    for run in course["course_runs"]:
        check_run(run)
        assert run["course"] == course["key"]
    for org in course["owners"] + course["sponsors"]:
        assert set(org) >= ORG_FIELDS
    if course["image"] is not None:
        assert set(course["image"]) == {"src", "description", "height", "width"}


def check_run(run: dict) -> None:
    assert set(run) >= RUN_FIELDS
    assert run["key"].startswith("course-v1:")
    assert run["pacing_type"] in ("instructor_paced", "self_paced")
    assert run["availability"] in ("Archived", "Current", "Starting Soon", "Upcoming")
    assert run["seats"]
    for seat in run["seats"]:
        assert set(seat) >= SEAT_FIELDS
        assert seat["type"] in ("audit", "verified", "professional", "credit", "honor", "masters")
        assert re.fullmatch(r"\d+\.\d\d", seat["price"])
    for person in run["staff"]:
        assert set(person) >= PERSON_FIELDS
        if person["position"] is not None:
            assert set(person["position"]) == {"title", "organization_name"}


@pytest.mark.parametrize("layout", ["edx", "openedx"])
def test_catalog_list_detail_and_courses(sandbox: SandboxServer, auth, layout: str) -> None:
    r = api(sandbox, auth, "catalogs/", layout)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    page = r.json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == len(page["results"]) == 6
    for cat in page["results"]:
        assert set(cat) == {"id", "name", "query", "courses_count", "viewers"}
    by_id = {c["id"]: c for c in page["results"]}
    assert by_id[1]["courses_count"] == 300
    assert by_id[5]["courses_count"] == 0
    assert by_id[6]["courses_count"] == 10_000

    detail = api(sandbox, auth, "catalogs/1/", layout)
    assert detail.status_code == 200
    assert detail.json() == by_id[1]

    courses = api(sandbox, auth, "catalogs/1/courses/", layout).json()
    assert courses["count"] == 300
    assert len(courses["results"]) == 20
    for course in courses["results"]:
        check_course(course)


@pytest.mark.parametrize("layout", ["edx", "openedx"])
def test_empty_catalog(sandbox: SandboxServer, auth, layout: str) -> None:
    r = api(sandbox, auth, "catalogs/5/courses/", layout)
    assert r.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("layout", ["edx", "openedx"])
@pytest.mark.parametrize("path", ["catalogs/999/", "catalogs/999/courses/", "catalogs/abc/"])
def test_unknown_catalog_is_404_not_found(sandbox: SandboxServer, auth, layout, path) -> None:
    r = api(sandbox, auth, path, layout)
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "path",
    ["catalogs/1/contains/?course_id=a", "catalogs/1/csv/", "courses/", "course_runs/",
     "programs/", "organizations/", "courses/KAUSTx+DS100x/"],
)  # fmt: skip
def test_gateway_exposes_only_catalog_resources(sandbox: SandboxServer, auth, path) -> None:
    r = http.get(sandbox.api_root("edx") + path, headers=auth)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")


def test_unknown_path_is_an_html_404_and_missing_slash_redirects(
    sandbox: SandboxServer, auth
) -> None:
    r = http.get(sandbox.base_url + "/api/v1/nothing/", headers=auth)
    assert r.status_code == 404
    assert "<h1>Not Found</h1>" in r.text
    r = http.get(sandbox.api_root() + "catalogs?limit=2", headers=auth)
    assert r.status_code == 301
    assert r.headers["location"] == sandbox.api_root() + "catalogs/?limit=2"


def test_courses_list_and_detail_by_key_and_uuid(sandbox: SandboxServer, auth) -> None:
    page = api(sandbox, auth, "courses/").json()
    assert page["count"] == 10_000  # the course universe: the large catalog's size
    first = page["results"][0]
    check_course(first)
    assert first["key"] == "KAUSTx+DS100x"
    for ident in (first["key"], quote(first["key"], safe=""), first["uuid"]):
        r = api(sandbox, auth, f"courses/{ident}/")
        assert r.status_code == 200, ident
        assert r.json() == first


@pytest.mark.parametrize("key", ["MITx+NOPE1x", "KAUSTx+DS101x", "nonsense", "KAUSTx+DS99999999x"])
def test_unknown_course_is_404(sandbox: SandboxServer, auth, key: str) -> None:
    r = api(sandbox, auth, f"courses/{key}/")
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found."}


def test_course_runs_list_and_detail_by_key(sandbox: SandboxServer, auth) -> None:
    page = api(sandbox, auth, "course_runs/").json()
    assert page["count"] > 10_000  # courses have 1-4 runs
    for run in page["results"]:
        check_run(run)
    run = page["results"][0]
    assert run["key"] == "course-v1:KAUSTx+DS100x+3T2019"
    for ident in (run["key"], quote(run["key"], safe="")):
        r = api(sandbox, auth, f"course_runs/{ident}/")
        assert r.status_code == 200
        assert r.json() == run
    missing = api(sandbox, auth, "course_runs/course-v1:KAUSTx+DS100x+9T2099/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}


def test_course_runs_list_walks_runs_in_course_order(sandbox: SandboxServer, auth) -> None:
    runs = api(sandbox, auth, "course_runs/", limit=60).json()["results"]
    courses = api(sandbox, auth, "courses/", limit=60).json()["results"]
    flat = [r["key"] for c in courses for r in c["course_runs"]][:60]
    assert [r["key"] for r in runs] == flat


def test_programs_list_and_detail(sandbox: SandboxServer, auth) -> None:
    page = api(sandbox, auth, "programs/").json()
    assert page["count"] == 24
    program = page["results"][0]
    assert set(program) >= PROGRAM_FIELDS
    assert program["status"] in ("unpublished", "active", "retired", "deleted")
    assert "overview" not in program  # detail-only
    detail = api(sandbox, auth, f"programs/{program['uuid']}/").json()
    assert detail["overview"]
    assert {k: detail[k] for k in program} == program
    assert api(sandbox, auth, "programs/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_organizations_list_and_detail(sandbox: SandboxServer, auth) -> None:
    page = api(sandbox, auth, "organizations/").json()
    assert page["count"] == len(page["results"]) == 12
    org = page["results"][0]
    assert set(org) >= ORG_FIELDS
    assert api(sandbox, auth, f"organizations/{org['uuid']}/").json() == org
    r = api(sandbox, auth, "organizations/00000000-0000-4000-8000-000000000000/")
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found."}


def test_contains(sandbox: SandboxServer, auth) -> None:
    data = SandboxData(0, 300, 10_000)
    inside, outside = data.course_key(0), data.course_key(1)  # catalog 2 takes every third course
    run = data.course(0)["course_runs"][0]["key"]
    r = api(sandbox, auth, "catalogs/2/contains/",
            course_id=f"{inside},{outside},nonsense", course_run_id=run)  # fmt: skip
    assert r.status_code == 200
    assert r.json() == {"courses": {inside: True, outside: False, "nonsense": False, run: True}}
    assert api(sandbox, auth, "catalogs/2/contains/").json() == {"courses": {}}


def test_csv(sandbox: SandboxServer, auth) -> None:
    r = api(sandbox, auth, "catalogs/2/csv/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="catalog_2_\d{4}-\d\d-\d\d-\d\d-\d\d\.csv"',
        r.headers["content-disposition"],
    )
    rows = list(csv.DictReader(io.StringIO(r.text)))
    courses = api(sandbox, auth, "catalogs/2/courses/", limit=1000).json()["results"]
    assert len(rows) == sum(len(c["course_runs"]) for c in courses)
    for col in (
        "course_key",
        "key",
        "title",
        "start",
        "end",
        "pacing_type",
        "seats.verified.price",
    ):
        assert col in rows[0]
    assert rows[0]["course_key"] == courses[0]["key"]
    assert rows[0]["key"] == courses[0]["course_runs"][0]["key"]


def test_empty_catalog_csv_has_only_the_header(sandbox: SandboxServer, auth) -> None:
    r = api(sandbox, auth, "catalogs/5/csv/")
    assert r.text.count("\r\n") == 1
    assert r.text.startswith("course_key,key,title")


def test_hostile_strings_are_served_as_data(sandbox: SandboxServer, auth) -> None:
    courses = api(sandbox, auth, "catalogs/1/courses/").json()["results"]
    text = "".join(c["title"] for c in courses) + "".join(
        c["full_description"] or "" for c in courses
    )
    assert "\x1b[31m" in text  # ESC survives the JSON round trip
    assert "[bold red]" in text or "[blink]" in text
    assert any("\u0400" <= ch <= "\u04ff" for ch in text)  # Cyrillic
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)  # Arabic
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)  # CJK
    assert any(ord(ch) >= 0x1F300 for ch in text)  # emoji
    assert "<p>" in text
    assert any(len(c["full_description"] or "") > 10_000 for c in courses)
    all_titles = "".join(
        c["title"] for c in api(sandbox, auth, "catalogs/1/courses/", limit=300).json()["results"]
    )
    for needle in ("\x1b]52;c;", "\x1b]8;;", "\x9b", "\u202e"):
        assert needle in all_titles


def test_raw_bytes_keep_c1_controls_unescaped(sandbox: SandboxServer, auth) -> None:
    raw = api(sandbox, auth, "catalogs/1/courses/", limit=300).content
    assert "\x9b".encode() in raw  # DRF writes non-ASCII raw (ensure_ascii=False)
    assert b"\\u001b" in raw  # JSON must escape ESC


def test_data_is_deterministic_per_seed() -> None:
    a, b, c = SandboxData(seed=1), SandboxData(seed=1), SandboxData(seed=2)
    assert a.course_json(123) == b.course_json(123)
    assert a.course_json(123) != c.course_json(123)
    assert a.programs == b.programs


def test_large_catalog_is_lazy_and_indexable() -> None:
    data = SandboxData(seed=0, courses=10, large_catalog_courses=100_000)
    cat = data.catalogs[6]
    assert cat.count == 100_000
    last = data.catalog_course_json(cat, 99_990, 20)
    assert len(last) == 10
    key = data.course(99_999)["key"]
    assert data.course_index_by_key(key) == 99_999
    assert data.find_run(data.course(99_999)["course_runs"][0]["key"]) is not None


def test_prewarm_renders_ahead_and_pages_come_from_the_cache() -> None:
    data = SandboxData(seed=0, courses=10, large_catalog_courses=500)
    assert data.prewarm(40) == 40
    assert data.prewarm() == 500
    misses = data.course_json.cache_info().misses
    data.catalog_course_json(data.catalogs[6], 100, 20)
    assert data.course_json.cache_info().misses == misses


def test_bulk_courses_are_whole_and_consistent() -> None:
    """Past BULK_FROM courses are filled-in templates: nothing of the template may show."""
    from edxtui.sandbox.bulk import BULK_FROM

    data = SandboxData(seed=4, courses=10, large_catalog_courses=BULK_FROM + 400)
    titles = set()
    for i in range(BULK_FROM, BULK_FROM + 400):
        raw = data.course_json(i)
        assert b"\\u0000" not in raw
        course = data.course(i)
        check_course(course)
        assert data.course_index_by_key(course["key"]) == i
        assert data.course_index_by_uuid(course["uuid"]) == i
        assert course["owners"][0]["key"] == course["key"].split("+")[0]
        assert len(course["course_runs"]) == data.runs_count(i)
        uuids = [r["uuid"] for r in course["course_runs"]]
        assert len(set(uuids)) == len(uuids)
        for run in course["course_runs"]:
            assert run["title"] == course["title"]
            assert data.find_run(run["key"]) == run
        titles.add(course["title"])
    assert len(titles) > 100


def test_head_answers_headers_only(sandbox: SandboxServer, auth) -> None:
    r = http.head(sandbox.api_root() + "catalogs/1/", headers=auth)
    assert r.status_code == 200
    assert r.content == b""
    assert int(r.headers["content-length"]) > 0
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    assert r.headers["vary"] == "Accept"


def test_the_render_cache_holds_as_many_courses_as_configured() -> None:
    from edxtui.sandbox.app import SandboxApp
    from edxtui.sandbox.config import CACHED_COURSES, SandboxConfig

    assert SandboxApp().data.course_json.cache_info().maxsize == CACHED_COURSES
    data = SandboxApp(SandboxConfig(large_catalog_courses=500, cached_courses=120)).data
    assert data.course_json.cache_info().maxsize == 120
    assert data.prewarm() == 120  # no more than it keeps
    with pytest.raises(ValueError, match=">= 0"):
        SandboxConfig(cached_courses=-1)
