"""The sandbox's six catalogs: each an arithmetic slice of the course universe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SANDBOX_USERNAME = "edxtui_sandbox_worker"

CATALOG_ALL, CATALOG_CS, CATALOG_LANG, CATALOG_RESTRICTED, CATALOG_EMPTY, CATALOG_LARGE = range(
    1, 7
)


@dataclass(frozen=True)
class Catalog:
    """A catalog is an arithmetic slice of the course universe: start, stride, count."""

    id: int
    name: str
    query: str
    start: int
    stride: int
    count: int
    viewers: tuple[str, ...] = (SANDBOX_USERNAME,)

    def course_index(self, j: int) -> int:
        return self.start + j * self.stride

    def contains_index(self, i: int) -> bool:
        j, rem = divmod(i - self.start, self.stride)
        return rem == 0 and 0 <= j < self.count

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "query": self.query,
            "courses_count": self.count,
            "viewers": list(self.viewers),
        }


def standard_catalogs(courses: int, large_catalog_courses: int) -> dict[int, Catalog]:
    """The catalogs by id: `courses` in the regular ones, `large_catalog_courses` in the large."""
    n = courses
    cats = [
        Catalog(CATALOG_ALL, "All courses", "*:*", 0, 1, n),
        Catalog(CATALOG_CS, "Computer Science picks", 'subjects:"Computer Science"', 0, 3,
                (n + 2) // 3),
        Catalog(CATALOG_LANG, "Languages [bold]& Cultures[/] — Языки и культуры — 语言与文化",
                "subjects:Language", 2, 5, max(0, (n - 2 + 4) // 5)),
        Catalog(CATALOG_RESTRICTED, "Partner-only catalog", "org:MITx", 1, 4,
                max(0, (n - 1 + 3) // 4), viewers=("partner_admin",)),
        Catalog(CATALOG_EMPTY, "Empty catalog", "org:NoSuchOrgX", 0, 1, 0),
        Catalog(CATALOG_LARGE, f"Large catalog ({large_catalog_courses:,} courses)",
                "*:*", 0, 1, large_catalog_courses),
    ]  # fmt: skip
    return {c.id: c for c in cats}
