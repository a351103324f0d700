"""Catalog paths, the pagination envelope, and following `next` (same origin only)."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from api_fake import API_ROOT, FakeClock, FakeEdx, make_session
from hypothesis import given
from hypothesis import strategies as st

from edxtui.api import OriginError, ResponseFormatError, catalog
from edxtui.api.catalog import Page, fetch_all, fetch_page, iter_pages, parse_page
from edxtui.api.errors import ConfigError


def test_paths_for_every_resource():
    assert catalog.catalogs() == "catalogs/"
    assert catalog.catalog(7) == "catalogs/7/"
    assert catalog.catalog_courses(7) == "catalogs/7/courses/"
    assert catalog.catalog_contains(7) == "catalogs/7/contains/"
    assert catalog.catalog_csv(7) == "catalogs/7/csv/"
    assert catalog.courses() == "courses/"
    assert catalog.course("edX+DemoX") == "courses/edX+DemoX/"
    assert catalog.course_runs() == "course_runs/"
    assert (
        catalog.course_run("course-v1:edX+DemoX+1T2024")
        == "course_runs/course-v1:edX+DemoX+1T2024/"
    )
    assert catalog.programs() == "programs/"
    assert catalog.program("a1b2") == "programs/a1b2/"
    assert catalog.organizations() == "organizations/"
    assert catalog.organization("c3d4") == "organizations/c3d4/"


def test_keys_are_quoted_so_they_stay_one_segment():
    assert catalog.course("a/b?c#d e%f") == "courses/a%2Fb%3Fc%23d%20e%25f/"
    assert catalog.course("é") == "courses/%C3%A9/"
    for bad in ("", ".", ".."):
        with pytest.raises(ConfigError):
            catalog.course(bad)


@given(st.text(min_size=1, max_size=40).filter(lambda s: s not in (".", "..")))
def test_any_key_resolves_to_exactly_one_segment_under_courses(key):
    session = make_session(FakeEdx(FakeClock()), FakeClock())
    url = httpx.URL(session.resolve(catalog.course(key)))
    assert url.path.startswith("/api/v1/courses/") and url.path.endswith("/")
    assert url.raw_path.decode().count("/") == 5 and not url.query


def test_parse_page_accepts_the_envelope():
    page = parse_page({"count": 2, "next": None, "previous": None, "results": [1, 2]})
    assert page == Page(2, None, None, [1, 2])


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "body is a JSON list, not an object"),
        ({"count": 1}, "envelope has no results"),
        ({"count": 1, "results": {}}, "results is a dict, not a list"),
        ({"results": []}, "count is missing"),
        ({"count": "3", "results": []}, "count is missing or not a whole number"),
        ({"count": True, "results": []}, "count is missing or not a whole number"),
        ({"count": -1, "results": []}, "count is missing or not a whole number"),
        ({"count": 1, "results": [], "next": 5}, "next link is neither a URL nor null"),
        ({"count": 1, "results": [], "previous": ""}, "previous link is neither"),
    ],
)
def test_malformed_envelopes_are_clear_errors(data, words):
    with pytest.raises(ResponseFormatError, match=words) as info:
        parse_page(data, url="https://x/api/v1/catalogs/")
    assert "pagination envelope" in info.value.hint


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=20,
    )
)
def test_parse_page_never_crashes(data):
    with contextlib.suppress(ResponseFormatError):
        parse_page(data)


async def test_iter_pages_follows_next_until_the_end():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        pages = [page async for page in iter_pages(session, catalog.catalogs())]
        everything = await fetch_all(session, catalog.catalogs())
    assert [len(p.results) for p in pages] == [20, 20, 5]
    assert [r["id"] for r in everything] == list(range(45))
    assert pages[1].exchange.url == API_ROOT + "catalogs/?offset=20&limit=20"


async def test_next_to_another_origin_is_refused_and_never_requested():
    clock = FakeClock()
    fake = FakeEdx(clock)
    fake.api_responses.append(
        httpx.Response(
            200,
            json={
                "count": 40,
                "next": "https://evil.example.com/api/v1/catalogs/?offset=20",
                "previous": None,
                "results": [{}] * 20,
            },
        )
    )
    async with make_session(fake, clock) as session:
        pages = []
        with pytest.raises(OriginError) as info:
            async for page in iter_pages(session, catalog.catalogs()):
                pages.append(page)
    assert len(pages) == 1 and len(fake.api_requests) == 1
    assert "evil.example.com" in info.value.message


async def test_a_next_loop_is_stopped():
    clock = FakeClock()
    fake = FakeEdx(clock)
    loop = {"count": 40, "next": API_ROOT + "catalogs/?offset=20", "previous": None, "results": []}
    fake.api_responses += [httpx.Response(200, json=loop)] * 3
    async with make_session(fake, clock) as session:
        with pytest.raises(ResponseFormatError, match="loop"):
            async for _ in iter_pages(session, catalog.catalogs()):
                pass
    assert len(fake.api_requests) == 2  # the second page points at itself: stop there


async def test_fetch_page_passes_params():
    clock = FakeClock()
    fake = FakeEdx(clock)
    async with make_session(fake, clock) as session:
        page = await fetch_page(session, catalog.catalogs(), {"offset": 40})
    assert page.count == 45 and len(page.results) == 5 and page.next is None


@given(st.text(max_size=60))
def test_resolve_any_string_is_same_origin_or_a_clear_error(text):
    from edxtui.api import ConfigError as _ConfigError

    session = make_session(FakeEdx(FakeClock()), FakeClock())
    try:
        url = httpx.URL(session.resolve(text))
    except (OriginError, _ConfigError) as exc:
        assert exc.message and exc.hint
    else:
        assert (url.scheme, url.host, url.port) == ("https", "discovery.example.edu", None)
