"""Searching on the server: which endpoint answers a search, and with which parameters.

An Open edX discovery searches its `courses/`, `course_runs/` and `programs/` lists with
`q=` (an Elasticsearch query string; the answer is that list's own page, limit/offset
paged), and everything at once at `search/all/` (page-number paged by `page`/`page_size`,
its results summaries with a `content_type`, and a `facets` object in the envelope). The
edX.org gateway serves only catalogs, so it has no search at all (API.md).

`search_target` picks the endpoint from where the user asks (a list's path) and which
lists the API root was seen to serve; `SearchTarget.params` builds the first page's query.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from edxtui.api import catalog as paths
from edxtui.api.errors import ConfigError, EdxError

#: the lists that take `q=`: path -> (what a person calls it, the kind of its items)
SEARCHABLE: dict[str, tuple[str, str]] = {
    paths.courses(): ("Courses", "course"),
    paths.course_runs(): ("Course runs", "run"),
    paths.programs(): ("Programs", "program"),
}

#: search/all/'s `content_type` -> the kind of item it is
CONTENT_KINDS = {"course": "course", "courserun": "run", "program": "program"}

#: the child kind of a search/all/ answer: each result's own `content_type` says
MIXED = "mixed"


def search_all() -> str:
    return "search/all/"


class NoSearchError(EdxError):
    """The server cannot search here (the edX.org gateway, or a list it does not serve)."""


@dataclass(frozen=True)
class SearchTarget:
    """Where a search goes: `path` under the API root, paged by `limit` (a list's own
    limit/offset) or by `page` (search/all/'s page numbers)."""

    path: str
    scope: str  # what is searched, for a label: "Courses", "everything"
    child_kind: str  # the kind of the results, or MIXED
    paged_by: str  # "limit" or "page"

    def params(self, query: str, page_size: int) -> dict[str, str]:
        """The first page's query parameters; ConfigError for an empty query."""
        text = query.strip()
        if not text:
            raise ConfigError(
                "nothing to search for", "type words, or field:value terms such as org:MITx"
            )
        size = "limit" if self.paged_by == "limit" else "page_size"
        return {"q": text, size: str(page_size)}


def search_target(list_path: str | None, served: Collection[str]) -> SearchTarget:
    """Where a search asked from `list_path` (the list the user is in, or None) goes,
    given the list paths the API root was seen to serve (`served`).

    A searchable list the server serves is searched with `q=` on itself; anywhere else on a
    server that serves one, `search/all/` searches everything. NoSearchError otherwise,
    saying why in one line."""
    if list_path in SEARCHABLE:
        scope, kind = SEARCHABLE[list_path]
        if list_path not in served:
            raise NoSearchError(f"{scope} is not available on this server, so it has no search")
        return SearchTarget(list_path, scope, kind, "limit")
    if any(path in served for path in SEARCHABLE):
        return SearchTarget(search_all(), "everything", MIXED, "page")
    raise NoSearchError(
        "this API root has no search (the edX.org gateway serves catalogs only)",
        "filter what is loaded instead",
    )


def result_kind(item: Any, default: str = "item") -> str:
    """The kind of one search/all/ result, from its `content_type`."""
    content = item.get("content_type") if isinstance(item, dict) else None
    return CONTENT_KINDS.get(content, default) if isinstance(content, str) else default
