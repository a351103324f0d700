"""The one concurrent pager (api/all_pages.py), its plan, and the request budget's limit.

Against the real sandbox over loopback HTTP; the export's own tests (test_export.py) run the
same pager through `each_page`.
"""

from __future__ import annotations

import pytest

from edxtui.api import Session, catalog
from edxtui.api.all_pages import (
    CONFIRM_OVER,
    confirm_reason,
    each_page,
    plan,
)
from edxtui.api.budget import RequestBudget


def test_plan_counts_one_request_a_page_of_what_is_left():
    assert plan(10_000, 0, 100).requests == 100
    assert plan(10_000, 100, 100).requests == 99
    assert plan(250, 100, 100) == plan(250, 100, 100)
    assert (plan(250, 100, 100).remaining, plan(250, 100, 100).requests) == (150, 2)
    assert plan(100, 100, 100).requests == 0
    assert plan(5, 10, 100).requests == 0  # already more than the count: nothing to fetch
    with pytest.raises(ValueError):
        plan(10, 0, 0)


def test_confirm_when_many_requests_or_more_than_the_budget_left():
    assert confirm_reason(CONFIRM_OVER, None) is None
    assert "more than 20 requests" in (confirm_reason(CONFIRM_OVER + 1, None) or "")
    assert confirm_reason(5, 10) is None
    assert "the 4 left" in (confirm_reason(5, 4) or "")
    # the budget's reason wins: it is the one that costs something
    assert "budget" in (confirm_reason(100, 50) or "")


def test_the_budget_limit_is_unknown_until_set_or_learned_from_a_throttle():
    now = [1000.0]
    budget = RequestBudget(clock=lambda: now[0])
    assert budget.left is None
    for _ in range(5):
        budget.sent()
    budget.limit = 8
    assert budget.left == 3
    budget.limit = None
    budget.sent()  # the sixth request is throttled: the server let five through
    budget.throttled(429, token=False, wait=1.0, cap=60.0)
    assert budget.limit == 5 and budget.left == 0
    now[0] += 3601  # the hour went by
    assert budget.left == 5
    # a throttled token request says nothing about the API's budget
    other = RequestBudget(clock=lambda: now[0])
    other.sent()
    other.throttled(429, token=True, wait=1.0, cap=60.0)
    assert other.limit is None


async def test_every_page_in_order_from_an_offset(make_sandbox):
    server = make_sandbox(courses=250)
    pages: list[tuple[int, list[str]]] = []
    async with Session(server.credentials("openedx")) as session:
        everything = await catalog.fetch_all(session, catalog.catalog_courses(1), {"limit": 250})
        server.reset()  # count only the pager's requests
        result = await each_page(
            session,
            catalog.catalog_courses(1),
            lambda offset, page: pages.append((offset, [c["key"] for c in page.results])),
            start=100,
            page_size=40,
            concurrency=3,
        )
    assert [offset for offset, _ in pages] == list(range(100, 250, 40))
    assert [key for _, keys in pages for key in keys] == [c["key"] for c in everything[100:]]
    assert (result.count, result.pages) == (250, 4)
    assert server.counters.api_requests == 4
