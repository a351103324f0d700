"""Bulk courses: a course past BULK_FROM is a pre-rendered template with its own values put in.

A template (one per run count and variant) is a course built with placeholders for everything
the course's index decides: key, uuids, title, slug, owners and subject. Putting those in is
~30x cheaper than building a course, so a 100,000-course catalog costs the sandbox little; the
first 1,000 are built one by one (and keep their exact bytes for a seed, which screenshots
rely on).
"""

from __future__ import annotations

import re

from edxtui.sandbox import vocabulary as vocab
from edxtui.sandbox.courses import CourseBuilder, CourseSpec, marker
from edxtui.sandbox.render import render_json
from edxtui.sandbox.seeded import Rng, mix, slugify

BULK_FROM = 1000
_BULK_VARIANTS = 16


def _marker_bytes(name: str) -> bytes:
    return f"\\u0000{name}\\u0000".encode()


# Every placeholder in a rendered template, quoted ones (a list goes where a string was) first.
_MARKERS = re.compile(rb'"\\u0000(?:O1|O2|J|P)\\u0000"|\\u0000\w+\\u0000')


class BulkCourses:
    """Renders bulk courses from cached templates and per-(org, subject) fragments."""

    def __init__(self, builder: CourseBuilder):
        self.builder = builder
        self.seed = builder.seed
        self._templates: dict[tuple[int, int], bytes] = {}
        self._fragment_cache: dict[tuple[int, int], dict[bytes, bytes]] = {}

    def course_json(self, i: int) -> bytes:
        """Course i's exact JSON bytes."""
        b = self.builder
        org_n, subject_n = b.basics(i)
        n_runs = b.runs_count(i)
        body = self._template(n_runs, mix(self.seed, 15, i) % _BULK_VARIANTS)
        rng = Rng(mix(self.seed, 14, i))
        title = b.title(i, b.flavor(i, rng), rng)
        values = {
            _marker_bytes("K"): b.key(i).encode(),
            _marker_bytes("U"): b.uuid(i).encode(),
            _marker_bytes("T"): render_json(title)[1:-1],
            _marker_bytes("S"): slugify(title).encode(),
            **self._fragments(org_n, subject_n),
        }
        for j in range(n_runs):
            values[_marker_bytes(f"R{j}")] = b.run_uuid(i, j).encode()
        return _MARKERS.sub(lambda m: values[m.group()], body)

    def _template(self, n_runs: int, variant: int) -> bytes:
        """A rendered course with placeholders for everything a course's index decides (cached)."""
        cached = self._templates.get((n_runs, variant))
        if cached is None:
            # A negative rng index: streams no real course uses, and never a showcase slot.
            spec = CourseSpec(
                rng_index=-1 - (n_runs * _BULK_VARIANTS + variant),
                org_n=0,
                subject_n=0,
                key=marker("K"),
                uuid=marker("U"),
                run_uuids=tuple(marker(f"R{j}") for j in range(n_runs)),
                title=marker("T"),
                slug=marker("S"),
            )
            cached = self._templates[(n_runs, variant)] = render_json(self.builder.build(spec))
        return cached

    def _fragments(self, org_n: int, subject_n: int) -> dict[bytes, bytes]:
        """The org- and subject-dependent parts of a bulk course, rendered once per pair."""
        cached = self._fragment_cache.get((org_n, subject_n))
        if cached is None:
            directory = self.builder.directory
            quoted = {name: b'"' + _marker_bytes(name) + b'"' for name in ("O1", "O2", "J", "P")}
            cached = self._fragment_cache[(org_n, subject_n)] = {
                quoted["O1"]: render_json(directory.owners(org_n, two=False)),
                quoted["O2"]: render_json(directory.owners(org_n, two=True)),
                quoted["J"]: render_json([directory.subject(subject_n)]),
                quoted["P"]: render_json(directory.sponsors(org_n)),
                _marker_bytes("OS"): vocab.ORGS[org_n][0].lower().encode(),
                _marker_bytes("JS"): directory.subject(subject_n)["slug"].encode(),
            }
        return cached
