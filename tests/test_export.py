"""Unit tests of the export: paging arithmetic, bounded concurrency, dedupe, formats, atomicity.

The server is an httpx.MockTransport handler so each test controls exactly what every page
returns; the integration tests (test_cli_sandbox.py) run the same code against the sandbox.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os

import httpx
import pytest

from edxtui.api import Credentials, Session
from edxtui.api.errors import ApiError
from edxtui.api.export import (
    CSV_COLUMNS,
    ExportError,
    export_catalog,
    fetch_catalog_courses,
    guard_formula,
    write_courses,
)


class CatalogServer:
    """Serves a token and catalog 7's courses by limit/offset; tracks concurrency."""

    def __init__(self, total: int, *, cap: int | None = None) -> None:
        self.courses = [self.course(i) for i in range(total)]
        self.cap = cap  # a server that never serves more than this per page
        self.in_flight = 0
        self.peak = 0
        self.requests: list[tuple[int, int]] = []
        self.fail_offset: int | None = None
        self.shift_after_first = False  # the catalog gains a course after page one
        self.fake_count: int | None = None  # serve (and count) only this many
        self.delays: dict[int, int] = {}  # offset -> extra event-loop turns before answering
        self.finished: list[int] = []  # offsets in the order their answers went out

    @staticmethod
    def course(i: int) -> dict:
        return {"key": f"org+C{i:05d}", "uuid": f"u{i}", "title": f"Course {i}"}

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("access_token"):
            return httpx.Response(
                200, json={"access_token": "a.b.c", "expires_in": 3600, "token_type": "JWT"}
            )
        assert request.url.path == "/api/v1/catalogs/7/courses/"
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        self.requests.append((offset, limit))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            for _ in range(3 + self.delays.get(offset, 0)):  # let other requests run meanwhile
                await asyncio.sleep(0)
            if offset == self.fail_offset:
                return httpx.Response(404, json={"detail": "Not found."})
            if self.shift_after_first and offset > 0:
                # a new course at the front pushes every later course down by one
                data = [self.course(99_999)] + self.courses
            else:
                data = self.courses
            if self.fake_count is not None:
                data = data[: self.fake_count]
            served = min(limit, self.cap) if self.cap else limit
            return httpx.Response(
                200,
                json={
                    "count": len(data),
                    "next": None,
                    "previous": None,
                    "results": data[offset : offset + served],
                },
            )
        finally:
            self.in_flight -= 1
            self.finished.append(offset)


def session_for(server: CatalogServer) -> Session:
    creds = Credentials(
        token_url="https://lms.test/oauth2/access_token",
        api_root="https://discovery.test/api/v1/",
        client_id="cid",
        client_secret="csecret",
    )
    return Session(creds, transport=httpx.MockTransport(server))


async def test_every_course_once_in_order_with_bounded_concurrency():
    server = CatalogServer(1234)
    seen_progress = []
    async with session_for(server) as session:
        courses, result = await fetch_catalog_courses(
            session,
            "7",
            page_size=50,
            concurrency=4,
            progress=lambda done, total: seen_progress.append((done, total)),
        )
    assert [c["key"] for c in courses] == [c["key"] for c in server.courses]
    assert (result.count, result.pages, result.duplicates) == (1234, 25, 0)
    assert sorted(o for o, _ in server.requests) == list(range(0, 1234, 50))
    assert 1 < server.peak <= 4
    assert seen_progress[-1] == (1234, 1234)
    assert [d for d, _ in seen_progress] == sorted(d for d, _ in seen_progress)


async def test_a_server_that_caps_the_page_size_still_gives_everything():
    server = CatalogServer(95, cap=20)
    async with session_for(server) as session:
        courses, _ = await fetch_catalog_courses(session, "7", page_size=100)
    assert len({c["key"] for c in courses}) == 95 == len(courses)
    assert all(limit == 20 for _, limit in server.requests[1:])


async def test_a_catalog_that_changes_mid_export_is_an_error_not_a_wrong_file():
    server = CatalogServer(120)
    server.shift_after_first = True
    async with session_for(server) as session:
        with pytest.raises(ExportError, match="changed during the export"):
            await fetch_catalog_courses(session, "7", page_size=50)


async def test_a_course_listed_twice_is_an_error_too():
    server = CatalogServer(60)
    server.courses[55] = dict(server.courses[5])  # the server lists one course twice
    async with session_for(server) as session:
        with pytest.raises(ExportError, match="expected 60 courses, found 59 distinct"):
            await fetch_catalog_courses(session, "7", page_size=50)


async def test_an_empty_catalog_is_an_empty_export(tmp_path):
    server = CatalogServer(0)
    out = tmp_path / "empty.jsonl"
    async with session_for(server) as session:
        result = await export_catalog(session, "7", out)
    assert result.count == 0 and out.read_text() == ""


async def test_a_failed_page_leaves_the_previous_file_untouched(tmp_path):
    server = CatalogServer(300)
    server.fail_offset = 200
    out = tmp_path / "courses.jsonl"
    out.write_text("previous export\n")
    async with session_for(server) as session:
        with pytest.raises(ApiError):
            await export_catalog(session, "7", out, page_size=50)
    assert out.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["courses.jsonl"]


async def test_a_crash_during_the_write_leaves_no_file(tmp_path, monkeypatch):
    server = CatalogServer(30)
    out = tmp_path / "new.csv"

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    async with session_for(server) as session:
        with pytest.raises(OSError, match="disk full"):
            await export_catalog(session, "7", out, fmt="csv")
    assert list(tmp_path.iterdir()) == []


def sample_courses() -> list[dict]:
    return [
        {
            "key": "MITx+6.00x",
            "uuid": "u1",
            "title": '=HYPERLINK("http://evil","click")',
            "short_description": 'line one\nline "two", with comma',
            "level_type": None,
            "owners": [{"key": "MITx", "name": "MIT"}, {"key": "HarvardX", "name": "Harvard"}],
            "subjects": [{"name": "Computer Science"}],
            "course_runs": [
                {
                    "key": "run2",
                    "start": "2025-01-01T00:00:00Z",
                    "end": "2025-06-01T00:00:00Z",
                    "pacing_type": "self_paced",
                },
                {
                    "key": "run1",
                    "start": "2024-01-01T00:00:00Z",
                    "end": None,
                    "pacing_type": "instructor_paced",
                },
            ],  # fmt: skip
            "image": {"src": "https://img/1.png"},
            "marketing_url": None,
            "modified": "2024-05-01",
        },
        {"key": "-dash", "title": "+plus @at", "course_runs": None, "owners": None},
    ]


def test_csv_flattens_and_guards_formulas():
    buffer = io.StringIO(newline="")
    write_courses(sample_courses(), buffer, "csv")
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))
    assert list(rows[0]) == list(CSV_COLUMNS)
    first, second = rows
    assert first["title"] == '\'=HYPERLINK("http://evil","click")'
    assert first["short_description"] == 'line one\nline "two", with comma'  # kept as data
    assert first["owners"] == "MIT; Harvard" and first["owner_keys"] == "MITx; HarvardX"
    assert first["course_runs"] == "run2; run1" and first["course_run_count"] == "2"
    assert first["first_start"] == "2024-01-01T00:00:00Z"
    assert first["last_end"] == "2025-06-01T00:00:00Z"
    assert first["pacing_types"] == "instructor_paced; self_paced"
    assert first["image_url"] == "https://img/1.png" and first["level_type"] == ""
    assert second["key"] == "'-dash" and second["title"] == "'+plus @at"
    assert second["course_run_count"] == "0"


def test_guard_formula_leaves_ordinary_text_alone():
    assert guard_formula("Intro to = signs") == "Intro to = signs"
    assert guard_formula("@home") == "'@home"
    assert guard_formula("") == ""


def test_jsonl_and_json_keep_every_course_exactly():
    courses = sample_courses() + [{"key": "x", "title": "عربى 中文 \u202e\x1b[31m"}]
    buffer = io.StringIO(newline="")
    write_courses(courses, buffer, "jsonl")
    lines = buffer.getvalue().split("\n")
    assert lines[-1] == "" and [json.loads(line) for line in lines[:-1]] == courses
    buffer = io.StringIO(newline="")
    write_courses(courses, buffer, "json")
    assert json.loads(buffer.getvalue()) == courses


class RecordingOut(io.StringIO):
    """stdout for the export that notes how many pages the server had answered at each write."""

    def __init__(self, server: CatalogServer) -> None:
        super().__init__()
        self.server = server
        self.answered_at_write: list[int] = []

    def write(self, text: str) -> int:
        self.answered_at_write.append(len(self.server.finished))
        return super().write(text)


async def test_to_stdout_pages_stream_out_and_a_failure_says_the_output_is_incomplete():
    server = CatalogServer(130)
    server.fail_offset = 100
    out = RecordingOut(server)
    async with session_for(server) as session:
        with pytest.raises(ExportError) as failed:
            await export_catalog(session, "7", None, page_size=50, stdout=out)
        assert "stdout got the first 100 courses only: the output is incomplete" in str(
            failed.value
        )
        written = [json.loads(line)["key"] for line in out.getvalue().splitlines()]
        assert written == [c["key"] for c in server.courses[:100]]  # what came, in order
        # Streamed: the first page went out before the other pages were even answered.
        assert out.answered_at_write[0] == 1
        server.fail_offset = None
        out = RecordingOut(server)
        result = await export_catalog(session, "7", None, fmt="json", page_size=50, stdout=out)
    assert result.count == 130
    assert [c["key"] for c in json.loads(out.getvalue())] == [c["key"] for c in server.courses]


async def test_a_failure_before_any_course_says_nothing_was_written():
    server = CatalogServer(130)
    server.fail_offset = 0
    out = io.StringIO()
    async with session_for(server) as session:
        with pytest.raises(ExportError, match="; nothing was written"):
            await export_catalog(session, "7", None, page_size=50, stdout=out)
    assert out.getvalue() == ""


async def test_pages_are_written_in_catalog_order_whatever_order_they_arrive_in(tmp_path):
    server = CatalogServer(250)
    # page 50 is fetched alone (the paging check); then page 100 answers last, after 150, 200
    server.delays = {100: 40, 200: 10}
    out = tmp_path / "c.jsonl"
    async with session_for(server) as session:
        await export_catalog(session, "7", out, page_size=50, concurrency=3)
    assert server.finished.index(100) > server.finished.index(200) > server.finished.index(150)
    keys = [json.loads(line)["key"] for line in out.read_text().splitlines()]
    assert keys == [c["key"] for c in server.courses]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_gets_the_leading_quote_in_the_written_csv(start):
    """TAB and CR too (OWASP): a spreadsheet strips them and runs what follows."""
    course = {"key": f"{start}key", "title": f"{start}cmd|' /C calc'!A0", "owners": None}
    buffer = io.StringIO(newline="")
    write_courses([course], buffer, "csv")
    (row,) = csv.DictReader(io.StringIO(buffer.getvalue(), newline=""))
    assert row["key"] == f"'{start}key"
    assert row["title"] == f"'{start}cmd|' /C calc'!A0"
    assert guard_formula(f"x{start}") == f"x{start}"  # only at the start
