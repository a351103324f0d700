"""Pagination exactly as course-discovery does it (Django REST framework's two paginators).

`page` present (and non-empty): page-number paging with `page_size`. Otherwise limit/offset
paging; `page_size` alone is then ignored. Links are absolute, built from the request URL (so
from its Host header), with the query re-encoded in sorted order like DRF's replace_query_param.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib import parse

DEFAULT_SIZE = 20


class InvalidPage(Exception):
    """A page number that is not a page: the view answers 404 {"detail": "Invalid page."}."""


@dataclass(frozen=True)
class Window:
    offset: int
    limit: int
    next: str | None
    previous: str | None


def _positive_int(text: str | None, *, strict: bool) -> int:
    """DRF's _positive_int: ValueError on junk, on negatives, and on 0 when strict."""
    if text is None:
        raise ValueError("missing")
    value = int(text)
    if value < 0 or (value == 0 and strict):
        raise ValueError("not positive")
    return value


def replace_param(url: str, key: str, value: object) -> str:
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    params = parse.parse_qs(query, keep_blank_values=True)
    params[key] = [str(value)]
    query = parse.urlencode(sorted(params.items()), doseq=True)
    return parse.urlunsplit((scheme, netloc, path, query, fragment))


def _remove(url: str, key: str) -> str:
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    params = parse.parse_qs(query, keep_blank_values=True)
    params.pop(key, None)
    query = parse.urlencode(sorted(params.items()), doseq=True)
    return parse.urlunsplit((scheme, netloc, path, query, fragment))


def paginate(url: str, params: dict[str, str], count: int) -> Window:
    """The slice of `count` items this request asks for, with its next/previous links.

    `url` is the request's absolute URL; `params` its query (first value of each name).
    Raises InvalidPage for a bad or out-of-range page number.
    """
    if params.get("page"):
        return _page_number(url, params, count)
    return _limit_offset(url, params, count)


def _limit_offset(url: str, params: dict[str, str], count: int) -> Window:
    try:
        limit = _positive_int(params.get("limit"), strict=True)
    except ValueError:
        limit = DEFAULT_SIZE
    try:
        offset = _positive_int(params.get("offset"), strict=False)
    except ValueError:
        offset = 0
    nxt = None
    if offset + limit < count:
        nxt = replace_param(replace_param(url, "limit", limit), "offset", offset + limit)
    prev = None
    if offset > 0:
        base = replace_param(url, "limit", limit)
        prev = (
            _remove(base, "offset")
            if offset - limit <= 0
            else replace_param(base, "offset", offset - limit)
        )
    return Window(offset, limit, nxt, prev)


def _page_number(url: str, params: dict[str, str], count: int) -> Window:
    try:
        size = _positive_int(params.get("page_size"), strict=True)
    except ValueError:
        size = DEFAULT_SIZE
    pages = max(1, math.ceil(count / size))  # Django: an empty list still has page 1
    raw = params["page"]
    if raw == "last":
        number = pages
    else:
        try:
            number = int(raw)
        except ValueError:
            raise InvalidPage(raw) from None
    if number < 1 or number > pages:
        raise InvalidPage(raw)
    nxt = replace_param(url, "page", number + 1) if number < pages else None
    prev = None
    if number > 1:
        # DRF drops `page` entirely for page 1, which turns the link into limit/offset paging.
        prev = _remove(url, "page") if number - 1 == 1 else replace_param(url, "page", number - 1)
    return Window((number - 1) * size, size, nxt, prev)
