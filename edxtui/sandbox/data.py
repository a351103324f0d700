"""Deterministic catalog data from a seed, generated on demand.

Nothing is stored per course: course *i* is built from (seed, i) when asked for, and its key and
uuid encode *i*, so a lookup by key is O(1) and a page of a 100,000-course catalog costs only the
courses on that page. Shapes and field names follow ../shared/API.md (course-discovery's
serializers); values are realistic, null where the real API allows it, and some strings are
deliberately hostile (Rich markup, terminal escapes, bidi overrides): they are data.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any

from edxtui.sandbox import vocabulary as vocab
from edxtui.sandbox.config import CACHED_COURSES

_MASK = (1 << 64) - 1
# Availability is computed against a fixed date so the same seed always gives the same data.
REFERENCE_DATE = datetime(2026, 1, 15)
SANDBOX_USERNAME = "edxtui_sandbox_worker"


def mix(*parts: int) -> int:
    """A fast, stable 64-bit hash of integers (splitmix64 steps); no randomness from the process."""
    x = 0x9E3779B97F4A7C15
    for p in parts:
        x = ((x ^ (p & _MASK)) * 0xBF58476D1CE4E5B9) & _MASK
        x ^= x >> 31
        x = (x * 0x94D049BB133111EB) & _MASK
        x ^= x >> 29
    return x


class _Rng(random.Random):
    """random.Random with cheaper randrange/choice/sample (one float draw each). Generation
    speed is what a page of a large catalog costs, and the stdlib versions dominate it."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def choice(self, seq: Any) -> Any:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def sample(self, population: Any, k: int, *, counts: Any = None) -> list[Any]:  # type: ignore[override]
        """k consecutive items from a random start (wrapping): distinct, cheap, good enough."""
        n = len(population)
        first = int(self.random() * n) if n else 0
        return [population[(first + m) % n] for m in range(min(k, n))]


def make_uuid(h: int, tail: int | None = None) -> str:
    """A version-4-shaped uuid from a hash; `tail` (the last 12 hex digits) can carry an index."""
    t = (h >> 16) & 0xFFFFFFFFFFFF if tail is None else tail
    return (
        f"{h >> 32 & 0xFFFFFFFF:08x}-{h >> 16 & 0xFFFF:04x}-4{h >> 4 & 0xFFF:03x}-"
        f"{8 | (h & 3):x}{(h >> 40) & 0xFFF:03x}-{t & 0xFFFFFFFFFFFF:012x}"
    )


# Dates are naive UTC internally: isoformat() is several times faster than strftime().
def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat(timespec="seconds") + "Z"


def _iso_micro(dt: datetime) -> str:
    return dt.isoformat(timespec="microseconds") + "Z"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "course"


def render_json(obj: Any) -> bytes:
    """JSON the way Django REST framework renders it: compact, UTF-8, U+2028/9 escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


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


CATALOG_ALL, CATALOG_CS, CATALOG_LANG, CATALOG_RESTRICTED, CATALOG_EMPTY, CATALOG_LARGE = range(
    1, 7
)
_COURSE_KEY = re.compile(r"^(?P<org>[A-Za-z]+)\+(?P<prefix>[A-Z]+)(?P<n>\d+)x$")
_RUN_KEY = re.compile(r"^course-v1:(?P<course>[A-Za-z]+\+[A-Z]+\d+x)\+(?P<term>[^+]+)$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-(?P<tail>[0-9a-f]{12})$")
_KEY_BASE = 100  # course numbers start at 100 ("CS100x"), a course-number look

# Courses from this index on are "bulk": a pre-rendered template (one per run count and variant)
# with the course's own key, uuids, title, slug, owners and subject put in. That is ~30x cheaper than
# building a course, so a 100,000-course catalog costs the sandbox little; the first 1,000 are
# built one by one (and keep their exact bytes for a seed, which screenshots rely on).
BULK_FROM = 1000
_BULK_VARIANTS = 16


def _marker(name: str) -> str:
    """A placeholder no real value contains; JSON writes it as \\u0000name\\u0000."""
    return f"\x00{name}\x00"


def _marker_bytes(name: str) -> bytes:
    return f"\\u0000{name}\\u0000".encode()


# Every placeholder in a rendered template, quoted ones (a list goes where a string was) first.
_MARKERS = re.compile(rb'"\\u0000(?:O1|O2|J|P)\\u0000"|\\u0000\w+\\u0000')


@dataclass(frozen=True)
class _Spec:
    """What a course's index decides; everything else is drawn from rng streams of rng_index."""

    rng_index: int
    org_n: int
    subject_n: int
    key: str
    uuid: str
    run_uuids: tuple[str, ...]
    title: str | None = None  # set for templates: a placeholder instead of a drawn title
    slug: str | None = None

    @property
    def template(self) -> bool:
        return self.title is not None


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
        # Per-instance caches (an lru_cache on a method would pin every instance).
        self.course = lru_cache(maxsize=4096)(self._course)  # type: ignore[method-assign]
        self.cached_courses = cached_courses
        self.course_json = lru_cache(maxsize=cached_courses)(self._course_json)
        self._templates: dict[tuple[int, int], bytes] = {}
        self._fragment_cache: dict[tuple[int, int], dict[bytes, bytes]] = {}  # type: ignore[method-assign]

    # --- catalogs -----------------------------------------------------------------------------

    @cached_property
    def catalogs(self) -> dict[int, Catalog]:
        n = self.courses
        cats = [
            Catalog(CATALOG_ALL, "All courses", "*:*", 0, 1, n),
            Catalog(CATALOG_CS, "Computer Science picks", 'subjects:"Computer Science"', 0, 3,
                    (n + 2) // 3),
            Catalog(CATALOG_LANG, "Languages [bold]& Cultures[/] — Языки и культуры — 语言与文化",
                    "subjects:Language", 2, 5, max(0, (n - 2 + 4) // 5)),
            Catalog(CATALOG_RESTRICTED, "Partner-only catalog", "org:MITx", 1, 4,
                    max(0, (n - 1 + 3) // 4), viewers=("partner_admin",)),
            Catalog(CATALOG_EMPTY, "Empty catalog", "org:NoSuchOrgX", 0, 1, 0),
            Catalog(CATALOG_LARGE, f"Large catalog ({self.large_catalog_courses:,} courses)",
                    "*:*", 0, 1, self.large_catalog_courses),
        ]  # fmt: skip
        return {c.id: c for c in cats}

    def catalog_course_json(self, catalog: Catalog, offset: int, limit: int) -> list[bytes]:
        stop = min(catalog.count, offset + limit)
        return [self.course_json(catalog.course_index(j)) for j in range(offset, stop)]

    # --- organizations, people, subjects ------------------------------------------------------

    @cached_property
    def organizations(self) -> list[dict[str, Any]]:
        orgs = []
        for n, (key, name, homepage, tags) in enumerate(vocab.ORGS):
            h = mix(self.seed, 1, n)
            uuid = make_uuid(h)
            orgs.append(
                {
                    "uuid": uuid,
                    "key": key,
                    "name": name,
                    "auto_generate_course_run_keys": True,
                    "certificate_logo_image_url": None,
                    "description": None if h % 5 == 0 else f"<p>{name} offers courses on edX.</p>",
                    "homepage_url": homepage,
                    "tags": tags,
                    "logo_image_url": None
                    if h % 7 == 0
                    else f"{vocab.CDN}/organization/logos/{uuid}-{h & 0xFFFF:04x}.png",
                    "marketing_url": f"https://www.edx.org/school/{key.lower()}",
                }
            )
        return orgs

    @cached_property
    def organizations_by_uuid(self) -> dict[str, dict[str, Any]]:
        return {o["uuid"]: o for o in self.organizations}

    @cached_property
    def people(self) -> list[dict[str, Any]]:
        people = []
        for n, (given, family) in enumerate(vocab.PEOPLE):
            h = mix(self.seed, 2, n)
            uuid = make_uuid(h)
            org = vocab.ORGS[h % len(vocab.ORGS)]
            people.append(
                {
                    "uuid": uuid,
                    "given_name": given,
                    "family_name": family,
                    "bio": None if h % 4 == 0 else f"<p>{given} {family} teaches at {org[1]}.</p>",
                    "profile_image_url": None
                    if h % 6 == 0
                    else f"{vocab.CDN}/people/profile_images/{uuid}.jpg",
                    "slug": _slug(f"{given} {family}") if h % 9 else f"person-{n}",
                    "position": None
                    if h % 5 == 0
                    else {
                        "title": vocab.POSITIONS[h % len(vocab.POSITIONS)],
                        "organization_name": org[1],
                    },
                }
            )
        return people

    def _subject(self, n: int) -> dict[str, Any]:
        name, _prefix = vocab.SUBJECTS[n]
        slug = _slug(name)
        return {
            "name": name,
            "subtitle": f"Learn about {name.lower()}",
            "description": f"<p>Courses in {name}.</p>",
            "banner_image_url": f"{vocab.CDN}/subjects/{slug}-banner.jpg",
            "card_image_url": f"{vocab.CDN}/subjects/{slug}-card.jpg",
            "slug": slug,
            "uuid": make_uuid(mix(self.seed, 3, n)),
        }

    # --- courses ------------------------------------------------------------------------------

    def _course_basics(self, i: int) -> tuple[int, int]:
        """(org index, subject index) of course i: cheap, so keys can be checked without building."""
        h = mix(self.seed, 4, i)
        return h % len(vocab.ORGS), (h >> 8) % len(vocab.SUBJECTS)

    def course_key(self, i: int) -> str:
        org, subject = self._course_basics(i)
        return f"{vocab.ORGS[org][0]}+{vocab.SUBJECTS[subject][1]}{_KEY_BASE + i}x"

    def runs_count(self, i: int) -> int:
        return 1 + mix(self.seed, 5, i) % 4

    def course_index_by_key(self, key: str) -> int | None:
        m = _COURSE_KEY.match(key)
        if m is None:
            return None
        i = int(m["n"]) - _KEY_BASE
        if 0 <= i < self.universe and self.course_key(i) == key:
            return i
        return None

    def course_index_by_uuid(self, uuid: str) -> int | None:
        m = _UUID.match(uuid)
        if m is None:
            return None
        i = int(m["tail"], 16)
        if 0 <= i < self.universe and make_uuid(mix(self.seed, 6, i), i) == uuid:
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
            return self._bulk_json(i)
        return render_json(self.course(i))

    def _owners(self, org_n: int, *, two: bool) -> list[dict[str, Any]]:
        owners = [self.organizations[org_n]]
        if two:
            owners.append(self.organizations[(org_n + 1) % len(vocab.ORGS)])
        return owners

    def _sponsors(self, org_n: int) -> list[dict[str, Any]]:
        return [self.organizations[(org_n + 3) % len(vocab.ORGS)]]

    def _template(self, n_runs: int, variant: int) -> bytes:
        """A rendered course with placeholders for everything a course's index decides (cached)."""
        cached = self._templates.get((n_runs, variant))
        if cached is None:
            # A negative rng index: streams no real course uses, and never a showcase slot.
            spec = _Spec(
                rng_index=-1 - (n_runs * _BULK_VARIANTS + variant),
                org_n=0,
                subject_n=0,
                key=_marker("K"),
                uuid=_marker("U"),
                run_uuids=tuple(_marker(f"R{j}") for j in range(n_runs)),
                title=_marker("T"),
                slug=_marker("S"),
            )
            cached = self._templates[(n_runs, variant)] = render_json(self._build(spec))
        return cached

    def _fragments(self, org_n: int, subject_n: int) -> dict[bytes, bytes]:
        """The org- and subject-dependent parts of a bulk course, rendered once per pair."""
        cached = self._fragment_cache.get((org_n, subject_n))
        if cached is None:
            quoted = {name: b'"' + _marker_bytes(name) + b'"' for name in ("O1", "O2", "J", "P")}
            cached = self._fragment_cache[(org_n, subject_n)] = {
                quoted["O1"]: render_json(self._owners(org_n, two=False)),
                quoted["O2"]: render_json(self._owners(org_n, two=True)),
                quoted["J"]: render_json([self._subject(subject_n)]),
                quoted["P"]: render_json(self._sponsors(org_n)),
                _marker_bytes("OS"): vocab.ORGS[org_n][0].lower().encode(),
                _marker_bytes("JS"): self._subject(subject_n)["slug"].encode(),
            }
        return cached

    def _bulk_json(self, i: int) -> bytes:
        org_n, subject_n = self._course_basics(i)
        n_runs = self.runs_count(i)
        body = self._template(n_runs, mix(self.seed, 15, i) % _BULK_VARIANTS)
        rng = _Rng(mix(self.seed, 14, i))
        title = self._title(i, self._flavor(i, rng), rng)
        values = {
            _marker_bytes("K"): self.course_key(i).encode(),
            _marker_bytes("U"): make_uuid(mix(self.seed, 6, i), i).encode(),
            _marker_bytes("T"): render_json(title)[1:-1],
            _marker_bytes("S"): _slug(title).encode(),
            **self._fragments(org_n, subject_n),
        }
        for j in range(n_runs):
            values[_marker_bytes(f"R{j}")] = make_uuid(mix(self.seed, 10, i, j), i * 8 + j).encode()
        return _MARKERS.sub(lambda m: values[m.group()], body)

    def _flavor(self, i: int, rng: _Rng) -> str:
        if 0 <= i < len(vocab.SHOWCASE):
            return vocab.SHOWCASE[i]
        return rng.choices(vocab.FLAVORS, cum_weights=vocab.CUM_WEIGHTS)[0]

    def _title(self, i: int, flavor: str, rng: _Rng) -> str:
        if flavor in vocab.TITLES:
            if 0 <= i < len(vocab.SHOWCASE):  # the k-th showcase of a kind shows its k-th string
                return vocab.TITLES[flavor][
                    vocab.SHOWCASE[:i].count(flavor) % len(vocab.TITLES[flavor])
                ]
            return rng.choice(vocab.TITLES[flavor])
        title = rng.choice(vocab.EN_PATTERNS).format(t=rng.choice(vocab.EN_TOPICS))
        if flavor == "long":
            title = (title + ": " + "an Unusually Thorough and Comprehensive Survey " * 8).strip()
        return title

    def _descriptions(self, flavor: str, title: str, rng: _Rng) -> tuple[Any, Any]:
        short = None if rng.random() < 0.1 else f"<p>Learn the essentials of {title}.</p>"
        paragraphs = [
            f"<p><strong>{title}</strong> is taught by leading faculty.</p>",
            "<ul><li>Week 1: foundations</li><li>Week 2: practice &amp; projects</li></ul>",
        ]
        if flavor == "long":
            paragraphs.append("<p>" + "This paragraph goes on and on. " * 1500 + "</p>")
        if flavor == "html":
            paragraphs.append('<script>alert("xss")</script><img src=x onerror=alert(1)>')
        if flavor in ("escape", "markup"):
            paragraphs.append(
                f"<p>{rng.choice(vocab.TITLES['escape'] + vocab.TITLES['markup'])}</p>"
            )
        full = None if rng.random() < 0.05 else "".join(paragraphs)
        return short, full

    def _image(self, kind: str, uuid: str, rng: _Rng) -> dict[str, Any] | None:
        if rng.random() < 0.08:
            return None
        sized = rng.random() < 0.5
        return {
            "src": f"{vocab.CDN}/{kind}/image/{uuid}-{rng.getrandbits(48):012x}.jpg",
            "description": None,
            "height": 250 if sized else None,
            "width": 378 if sized else None,
        }

    def _course(self, i: int) -> dict[str, Any]:
        if not 0 <= i < self.universe:
            raise IndexError(i)
        if i >= BULK_FROM:
            return json.loads(self.course_json(i))
        return self._build(self._spec(i))

    def _spec(self, i: int) -> _Spec:
        org_n, subject_n = self._course_basics(i)
        n_runs = self.runs_count(i)
        return _Spec(
            rng_index=i,
            org_n=org_n,
            subject_n=subject_n,
            key=self.course_key(i),
            uuid=make_uuid(mix(self.seed, 6, i), i),
            run_uuids=tuple(make_uuid(mix(self.seed, 10, i, j), i * 8 + j) for j in range(n_runs)),
        )

    def _build(self, spec: _Spec) -> dict[str, Any]:
        i, org_n, subject_n, key, uuid = (
            spec.rng_index, spec.org_n, spec.subject_n, spec.key, spec.uuid
        )  # fmt: skip
        rng = _Rng(mix(self.seed, 7, i))
        flavor = self._flavor(i, rng)
        title = self._title(i, flavor, rng)
        if spec.title is not None:  # a template: the title is a placeholder (drawn all the same)
            title = spec.title
        slug = _slug(title) if spec.slug is None else spec.slug
        short, full = self._descriptions(flavor, title, rng)
        owners: Any = self._owners(org_n, two=rng.random() < 0.1)
        if spec.template:  # org and subject come later, from the course that uses the template
            owners = _marker(f"O{len(owners)}")
        image = self._image("course", uuid, rng)
        level = rng.choice(vocab.LEVELS)
        modified = REFERENCE_DATE - timedelta(
            seconds=rng.randrange(3 * 365 * 86400), microseconds=rng.randrange(10**6)
        )
        org_slug, subject_slug = vocab.ORGS[org_n][0].lower(), self._subject(subject_n)["slug"]
        if spec.template:
            org_slug, subject_slug = _marker("OS"), _marker("JS")
        marketing = f"https://www.edx.org/learn/{subject_slug}/{org_slug}-{slug}"
        runs = [
            self._run(spec, j, title, slug, image, level, flavor)
            for j in range(len(spec.run_uuids))
        ]
        verified = next((s for r in runs for s in r["seats"] if s["type"] == "verified"), None)
        return {
            "key": key,
            "uuid": uuid,
            "title": title,
            "course_runs": runs,
            "entitlements": []
            if verified is None
            else [
                {
                    "mode": "verified",
                    "price": verified["price"],
                    "currency": verified["currency"],
                    "sku": f"{rng.getrandbits(28):07X}",
                    "expires": None,
                }
            ],
            "owners": owners,
            "image": image,
            "short_description": short,
            "full_description": full,
            "level_type": level,
            "subjects": _marker("J") if spec.template else [self._subject(subject_n)],
            "prerequisites": [] if rng.random() < 0.7 else [{"name": "High school algebra"}],
            "prerequisites_raw": None,
            "expected_learning_items": rng.sample(
                [
                    "How to think about problems",
                    "Core vocabulary",
                    "Hands-on projects",
                    "Reading research papers",
                    "Working with real data",
                ],
                k=rng.randrange(4),
            ),  # fmt: skip
            "video": None
            if rng.random() < 0.6
            else {
                "src": f"https://www.youtube.com/watch?v={rng.getrandbits(40):010x}",
                "description": None,
                "image": self._image("video", uuid, rng),
            },
            "sponsors": []
            if rng.random() < 0.9
            else (_marker("P") if spec.template else self._sponsors(org_n)),
            "modified": _iso_micro(modified),
            "marketing_url": None if rng.random() < 0.05 else marketing,
            "url_slug": slug,
            "course_type": "verified-audit" if verified else "audit",
        }

    def _run(
        self, spec: _Spec, j: int, title: str, slug: str, image: Any, level: Any, flavor: str
    ) -> dict[str, Any]:
        i, course_key = spec.rng_index, spec.key
        rng = _Rng(mix(self.seed, 8, i, j))
        term = mix(self.seed, 9, i) % 18 + 2 * j  # thirds of a year since 2019, chronological
        year, third = 2019 + term // 3, term % 3
        term_name = f"{third + 1}T{year}"
        key = f"course-v1:{course_key}+{term_name}"
        uuid = spec.run_uuids[j]
        start = datetime(year, (1, 5, 9)[third], 1 + rng.randrange(20))
        self_paced = rng.random() < 0.4
        end = (
            None
            if self_paced and rng.random() < 0.3
            else start + timedelta(weeks=rng.randrange(4, 17))
        )
        enrollment_start = None if rng.random() < 0.3 else start - timedelta(days=60)
        if end is not None and end < REFERENCE_DATE:
            availability = "Archived"
        elif start <= REFERENCE_DATE:
            availability = "Current"
        elif start - REFERENCE_DATE < timedelta(days=60):
            availability = "Starting Soon"
        else:
            availability = "Upcoming"
        seats = self._seats(end, rng)
        seat_types = {s["type"] for s in seats}
        run_type = next(
            (t for t in ("credit", "professional", "verified", "honor") if t in seat_types), "audit"
        )
        staff = rng.sample(self.people, k=rng.randrange(4))
        return {
            "key": key,
            "uuid": uuid,
            "title": title,
            "external_key": None,
            "image": image,
            "short_description": None,
            "marketing_url": None if rng.random() < 0.1 else f"https://www.edx.org/course/{slug}-{term_name.lower()}",
            "seats": seats,
            "start": _iso(start),
            "end": _iso(end),
            "go_live_date": None,
            "enrollment_start": _iso(enrollment_start),
            "enrollment_end": _iso(end),
            "pacing_type": "self_paced" if self_paced else "instructor_paced",
            "type": run_type,
            "run_type": f"{run_type}-audit" if run_type != "audit" else "audit",
            "status": "published",
            "is_enrollable": availability != "Archived",
            "is_marketable": True,
            "course": course_key,
            "full_description": None,
            "announcement": None if rng.random() < 0.5 else _iso(start - timedelta(days=90)),
            "video": None,
            "content_language": vocab.LANGUAGE.get(flavor, "en-us") if rng.random() > 0.05 else None,
            "transcript_languages": rng.sample(["en-us", "es-es", "fr", "zh-cn", "ar"], k=rng.randrange(3)),
            "instructors": [],
            "staff": staff,
            "min_effort": None if rng.random() < 0.2 else rng.randrange(1, 5),
            "max_effort": None if rng.random() < 0.2 else rng.randrange(5, 12),
            "weeks_to_complete": None if end is None else (end - start).days // 7,
            "modified": _iso_micro(start - timedelta(days=rng.randrange(1, 200), seconds=rng.randrange(86400))),
            "level_type": level,
            "availability": availability,
            "mobile_available": rng.random() < 0.7,
            "hidden": rng.random() < 0.05,
            "reporting_type": "mooc",
            "eligible_for_financial_aid": True,
            "first_enrollable_paid_seat_price": None,
            "has_ofac_restrictions": None,
            "ofac_comment": "",
            "enrollment_count": rng.randrange(0, 250_000),
            "recent_enrollment_count": rng.randrange(0, 5000),
            "expected_program_type": None,
            "expected_program_name": "",
            "course_uuid": None,
            "estimated_hours": 0,
            "content_language_search_facet_name": None,
        }  # fmt: skip

    def _seats(self, end: datetime | None, rng: _Rng) -> list[dict[str, Any]]:
        def seat(
            kind: str, price: str, deadline: datetime | None = None, **extra: Any
        ) -> dict[str, Any]:
            return {
                "type": kind,
                "price": price,
                "currency": "USD" if rng.random() < 0.9 else "EUR",
                "upgrade_deadline": _iso(deadline),
                "upgrade_deadline_override": None,
                "credit_provider": extra.get("credit_provider"),
                "credit_hours": extra.get("credit_hours"),
                "sku": f"{rng.getrandbits(28):07X}",
                "bulk_sku": None if rng.random() < 0.5 else f"{rng.getrandbits(28):07X}",
            }

        roll = rng.random()
        deadline = None if end is None else end - timedelta(days=10)
        if roll < 0.05:
            return [seat("professional", f"{rng.choice([300, 499, 995])}.00")]
        if roll < 0.08:
            return [seat("honor", "0.00")]
        seats = [seat("audit", "0.00")]
        if roll < 0.75:
            seats.append(seat("verified", f"{rng.choice([49, 99, 149, 199, 300])}.00", deadline))
        if roll < 0.1:
            seats.append(seat("credit", "400.00", deadline, credit_provider="asu", credit_hours=3))
        if 0.1 <= roll < 0.12:
            seats.append(seat("masters", "0.00"))
        return seats

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
        return [self._program(n) for n in range(24)]

    @cached_property
    def programs_by_uuid(self) -> dict[str, dict[str, Any]]:
        return {p["uuid"]: p for p in self.programs}

    def program_summary(self, program: dict[str, Any]) -> dict[str, Any]:
        """The list shape: the detail without the detail-only fields."""
        return {k: v for k, v in program.items() if k not in _PROGRAM_DETAIL_ONLY}

    def _program(self, n: int) -> dict[str, Any]:
        rng = _Rng(mix(self.seed, 11, n))
        uuid = make_uuid(mix(self.seed, 12, n))
        ptype = vocab.PROGRAM_TYPES[n % len(vocab.PROGRAM_TYPES)]
        topic = vocab.EN_TOPICS[n % len(vocab.EN_TOPICS)]
        title = [topic, f"{topic} — 高级课程", f"Основы: {topic}", f"[italic]{topic}[/italic]"][
            n % 4
        ]
        slug = _slug(topic) + f"-{n}"
        indices = rng.sample(range(self.courses), k=min(self.courses, rng.randrange(2, 6)))
        courses = [self._program_course(self.course(i)) for i in indices]
        orgs = [self.organizations[rng.randrange(len(vocab.ORGS))]]
        return {
            "uuid": uuid,
            "title": title,
            "subtitle": None if rng.random() < 0.2 else f"Master {topic.lower()} in {len(courses)} courses",
            "type": ptype,
            "type_attrs": {"uuid": make_uuid(mix(self.seed, 13, n % 4)), "slug": _slug(ptype),
                           "coaching_supported": False},
            "status": vocab.PROGRAM_STATUSES[n % len(vocab.PROGRAM_STATUSES)],
            "marketing_slug": slug,
            "marketing_url": f"https://www.edx.org/{_slug(ptype)}/{slug}",
            "banner_image": None if rng.random() < 0.3 else {
                size: {"url": f"{vocab.CDN}/programs/banner_images/{uuid}.{size}.jpg",
                       "width": w, "height": h}
                for size, w, h in (("large", 1440, 480), ("medium", 726, 242), ("small", 435, 145))
            },
            "hidden": rng.random() < 0.1,
            "courses": courses,
            "authoring_organizations": orgs,
            "card_image_url": None if rng.random() < 0.2 else f"{vocab.CDN}/programs/card_images/{uuid}.jpg",
            "is_program_eligible_for_one_click_purchase": rng.random() < 0.5,
            "degree": None,
            "curricula": [],
            "marketing_hook": None if rng.random() < 0.5 else f"Become fluent in {topic}",
            "total_hours_of_effort": rng.randrange(20, 300),
            "recent_enrollment_count": rng.randrange(0, 10_000),
            "labels": [],
            "is_2u_degree_program": False,
            # detail-only fields below
            "overview": f"<p>The {title} program.</p>",
            "weeks_to_complete": rng.randrange(8, 60),
            "min_hours_effort_per_week": rng.randrange(2, 5),
            "max_hours_effort_per_week": rng.randrange(5, 12),
            "video": None,
            "expected_learning_items": ["Build real projects", "Earn a credential"],
            "faq": [],
            "credit_backing_organizations": [],
            "corporate_endorsements": [],
            "job_outlook_items": [],
            "individual_endorsements": [],
            "languages": ["en-us"],
            "transcript_languages": ["en-us"],
            "subjects": [self._subject(n % len(vocab.SUBJECTS))],
            "price_ranges": [{"currency": "USD", "min": 99.0, "max": 299.0, "total": 299.0 * len(courses)}],
            "staff": rng.sample(self.people, k=2),
            "credit_redemption_overview": None,
            "applicable_seat_types": ["verified", "professional", "credit"],
            "instructor_ordering": [],
            "enrollment_count": rng.randrange(0, 100_000),
            "topics": [],
        }  # fmt: skip

    def _program_course(self, course: dict[str, Any]) -> dict[str, Any]:
        run_fields = ("key", "uuid", "title", "image", "short_description", "marketing_url", "seats",
                      "start", "end", "enrollment_start", "enrollment_end", "pacing_type", "type",
                      "status", "availability")  # fmt: skip
        return {
            "key": course["key"],
            "uuid": course["uuid"],
            "title": course["title"],
            "course_runs": [{f: r[f] for f in run_fields} for r in course["course_runs"]],
            "entitlements": course["entitlements"],
            "owners": course["owners"],
            "image": course["image"],
            "short_description": course["short_description"],
            "type": None,
            "url_slug": course["url_slug"],
        }

    # --- csv ----------------------------------------------------------------------------------

    def catalog_csv(self, catalog: Catalog) -> Iterator[bytes]:
        """One row per course run, flattened columns like course-discovery's CSV renderer."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for j in range(catalog.count):
            course = self.course(catalog.course_index(j))
            for run in course["course_runs"]:
                writer.writerow(_csv_row(course, run))
            if buf.tell() > 64 * 1024 or j == catalog.count - 1:
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()
        if catalog.count == 0:
            yield buf.getvalue().encode()


_PROGRAM_DETAIL_ONLY = frozenset(
    {"overview", "weeks_to_complete", "min_hours_effort_per_week", "max_hours_effort_per_week",
     "video", "expected_learning_items", "faq", "credit_backing_organizations",
     "corporate_endorsements", "job_outlook_items", "individual_endorsements", "languages",
     "transcript_languages", "subjects", "price_ranges", "staff", "credit_redemption_overview",
     "applicable_seat_types", "instructor_ordering", "enrollment_count", "topics"}
)  # fmt: skip

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
