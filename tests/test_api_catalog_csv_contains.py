"""`catalog.contains` and `catalog.fetch_csv` against the real sandbox over loopback HTTP.

API.md: contains answers {"courses": {key: true|false}}; the CSV action sits behind Django
REST framework's content negotiation, which renders only JSON and HTML and answers an
`Accept: text/csv` with 406 before the view runs. fetch_csv used to send exactly that.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui.api import ApiError, Session, catalog
from edxtui.sandbox.data import SandboxData

CATALOG = 2  # every third course


async def test_contains_says_which_keys_the_catalog_holds(sandbox):
    data = SandboxData(0, 300, 10_000)
    inside, outside = data.course_key(0), data.course_key(1)
    run = data.course(0)["course_runs"][0]["key"]
    async with Session(sandbox.credentials("openedx")) as session:
        found = await catalog.contains(session, CATALOG, [inside, outside, "nonsense"], [run])
        assert found == {inside: True, outside: False, "nonsense": False, run: True}
        assert await catalog.contains(session, CATALOG) == {}
        first = next(e for e in session.log if e.kind == "api")
    assert "course_id=" in first.url and "course_run_id=" in first.url


async def test_fetch_csv_gets_the_catalog_as_csv_with_a_safe_file_name(sandbox):
    async with Session(sandbox.credentials("openedx")) as session:
        body, name, exchange = await catalog.fetch_csv(session, CATALOG)
        courses = await catalog.fetch_all(session, catalog.catalog_courses(CATALOG), {"limit": 500})
    assert re.fullmatch(r"catalog_2_\d{4}-\d\d-\d\d-\d\d-\d\d\.csv", name)
    assert exchange is not None and exchange.status == 200
    assert exchange.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert len(rows) == sum(len(c["course_runs"]) for c in courses) > 0


@pytest.mark.parametrize(
    ("accept", "status"),
    [("text/csv", 406), ("application/xml", 406), ("*/*", 200), ("text/*", 200),
     ("application/json", 200), ("text/csv, application/json;q=0.5", 200)],
)  # fmt: skip
def test_the_sandbox_negotiates_content_like_drf(sandbox, accept, status):
    token = sandbox_token(sandbox)
    r = http.get(
        sandbox.api_root() + f"catalogs/{CATALOG}/csv/",
        headers={"Authorization": f"JWT {token}", "Accept": accept},
    )
    assert r.status_code == status
    if status == 406:
        assert r.json() == {"detail": "Could not satisfy the request Accept header."}


async def test_fetch_csv_of_a_missing_catalog_is_an_api_error(sandbox):
    async with Session(sandbox.credentials("openedx")) as session:
        with pytest.raises(ApiError) as info:
            await catalog.fetch_csv(session, 999_999)
    assert info.value.status == 404
