"""Export every course of a catalog: bounded concurrency, each course once, atomic output.

The pages come from all_pages.each_page, the one concurrent pager (the first page tells how
many courses there are, the second is fetched alone, the rest concurrently and bounded, in
catalog order); here they are deduplicated by key, and the total is checked against the count. Output is
streamed to a temporary file beside the target, which replaces the target only when
complete: a failure leaves no file, or the previous one intact.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from edxtui.api import all_pages, catalog
from edxtui.api.atomicfile import FileWriteError, writes_in_place, writing
from edxtui.api.errors import EdxError, ResponseFormatError
from edxtui.textsafe import visible

if TYPE_CHECKING:
    from edxtui.api.session import Session

FORMATS = ("jsonl", "json", "csv")
DEFAULT_PAGE_SIZE = all_pages.DEFAULT_PAGE_SIZE
DEFAULT_CONCURRENCY = all_pages.DEFAULT_CONCURRENCY

# Spreadsheet apps run a cell that starts with one of these as a formula ("CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "key",
    "uuid",
    "title",
    "short_description",
    "level_type",
    "owners",
    "owner_keys",
    "subjects",
    "course_runs",
    "course_run_count",
    "first_start",
    "last_end",
    "pacing_types",
    "marketing_url",
    "image_url",
    "modified",
)


@dataclass(frozen=True)
class ExportResult:
    count: int  # courses written
    pages: int  # pages fetched
    duplicates: int  # courses seen on more than one page (dropped)


class TextOut(Protocol):
    """Where an export to stdout goes: sys.stdout, or a writer in front of it (the CLI's
    terminal-safe one)."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class ExportError(EdxError):
    """The catalog changed or the server misbehaved during the export (the message says what
    became of the output)."""


async def each_page(
    session: Session,
    catalog_id: str,
    on_courses: Callable[[list[dict[str, Any]]], None],
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Fetch every page of a catalog's courses and hand them to `on_courses` in catalog order,
    each course exactly once.

    The pages come from all_pages.each_page (concurrent, bounded, in order). `progress(done,
    total)` is called after each page. Raises ExportError when the catalog changes under us
    (a page reports another count, or the distinct courses do not add up to the count), and
    catalog.PagingIgnoredError when the second page (fetched alone) repeats the first.
    """
    dedupe = _Dedupe(catalog_id)
    done = 0

    def arrived(_offset: int, page: catalog.Page) -> None:
        nonlocal done
        on_courses(dedupe.new(page.results))
        done += len(page.results)
        if progress:
            progress(min(done, page.count), page.count)

    try:
        result = await all_pages.each_page(
            session,
            catalog.catalog_courses(catalog_id),
            arrived,
            page_size=page_size,
            concurrency=concurrency,
            noun="courses",
        )
    except all_pages.ListChangedError as err:
        raise _changed(catalog_id, err.why) from None
    if dedupe.count != result.count:
        raise _changed(
            catalog_id, f"expected {result.count} courses, found {dedupe.count} distinct ones"
        )
    return ExportResult(dedupe.count, result.pages, dedupe.duplicates)


class _Dedupe:
    """Checks each course is an object with a key, and lets each key through once."""

    def __init__(self, catalog_id: str) -> None:
        self.catalog_id = catalog_id
        self.seen: set[str] = set()
        self.duplicates = 0

    @property
    def count(self) -> int:
        return len(self.seen)

    def new(self, results: list[Any]) -> list[dict[str, Any]]:
        fresh = []
        for course in results:
            if not isinstance(course, dict):
                raise self._bad("a course entry is not a JSON object")
            key = course.get("key") or course.get("uuid")
            if not isinstance(key, str) or not key:
                raise self._bad("a course has no key or uuid")
            if key in self.seen:
                self.duplicates += 1
                continue
            self.seen.add(key)
            fresh.append(course)
        return fresh

    def _bad(self, what: str) -> ResponseFormatError:
        return ResponseFormatError(
            f"catalog {visible(self.catalog_id)}: {what}",
            "the server's response does not follow the Course Catalog API",
        )


async def fetch_catalog_courses(
    session: Session,
    catalog_id: str,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[dict[str, Any]], ExportResult]:
    """All courses of a catalog in a list, in catalog order, each exactly once."""
    courses: list[dict[str, Any]] = []
    result = await each_page(
        session,
        catalog_id,
        courses.extend,
        page_size=page_size,
        concurrency=concurrency,
        progress=progress,
    )
    return courses, result


def _changed(catalog_id: str, why: str) -> ExportError:
    return ExportError(
        f"catalog {visible(catalog_id)} changed during the export ({why})",
        "run the export again",
    )


# ---------------------------------------------------------------------------------------
# Formats


def _names(items: Any, field: str = "name") -> list[str]:
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        if isinstance(item, dict):
            value = item.get(field)
            if value is not None:
                out.append(str(value))
        elif isinstance(item, str):
            out.append(item)
    return out


def _runs(course: dict[str, Any]) -> list[dict[str, Any]]:
    runs = course.get("course_runs")
    return [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else []


def guard_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with ' (OWASP's advice)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(course: dict[str, Any]) -> list[str | int]:
    """One flat row: lists joined with '; ', nested objects reduced to a name or URL."""

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    runs = _runs(course)
    starts = sorted(str(r["start"]) for r in runs if r.get("start"))
    ends = sorted(str(r["end"]) for r in runs if r.get("end"))
    image = course.get("image")
    row: dict[str, Any] = {
        "key": text(course.get("key")),
        "uuid": text(course.get("uuid")),
        "title": text(course.get("title")),
        "short_description": text(course.get("short_description")),
        "level_type": text(course.get("level_type")),
        "owners": "; ".join(_names(course.get("owners"))),
        "owner_keys": "; ".join(_names(course.get("owners"), "key")),
        "subjects": "; ".join(_names(course.get("subjects"))),
        "course_runs": "; ".join(text(r.get("key")) for r in runs),
        "course_run_count": len(runs),
        "first_start": starts[0] if starts else "",
        "last_end": ends[-1] if ends else "",
        "pacing_types": "; ".join(sorted({text(r.get("pacing_type")) for r in runs} - {""})),
        "marketing_url": text(course.get("marketing_url")),
        "image_url": text(image.get("src")) if isinstance(image, dict) else "",
        "modified": text(course.get("modified")),
    }
    return [guard_formula(v) if isinstance(v, str) else v for v in row.values()]


class CourseWriter:
    """Writes courses one page at a time in one of FORMATS; `close()` finishes the document."""

    def __init__(self, out: TextOut, fmt: str) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        self.out = out
        self.fmt = fmt
        self.written = 0
        self._csv = csv.writer(out, lineterminator="\r\n") if fmt == "csv" else None
        if self._csv is not None:
            self._csv.writerow(CSV_COLUMNS)

    def write(self, courses: Iterable[dict[str, Any]]) -> None:
        out = self.out
        for course in courses:
            if self.fmt == "jsonl":
                out.write(json.dumps(course, ensure_ascii=False, separators=(",", ":")))
                out.write("\n")
            elif self.fmt == "json":
                # An indented array, written item by item (JSON strings hold no raw newline,
                # so indenting every line of an item is safe).
                item = json.dumps(course, ensure_ascii=False, indent=2).replace("\n", "\n  ")
                out.write(("[\n  " if self.written == 0 else ",\n  ") + item)
            else:
                assert self._csv is not None
                self._csv.writerow(csv_row(course))
            self.written += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.written else "[]\n")


def write_courses(courses: Iterable[dict[str, Any]], out: TextOut, fmt: str) -> None:
    """Write courses as jsonl (one compact object a line), json (an array) or csv."""
    writer = CourseWriter(out, fmt)
    writer.write(courses)
    writer.close()


async def export_catalog(
    session: Session,
    catalog_id: str,
    path: Path | None,
    *,
    fmt: str = "jsonl",
    page_size: int = DEFAULT_PAGE_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[int, int], None] | None = None,
    stdout: TextOut | None = None,
) -> ExportResult:
    """Write every course of a catalog to `path` atomically, or to `stdout` when None.

    Pages are written as they arrive (in catalog order), so memory stays small. A regular
    file is written to a temporary file that replaces it only once every page has arrived and
    the count checks out: a failure leaves the old file as it was. stdout, a FIFO or a device
    is written in place as the pages come (a reader sees courses at once); a failure there
    says how many courses went out before it, and that the output is incomplete.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    written = 0

    async def fill(handle: TextOut) -> ExportResult:
        writer = CourseWriter(handle, fmt)

        def write(courses: list[dict[str, Any]]) -> None:
            nonlocal written
            writer.write(courses)
            written += len(courses)

        result = await each_page(
            session,
            catalog_id,
            write,
            page_size=page_size,
            concurrency=concurrency,
            progress=progress,
        )
        writer.close()
        handle.flush()
        return result

    if path is not None and not writes_in_place(path):
        try:
            with writing(path, text=True) as handle:
                return await fill(handle)
        except ExportError as err:
            raise _with_outcome(err, "nothing was written") from None
    where = "stdout" if path is None else str(path)
    try:
        if path is None:
            assert stdout is not None
            return await fill(stdout)
        with writing(path, text=True) as handle:
            return await fill(handle)
    except FileWriteError:
        raise  # it says what happened to the file
    except EdxError as err:
        if written == 0:
            raise _with_outcome(err, "nothing was written") from None
        outcome = f"{where} got the first {written:,} courses only: the output is incomplete"
        raise _with_outcome(err, outcome) from None


def _with_outcome(err: EdxError, outcome: str) -> ExportError:
    """The same failure, saying what became of the output."""
    error = ExportError(f"{err.message}; {outcome}", err.hint)
    error.exit_code = err.exit_code
    return error
