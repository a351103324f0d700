"""Export every course of a catalog: bounded concurrency, each course once, atomic output.

The first page tells how many courses there are; the remaining pages are then fetched
concurrently by limit/offset (a semaphore bounds how many are in flight), courses are
deduplicated by key, and the total is checked against the count before anything is written.
Output goes to a temporary file beside the target, which replaces the target only when
complete: a failure leaves no file, or the previous one intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from edxtui.api import catalog
from edxtui.api.errors import EdxError, ResponseFormatError

FORMATS = ("jsonl", "json", "csv")
DEFAULT_PAGE_SIZE = 100
DEFAULT_CONCURRENCY = 6

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


class ExportError(EdxError):
    """The catalog changed or the server misbehaved during the export; nothing was written."""


async def fetch_catalog_courses(
    session: Any,
    catalog_id: str,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[dict[str, Any]], ExportResult]:
    """All courses of a catalog, in catalog order, each exactly once.

    `progress(done, total)` is called after each page. Raises ExportError when the courses
    found do not match the catalog's count (it changed while we read it).
    """
    if page_size < 1 or concurrency < 1:
        raise ValueError("page_size and concurrency must be >= 1")
    path = catalog.catalog_courses(catalog_id)
    first = await catalog.fetch_page(session, path, {"limit": page_size, "offset": 0})
    total = first.count
    # A server may cap the page size below what we asked; step by what it really serves.
    step = len(first.results) if 0 < len(first.results) < min(page_size, total) else page_size
    pages: dict[int, list[dict[str, Any]]] = {0: list(first.results)}
    done = len(first.results)
    if progress:
        progress(min(done, total), total)

    semaphore = asyncio.Semaphore(concurrency)

    async def fetch(offset: int) -> None:
        nonlocal done
        async with semaphore:
            page = await catalog.fetch_page(session, path, {"limit": step, "offset": offset})
        if page.count != total:
            # Offsets shifted under us: some course could be missed or seen twice.
            raise _changed(catalog_id, f"its count went from {total} to {page.count}")
        pages[offset] = list(page.results)
        done += len(page.results)
        if progress:
            progress(min(done, total), total)

    offsets = range(step, total, step) if step else range(0)
    tasks = [asyncio.create_task(fetch(offset)) for offset in offsets]
    try:
        # The first failure cancels the rest: a partial export is never written.
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise

    courses: list[dict[str, Any]] = []
    seen: set[str] = set()
    duplicates = 0
    for offset in sorted(pages):
        for course in pages[offset]:
            if not isinstance(course, dict):
                raise ResponseFormatError(
                    f"catalog {catalog_id}: a course entry is not a JSON object",
                    "the server's response does not follow the Course Catalog API",
                )
            key = course.get("key") or course.get("uuid")
            if not isinstance(key, str) or not key:
                raise ResponseFormatError(
                    f"catalog {catalog_id}: a course has no key or uuid",
                    "the server's response does not follow the Course Catalog API",
                )
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            courses.append(course)
    if len(courses) != total:
        raise _changed(catalog_id, f"expected {total} courses, found {len(courses)} distinct ones")
    return courses, ExportResult(len(courses), len(pages), duplicates)


def _changed(catalog_id: str, why: str) -> ExportError:
    return ExportError(
        f"catalog {catalog_id} changed during the export ({why}); nothing was written",
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


def write_courses(courses: Iterable[dict[str, Any]], out: IO[str], fmt: str) -> None:
    """Write courses as jsonl (one compact object a line), json (an array) or csv."""
    if fmt == "jsonl":
        for course in courses:
            out.write(json.dumps(course, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
    elif fmt == "json":
        json.dump(list(courses), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for course in courses:
            writer.writerow(csv_row(course))
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic_text(path: Path, write: Callable[[IO[str]], None]) -> None:
    """Write a text file through a temp file in the same folder, then rename it into place.

    A crash or an error before the rename leaves the target as it was (or absent) and no
    temp file behind. A new file gets the usual permissions (0666 minus the umask); a
    replaced one keeps its mode.
    """
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # newline="" so csv's \r\n and JSON's \n go through untranslated on every platform
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def render(courses: list[dict[str, Any]], fmt: str) -> str:
    """The whole export as one string (for stdout)."""
    buffer = io.StringIO(newline="")
    write_courses(courses, buffer, fmt)
    return buffer.getvalue()


async def export_catalog(
    session: Any,
    catalog_id: str,
    path: Path | None,
    *,
    fmt: str = "jsonl",
    page_size: int = DEFAULT_PAGE_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[int, int], None] | None = None,
    stdout: IO[str] | None = None,
) -> ExportResult:
    """Fetch every course, then write them to `path` atomically (or to `stdout` when None).

    Nothing is written until every page has arrived and the count checks out.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    courses, result = await fetch_catalog_courses(
        session, catalog_id, page_size=page_size, concurrency=concurrency, progress=progress
    )
    if path is None:
        assert stdout is not None
        stdout.write(render(courses, fmt))
        stdout.flush()
    else:
        write_atomic_text(path, lambda handle: write_courses(courses, handle, fmt))
    return result
