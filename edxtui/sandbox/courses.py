"""How one course is built from (seed, index): its key, uuids, title, descriptions, runs, seats.

Every field is drawn from rng streams keyed by the course's index, so the same seed gives the
same bytes. Shapes and field names follow ../shared/API.md (course-discovery's serializers);
values are realistic, null where the real API allows it, and some strings are deliberately
hostile (Rich markup, terminal escapes, bidi overrides): they are data.

A *template* (bulk.py) is a course built with placeholders (`marker()`) where the index decides
the value: key, uuids, title, slug, owners, subjects, sponsors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from edxtui.sandbox import vocabulary as vocab
from edxtui.sandbox.directory import Directory
from edxtui.sandbox.seeded import REFERENCE_DATE, Rng, iso, iso_micro, make_uuid, mix, slugify

KEY_BASE = 100  # course numbers start at 100 ("CS100x"), a course-number look


def marker(name: str) -> str:
    """A placeholder no real value contains; JSON writes it as \\u0000name\\u0000."""
    return f"\x00{name}\x00"


@dataclass(frozen=True)
class CourseSpec:
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


class CourseBuilder:
    """Builds course i of a seed's universe (uncached: SandboxData caches what it serves)."""

    def __init__(self, seed: int, directory: Directory):
        self.seed = seed
        self.directory = directory

    def basics(self, i: int) -> tuple[int, int]:
        """(org index, subject index) of course i: cheap, so keys can be checked without building."""
        h = mix(self.seed, 4, i)
        return h % len(vocab.ORGS), (h >> 8) % len(vocab.SUBJECTS)

    def key(self, i: int) -> str:
        org, subject = self.basics(i)
        return f"{vocab.ORGS[org][0]}+{vocab.SUBJECTS[subject][1]}{KEY_BASE + i}x"

    def uuid(self, i: int) -> str:
        return make_uuid(mix(self.seed, 6, i), i)

    def run_uuid(self, i: int, j: int) -> str:
        return make_uuid(mix(self.seed, 10, i, j), i * 8 + j)

    def runs_count(self, i: int) -> int:
        return 1 + mix(self.seed, 5, i) % 4

    def spec(self, i: int) -> CourseSpec:
        org_n, subject_n = self.basics(i)
        n_runs = self.runs_count(i)
        return CourseSpec(
            rng_index=i,
            org_n=org_n,
            subject_n=subject_n,
            key=self.key(i),
            uuid=self.uuid(i),
            run_uuids=tuple(self.run_uuid(i, j) for j in range(n_runs)),
        )

    def flavor(self, i: int, rng: Rng) -> str:
        if 0 <= i < len(vocab.SHOWCASE):
            return vocab.SHOWCASE[i]
        return rng.choices(vocab.FLAVORS, cum_weights=vocab.CUM_WEIGHTS)[0]

    def title(self, i: int, flavor: str, rng: Rng) -> str:
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

    def _descriptions(self, flavor: str, title: str, rng: Rng) -> tuple[Any, Any]:
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

    def _image(self, kind: str, uuid: str, rng: Rng) -> dict[str, Any] | None:
        if rng.random() < 0.08:
            return None
        sized = rng.random() < 0.5
        return {
            "src": f"{vocab.CDN}/{kind}/image/{uuid}-{rng.getrandbits(48):012x}.jpg",
            "description": None,
            "height": 250 if sized else None,
            "width": 378 if sized else None,
        }

    def build(self, spec: CourseSpec) -> dict[str, Any]:
        i, org_n, subject_n, key, uuid = (
            spec.rng_index, spec.org_n, spec.subject_n, spec.key, spec.uuid
        )  # fmt: skip
        rng = Rng(mix(self.seed, 7, i))
        flavor = self.flavor(i, rng)
        title = self.title(i, flavor, rng)
        if spec.title is not None:  # a template: the title is a placeholder (drawn all the same)
            title = spec.title
        slug = slugify(title) if spec.slug is None else spec.slug
        short, full = self._descriptions(flavor, title, rng)
        owners: Any = self.directory.owners(org_n, two=rng.random() < 0.1)
        if spec.template:  # org and subject come later, from the course that uses the template
            owners = marker(f"O{len(owners)}")
        image = self._image("course", uuid, rng)
        level = rng.choice(vocab.LEVELS)
        modified = REFERENCE_DATE - timedelta(
            seconds=rng.randrange(3 * 365 * 86400), microseconds=rng.randrange(10**6)
        )
        org_slug, subject_slug = (
            vocab.ORGS[org_n][0].lower(),
            self.directory.subject(subject_n)["slug"],
        )
        if spec.template:
            org_slug, subject_slug = marker("OS"), marker("JS")
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
            "subjects": marker("J") if spec.template else [self.directory.subject(subject_n)],
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
            else (marker("P") if spec.template else self.directory.sponsors(org_n)),
            "modified": iso_micro(modified),
            "marketing_url": None if rng.random() < 0.05 else marketing,
            "url_slug": slug,
            "course_type": "verified-audit" if verified else "audit",
        }

    def _run(
        self, spec: CourseSpec, j: int, title: str, slug: str, image: Any, level: Any, flavor: str
    ) -> dict[str, Any]:
        i, course_key = spec.rng_index, spec.key
        rng = Rng(mix(self.seed, 8, i, j))
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
        staff = rng.sample(self.directory.people, k=rng.randrange(4))
        return {
            "key": key,
            "uuid": uuid,
            "title": title,
            "external_key": None,
            "image": image,
            "short_description": None,
            "marketing_url": None if rng.random() < 0.1 else f"https://www.edx.org/course/{slug}-{term_name.lower()}",
            "seats": seats,
            "start": iso(start),
            "end": iso(end),
            "go_live_date": None,
            "enrollment_start": iso(enrollment_start),
            "enrollment_end": iso(end),
            "pacing_type": "self_paced" if self_paced else "instructor_paced",
            "type": run_type,
            "run_type": f"{run_type}-audit" if run_type != "audit" else "audit",
            "status": "published",
            "is_enrollable": availability != "Archived",
            "is_marketable": True,
            "course": course_key,
            "full_description": None,
            "announcement": None if rng.random() < 0.5 else iso(start - timedelta(days=90)),
            "video": None,
            "content_language": vocab.LANGUAGE.get(flavor, "en-us") if rng.random() > 0.05 else None,
            "transcript_languages": rng.sample(["en-us", "es-es", "fr", "zh-cn", "ar"], k=rng.randrange(3)),
            "instructors": [],
            "staff": staff,
            "min_effort": None if rng.random() < 0.2 else rng.randrange(1, 5),
            "max_effort": None if rng.random() < 0.2 else rng.randrange(5, 12),
            "weeks_to_complete": None if end is None else (end - start).days // 7,
            "modified": iso_micro(start - timedelta(days=rng.randrange(1, 200), seconds=rng.randrange(86400))),
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

    def _seats(self, end: datetime | None, rng: Rng) -> list[dict[str, Any]]:
        def seat(
            kind: str, price: str, deadline: datetime | None = None, **extra: Any
        ) -> dict[str, Any]:
            return {
                "type": kind,
                "price": price,
                "currency": "USD" if rng.random() < 0.9 else "EUR",
                "upgrade_deadline": iso(deadline),
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
