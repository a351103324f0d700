"""The sandbox's resources, deterministic from a seed and generated on demand.

Nothing is stored per course: course *i* is built from (seed, i) when asked for, and its key and
uuid encode *i*, so a lookup by key is O(1) and a page of a 100,000-course catalog costs only the
courses on that page. SandboxData is the one surface the ASGI app reads; the parts live beside
it: seeded.py (hash, rng, uuids), catalogs.py, directory.py (organizations, people, subjects),
courses.py (one course), bulk.py (courses past BULK_FROM from templates), programs.py and
catalog_csv.py.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Iterator
from functools import cached_property, lru_cache
from typing import Any

from edxtui.sandbox.bulk import BULK_FROM, BulkCourses
from edxtui.sandbox.catalog_csv import catalog_csv
from edxtui.sandbox.catalogs import Catalog, standard_catalogs
from edxtui.sandbox.config import CACHED_COURSES
from edxtui.sandbox.courses import KEY_BASE, CourseBuilder
from edxtui.sandbox.directory import Directory
from edxtui.sandbox.programs import build_programs, program_summary
from edxtui.sandbox.render import render_json

_COURSE_KEY = re.compile(r"^(?P<org>[A-Za-z]+)\+(?P<prefix>[A-Z]+)(?P<n>\d+)x$")
_RUN_KEY = re.compile(r"^course-v1:(?P<course>[A-Za-z]+\+[A-Z]+\d+x)\+(?P<term>[^+]+)$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-(?P<tail>[0-9a-f]{12})$")


class SandboxData:
    """All the sandbox's resources, built lazily from (seed, sizes)."""

    def __init__(
        self,
        seed: int = 0,
        courses: int = 300,
        large_catalog_courses: int = 10_000,
        cached_courses: int = CACHED_COURSES,
    ):
        self.seed = seed
        self.courses = courses
        self.large_catalog_courses = large_catalog_courses
        self.universe = max(courses, large_catalog_courses)
        self.directory = Directory(seed)
        self._builder = CourseBuilder(seed, self.directory)
        self._bulk = BulkCourses(self._builder)
        # Per-instance caches (an lru_cache on a method would pin every instance).
        self.course = lru_cache(maxsize=4096)(self._course)
        self.cached_courses = cached_courses
        self.course_json = lru_cache(maxsize=cached_courses)(self._course_json)

    # --- catalogs -----------------------------------------------------------------------------

    @cached_property
    def catalogs(self) -> dict[int, Catalog]:
        return standard_catalogs(self.courses, self.large_catalog_courses)

    def catalog_course_json(self, catalog: Catalog, offset: int, limit: int) -> list[bytes]:
        stop = min(catalog.count, offset + limit)
        return [self.course_json(catalog.course_index(j)) for j in range(offset, stop)]

    def catalog_csv(self, catalog: Catalog) -> Iterator[bytes]:
        """One row per course run, flattened columns like course-discovery's CSV renderer."""
        return catalog_csv(self.course(catalog.course_index(j)) for j in range(catalog.count))

    # --- organizations, people ----------------------------------------------------------------

    @property
    def organizations(self) -> list[dict[str, Any]]:
        return self.directory.organizations

    @property
    def organizations_by_uuid(self) -> dict[str, dict[str, Any]]:
        return self.directory.organizations_by_uuid

    @property
    def people(self) -> list[dict[str, Any]]:
        return self.directory.people

    # --- courses ------------------------------------------------------------------------------

    def course_key(self, i: int) -> str:
        return self._builder.key(i)

    def runs_count(self, i: int) -> int:
        return self._builder.runs_count(i)

    def course_index_by_key(self, key: str) -> int | None:
        m = _COURSE_KEY.match(key)
        if m is None:
            return None
        i = int(m["n"]) - KEY_BASE
        if 0 <= i < self.universe and self.course_key(i) == key:
            return i
        return None

    def course_index_by_uuid(self, uuid: str) -> int | None:
        m = _UUID.match(uuid)
        if m is None:
            return None
        i = int(m["tail"], 16)
        if 0 <= i < self.universe and self._builder.uuid(i) == uuid:
            return i
        return None

    def find_course(self, key_or_uuid: str) -> dict[str, Any] | None:
        i = self.course_index_by_key(key_or_uuid)
        if i is None:
            i = self.course_index_by_uuid(key_or_uuid)
        return None if i is None else self.course(i)

    def find_run(self, key: str) -> dict[str, Any] | None:
        m = _RUN_KEY.match(key)
        if m is None:
            return None
        i = self.course_index_by_key(m["course"])
        if i is None:
            return None
        return next((r for r in self.course(i)["course_runs"] if r["key"] == key), None)

    def prewarm(self, n: int | None = None) -> int:
        """Render the first n courses (default: as many as the cache holds) ahead of time, so a
        client benchmark measures the client and not course generation. Returns how many."""
        n = min(self.universe, self.cached_courses, self.universe if n is None else n)
        for i in range(n):
            self.course_json(i)
        return n

    def _course_json(self, i: int) -> bytes:
        if i >= BULK_FROM and i < self.universe:
            return self._bulk.course_json(i)
        return render_json(self.course(i))

    def _course(self, i: int) -> dict[str, Any]:
        if not 0 <= i < self.universe:
            raise IndexError(i)
        if i >= BULK_FROM:
            course: dict[str, Any] = json.loads(self.course_json(i))
            return course
        return self._builder.build(self._builder.spec(i))

    # --- course runs --------------------------------------------------------------------------

    @cached_property
    def _run_offsets(self) -> list[int]:
        """Cumulative run counts over the universe, so run n of the flat list is a bisect away."""
        return list(
            itertools.accumulate((self.runs_count(i) for i in range(self.universe)), initial=0)
        )

    @property
    def runs_total(self) -> int:
        return self._run_offsets[-1]

    def runs_slice(self, offset: int, limit: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        n = offset
        stop = min(self.runs_total, offset + limit)
        while n < stop:
            i = bisect.bisect_right(self._run_offsets, n) - 1
            runs = self.course(i)["course_runs"]
            j = n - self._run_offsets[i]
            take = runs[j : j + (stop - n)]
            out.extend(take)
            n += len(take)
        return out

    # --- programs -----------------------------------------------------------------------------

    @cached_property
    def programs(self) -> list[dict[str, Any]]:
        return build_programs(self.seed, self.courses, self.course, self.directory)

    @cached_property
    def programs_by_uuid(self) -> dict[str, dict[str, Any]]:
        return {p["uuid"]: p for p in self.programs}

    def program_summary(self, program: dict[str, Any]) -> dict[str, Any]:
        """The list shape: the detail without the detail-only fields."""
        return program_summary(program)
