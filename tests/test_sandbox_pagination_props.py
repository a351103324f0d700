"""Properties of the sandbox's pagination, for any list size (no server: the pure function)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from edxtui.sandbox.pagination import InvalidPage, paginate

ROOT = "http://h:1/api/v1/things/"


def params_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


@given(count=st.integers(0, 500), limit=st.integers(1, 60))
def test_following_next_from_the_start_covers_each_item_once(count: int, limit: int) -> None:
    url, seen = f"{ROOT}?limit={limit}", []
    while url is not None:
        w = paginate(url, params_of(url), count)
        seen.extend(range(w.offset, min(w.offset + w.limit, count)))
        url = w.next
    assert seen == list(range(count))


@given(count=st.integers(0, 500), limit=st.integers(1, 60), offset=st.integers(0, 600))
def test_previous_steps_back_one_limit_and_never_says_offset_zero(count, limit, offset) -> None:
    w = paginate(
        f"{ROOT}?limit={limit}&offset={offset}", {"limit": str(limit), "offset": str(offset)}, count
    )
    if offset == 0:
        assert w.previous is None
        return
    prev = params_of(w.previous)
    assert prev.get("offset") != "0"
    assert int(prev.get("offset", 0)) == max(0, offset - limit)
    assert prev["limit"] == str(limit)


@given(count=st.integers(0, 500), size=st.integers(1, 60))
def test_page_numbers_cover_each_item_once_and_stop_with_404(count: int, size: int) -> None:
    url, seen, pages = f"{ROOT}?page=1&page_size={size}", [], 0
    while url is not None:
        w = paginate(url, params_of(url), count)
        seen.extend(range(w.offset, min(w.offset + w.limit, count)))
        url, pages = w.next, pages + 1
    assert seen == list(range(count))
    try:
        paginate(ROOT, {"page": str(pages + 1), "page_size": str(size)}, count)
    except InvalidPage:
        pass
    else:
        raise AssertionError("a page past the end must be Invalid page")
