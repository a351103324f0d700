"""Catalog API resources: their paths, the pagination envelope, and fetch helpers.

Paths are relative to the API root (both layouts: the edX.org gateway's /catalog/v1/ and
an Open edX discovery's /api/v1/), so the same helpers work for either. Keys go into a
path segment quoted: '?', '#', '%', spaces and non-ASCII are percent-encoded ('/' too, except
that an old-style course-run key `MITx/6.002x/2012_Fall` keeps its slashes), while
'+' and ':' stay literal (course keys like "course-v1:edX+DemoX+1T2024" are sent as the
server writes them; in a path '+' is just '+').
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from edxtui.api.errors import ConfigError, ResponseFormatError
from edxtui.api.exchange import Exchange
from edxtui.api.redaction import shown
from edxtui.textsafe import visible

if TYPE_CHECKING:
    from edxtui.api.session import Params, Session

# --- paths -----------------------------------------------------------------------------------


def segment(value: object) -> str:
    """One path segment: quoted, and never empty, "." or ".." (which would change the path)."""
    text = str(value)
    if text in ("", ".", ".."):
        raise ConfigError(f"{text!r} is not a valid id or key", "give the id or key as listed")
    return quote(text, safe="+:@!$&'()*,;=-._~")


def key_path(value: object) -> str:
    """A course or course-run key as path segments: an old-style key keeps its slashes
    (`MITx/6.002x/2012_Fall`: discovery's COURSE_RUN_ID_REGEX matches them, and a %2F it
    would not route, API.md); each part is quoted and checked as one segment (never empty,
    "." or "..", so the key cannot climb out of course_runs/)."""
    return "/".join(segment(part) for part in str(value).split("/"))


def catalogs() -> str:
    return "catalogs/"


def catalog(catalog_id: object) -> str:
    return f"catalogs/{segment(catalog_id)}/"


def catalog_courses(catalog_id: object) -> str:
    return f"catalogs/{segment(catalog_id)}/courses/"


def catalog_contains(catalog_id: object) -> str:
    return f"catalogs/{segment(catalog_id)}/contains/"


def catalog_csv(catalog_id: object) -> str:
    return f"catalogs/{segment(catalog_id)}/csv/"


def courses() -> str:
    return "courses/"


def course(key: object) -> str:
    return f"courses/{segment(key)}/"


def course_runs() -> str:
    return "course_runs/"


def course_run(key: object) -> str:
    return f"course_runs/{key_path(key)}/"


def programs() -> str:
    return "programs/"


def program(uuid: object) -> str:
    return f"programs/{segment(uuid)}/"


def organizations() -> str:
    return "organizations/"


def organization(uuid: object) -> str:
    return f"organizations/{segment(uuid)}/"


# --- pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a list: the envelope's fields and the exchange that brought it."""

    count: int
    next: str | None
    previous: str | None
    results: list[Any]
    exchange: Exchange | None = field(default=None, compare=False)


class NotAListError(ResponseFormatError):
    """A JSON object without `results` where a list page was expected: a single resource."""


class PagingIgnoredError(ResponseFormatError):
    """The server sent the same page again for the next one: it ignores limit/offset (the
    api.edx.org gateway may not forward the query string), so only the first page is
    reachable. `reachable` of `count` results could be had."""

    def __init__(self, reachable: int, count: int, noun: str = "results") -> None:
        super().__init__(
            "the server returned the same page again: it ignores limit/offset; "
            f"{reachable} of {count} {noun} are reachable through this API root",
            "the API root may be behind a gateway that drops the query string; "
            "use the deployment's own discovery API root if you can",
        )
        self.reachable = reachable
        self.count = count


def same_page(first: Page, again: Page) -> bool:
    """A page that repeats an earlier one's results: paging was not honoured."""
    return bool(again.results) and again.results == first.results


def _bad(
    what: str,
    where: str,
    kind: type[ResponseFormatError] = ResponseFormatError,
    secrets: Iterable[str | None] = (),
) -> ResponseFormatError:
    # `where` is the URL the page came from: a server's redirect or link may have echoed
    # a secret into it, so it is scrubbed before it is cut
    place = f" from {shown(where, secrets, 200)}" if where else ""
    return kind(
        f"the API sent a list page whose {what}{place}",
        "this is not the catalog API's pagination envelope; check the API root and path",
    )


def parse_page(
    data: Any,
    *,
    url: str = "",
    exchange: Exchange | None = None,
    secrets: Iterable[str | None] = (),
) -> Page:
    """Validate `{"count", "next", "previous", "results"}`; ResponseFormatError if malformed."""
    if not isinstance(data, dict):
        raise _bad(f"body is a JSON {type(data).__name__}, not an object", url, secrets=secrets)
    if "results" not in data:
        raise _bad("envelope has no results", url, NotAListError, secrets)
    results = data["results"]
    if not isinstance(results, list):
        raise _bad(f"results is a {type(results).__name__}, not a list", url, secrets=secrets)
    count = data.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise _bad("count is missing or not a whole number", url, secrets=secrets)
    links = {}
    for name in ("next", "previous"):
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or not value):
            raise _bad(f"{name} link is neither a URL nor null", url, secrets=secrets)
        links[name] = value
    return Page(count, links["next"], links["previous"], results, exchange)


async def fetch_page(
    session: Session, path: str, params: Params | None = None, *, turn: asyncio.Lock | None = None
) -> Page:
    """GET one page (a path under the API root, or a same-origin absolute URL).

    `turn`: pages fetched concurrently share it, so that only one big body is decoded per
    turn of the event loop (six answers arriving together would hold it for six decodes)."""
    if turn is None:
        data, exchange = await session.get_json(path, params)
    else:
        response = await session.get(path, params)
        async with turn:
            data, exchange = session.json_of(response)
            await asyncio.sleep(0)  # the next page's decode waits for the next turn
    url = exchange.url if exchange else path
    return parse_page(data, url=url, exchange=exchange, secrets=session.secrets())


#: pages followed beyond what `count` allows (a list that grew while it was paged)
PAGE_SLACK = 2


class PageBudget:
    """How far a list's `next` links may be followed: the pages its first page's `count`
    allows at that page's size, plus PAGE_SLACK, and never more results than `count`. A
    server whose links never end (or loop) is stopped with a one-line ResponseFormatError.
    """

    def __init__(self, first: Page, secrets: Iterable[str | None] = ()) -> None:
        self.secrets = tuple(secrets)  # scrubbed from a link before a message cuts it
        self.count = first.count
        per_page = max(1, len(first.results))
        self.max_pages = -(-first.count // per_page) + PAGE_SLACK  # ceil + slack
        self.pages = 1
        self.results = len(first.results)
        self._seen: set[str] = set()

    def follow(self, url: str) -> None:
        """Before fetching `url` (a page's next): raise if that would go past the budget."""
        if url in self._seen:
            raise ResponseFormatError(
                "the API's next link points back to a page already fetched (a loop): "
                f"{shown(url, self.secrets, 200)}",
                "the server's pagination is broken; fetch the pages one by one (offset, page)",
            )
        if self.pages >= self.max_pages:
            raise ResponseFormatError(
                f"the API's next links go on past what its count allows ({self.count} "
                f"results, {self.pages} pages followed); stopped",
                "the server's pagination is broken; fetch the pages one by one (offset, page)",
            )

    def took(self, url: str, page: Page) -> None:
        """After the page at `url` arrived: raise if the results now exceed the count."""
        results = self.results + len(page.results)
        count = max(self.count, page.count)  # a list may grow while it is paged
        if results > count:  # refused, and not counted: a retry meets the same answer
            raise ResponseFormatError(
                f"the API sent more results ({results}) than its count ({count}) says; stopped",
                "the server's pagination is broken; fetch the pages one by one (offset, page)",
            )
        self._seen.add(url)
        self.pages += 1
        self.results = results


async def iter_pages(
    session: Session, path: str, params: Params | None = None
) -> AsyncIterator[Page]:
    """Every page of a list, following the absolute `next` links (same origin only:
    a link to another server raises OriginError before anything is sent to it; an `http`
    link to the https API root's own host is followed as https), as far as the first page's
    count allows (PageBudget). A page that repeats the one before raises PagingIgnoredError."""
    page = await fetch_page(session, path, params)
    yield page
    budget = PageBudget(page, session.secrets())
    while page.next is not None:
        url = session.link(page.next)  # an http link to the https API's own host: https
        budget.follow(url)
        previous, page = page, await fetch_page(session, url)
        budget.took(url, page)  # more results than the count: that message, not this one
        if same_page(previous, page):
            raise PagingIgnoredError(len(previous.results), previous.count)
        yield page


async def fetch_all(session: Session, path: str, params: Params | None = None) -> list[Any]:
    """Every result of a list, all pages merged (for small lists; stream big ones)."""
    results: list[Any] = []
    async for page in iter_pages(session, path, params):
        results.extend(page.results)
    return results


async def fetch_object(
    session: Session, path: str, params: Params | None = None
) -> tuple[dict[str, Any], Exchange | None]:
    """GET a detail resource (a catalog, a course, ...) that must be a JSON object."""
    data, exchange = await session.get_json(path, params)
    if not isinstance(data, dict):
        raise ResponseFormatError(
            f"the API sent a JSON {type(data).__name__} where an object was expected "
            f"from {visible(path)[:200]}",
            "check the API root and path",
        )
    return data, exchange


async def contains(
    session: Session,
    catalog_id: object,
    course_ids: Iterable[str] = (),
    course_run_ids: Iterable[str] = (),
) -> dict[str, bool]:
    """Which of these course and course-run keys a catalog contains."""
    params = {}
    if course_ids := list(course_ids):
        params["course_id"] = ",".join(course_ids)
    if course_run_ids := list(course_run_ids):
        params["course_run_id"] = ",".join(course_run_ids)
    data, _ = await fetch_object(session, catalog_contains(catalog_id), params)
    found = data.get("courses")
    if not isinstance(found, dict) or not all(isinstance(v, bool) for v in found.values()):
        raise ResponseFormatError(
            "the API's contains answer has no {courses: {key: true|false}} map",
            "check the API root; the edX.org gateway does not expose contains",
        )
    return found


_FILENAME = re.compile(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', re.IGNORECASE)


async def fetch_csv(session: Session, catalog_id: object) -> tuple[bytes, str, Exchange | None]:
    """A catalog as CSV: (body, file name from Content-Disposition, exchange).

    Sent with the client's `Accept: */*`, not text/csv: Django REST framework negotiates
    before the view runs, discovery renders only JSON and HTML, and answers text/csv with
    406 (API.md); the CSV action then writes its text/csv body itself."""
    response = await session.get(catalog_csv(catalog_id))
    match = _FILENAME.search(response.headers.get("content-disposition", ""))
    name = match.group(1) if match else f"catalog_{catalog_id}.csv"
    # the server names the file: keep only a plain base name, never a path
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name.rsplit("/", 1)[-1]).lstrip(".") or "catalog.csv"
    return response.content, name, session.exchange_for(response)
