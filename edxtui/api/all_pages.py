"""Every page of a list, fetched concurrently and bounded, handed on in list order.

The one pager behind `edxtui export` and the explorer's "load all". The page at `start`
tells how many results there are; the page after it is fetched alone (a server that ignores
offset is caught after two requests, not after a burst); the remaining pages are then
fetched concurrently by limit/offset, at most `concurrency` in flight, and each is handed on
as soon as every page before it has been. A page that reports another count than the first
means the list changed under us (offsets shifted: a result could be missed or seen twice).

`plan()` says beforehand how many requests that will spend, and `confirm_reason()` whether
a person should be asked first (many requests, or more than a known budget has left).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from edxtui.api import catalog
from edxtui.api.errors import EdxError

if TYPE_CHECKING:
    from edxtui.api.session import Params, Session

DEFAULT_PAGE_SIZE = 100
DEFAULT_CONCURRENCY = 6
#: past this many requests, a person is asked before a "load all" starts
CONFIRM_OVER = 20


class ListChangedError(EdxError):
    """The list's count changed while its pages were fetched; `why` says how."""

    def __init__(self, why: str) -> None:
        super().__init__(
            f"the list changed while it was loading ({why})", "load it again to see all of it"
        )
        self.why = why


@dataclass(frozen=True)
class PagesResult:
    count: int  # the list's count, as its first page said
    pages: int  # pages fetched


@dataclass(frozen=True)
class Plan:
    """What loading the rest of a list costs: `requests` pages for `remaining` results."""

    remaining: int
    requests: int
    page_size: int


def plan(count: int, loaded: int = 0, page_size: int = DEFAULT_PAGE_SIZE) -> Plan:
    """The requests that fetching results `loaded`..`count` of a list takes, a page each."""
    if page_size < 1:
        raise ValueError("page_size must be >= 1")
    remaining = max(0, count - loaded)
    return Plan(remaining, -(-remaining // page_size), page_size)


def confirm_reason(requests: int, budget_left: int | None) -> str | None:
    """Why a person should confirm before `requests` are spent, or None to go ahead.

    `budget_left`: what is left of the server's per-hour budget when it is known
    (RequestBudget.left), else None.
    """
    if budget_left is not None and requests > budget_left:
        return f"that is more than the {budget_left:,} left of this hour's request budget"
    if requests > CONFIRM_OVER:
        return f"that is more than {CONFIRM_OVER} requests"
    return None


async def each_page(
    session: Session,
    path: str,
    on_page: Callable[[int, catalog.Page], None],
    *,
    start: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    params: Params | None = None,
    noun: str = "results",
) -> PagesResult:
    """Fetch the pages of the list at `path` from offset `start` on and call
    `on_page(offset, page)` for each, in list order.

    Pages arrive in any order; memory holds only those waiting for a slower one before
    them. Raises ListChangedError when a page reports another count than the first, and
    catalog.PagingIgnoredError when the second page (fetched alone) repeats the first. The
    first failure cancels the requests still in flight.
    """
    if page_size < 1 or concurrency < 1:
        raise ValueError("page_size and concurrency must be >= 1")
    base = dict(params or {})
    turn = asyncio.Lock()  # one page decoded per turn of the event loop (catalog.fetch_page)

    async def fetch_at(offset: int, limit: int) -> catalog.Page:
        page_params = {**base, "limit": limit, "offset": offset}
        return await catalog.fetch_page(session, path, page_params, turn=turn)

    first = await fetch_at(start, page_size)
    total = first.count
    # A server may cap the page size below what we asked; step by what it really serves.
    served = len(first.results)
    step = served if 0 < served < min(page_size, total - start) else page_size
    waiting: dict[int, catalog.Page] = {}  # pages that arrived before an earlier one
    next_offset = start

    def arrived(offset: int, page: catalog.Page) -> None:
        nonlocal next_offset
        if page.count != total:
            raise ListChangedError(f"its count went from {total} to {page.count}")
        waiting[offset] = page
        while next_offset in waiting:
            on_page(next_offset, waiting.pop(next_offset))
            next_offset += step

    arrived(start, first)
    offsets = range(start + step, total, step)
    if offsets:
        # the second page alone first: a server that ignores offset (it sends the first
        # page again) is caught after two requests, not after a burst of them
        second = await fetch_at(offsets[0], step)
        if catalog.same_page(first, second):
            raise catalog.PagingIgnoredError(served, total, noun)
        arrived(offsets[0], second)
    semaphore = asyncio.Semaphore(concurrency)

    async def fetch(offset: int) -> None:
        async with semaphore:
            page = await fetch_at(offset, step)
        arrived(offset, page)

    tasks = [asyncio.create_task(fetch(offset)) for offset in offsets[1:]]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return PagesResult(total, 1 + len(offsets))
