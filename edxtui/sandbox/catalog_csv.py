"""A catalog as CSV: one row per course run, flattened like course-discovery's CSV renderer."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any


def catalog_csv(courses: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The CSV of these courses' runs, in chunks of ~64 KB (the header alone when empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for course in courses:
        for run in course["course_runs"]:
            writer.writerow(_csv_row(course, run))
        if buf.tell() > 64 * 1024:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode()


_SEAT_COLUMNS = [
    ("audit", "type"), ("honor", "type"), ("professional", "price"),
    ("professional", "upgrade_deadline"), ("verified", "price"), ("verified", "upgrade_deadline"),
    ("credit", "price"), ("credit", "credit_provider"), ("credit", "credit_hours"),
    ("masters", "type"),
]  # fmt: skip
CSV_COLUMNS = [
    "course_key", "key", "title", "short_description", "marketing_url", "image", "start", "end",
    "enrollment_start", "enrollment_end", "pacing_type", "availability", "content_language",
    "transcript_languages", "level_type", "min_effort", "max_effort", "owners", "subjects",
    "staff", "announcement", "modified",
] + [f"seats.{kind}.{field}" for kind, field in _SEAT_COLUMNS]  # fmt: skip


def _csv_row(course: dict[str, Any], run: dict[str, Any]) -> list[Any]:
    seats = {s["type"]: s for s in run["seats"]}

    def blank(v: Any) -> Any:
        return "" if v is None else v

    row = [
        course["key"], run["key"], run["title"], blank(course["short_description"]),
        blank(run["marketing_url"]), "" if run["image"] is None else run["image"]["src"],
        blank(run["start"]), blank(run["end"]), blank(run["enrollment_start"]),
        blank(run["enrollment_end"]), run["pacing_type"], run["availability"],
        blank(run["content_language"]), ",".join(run["transcript_languages"]),
        blank(run["level_type"]), blank(run["min_effort"]), blank(run["max_effort"]),
        ",".join(o["key"] for o in course["owners"]), ",".join(s["name"] for s in course["subjects"]),
        ",".join(f"{p['given_name']} {p['family_name']}" for p in run["staff"]),
        blank(run["announcement"]), run["modified"],
    ]  # fmt: skip
    row += [blank(seats[kind].get(field)) if kind in seats else "" for kind, field in _SEAT_COLUMNS]
    return row
