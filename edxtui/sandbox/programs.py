"""The sandbox's programs: 24 of them, each bundling a few of the regular catalogs' courses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edxtui.sandbox import vocabulary as vocab
from edxtui.sandbox.directory import Directory
from edxtui.sandbox.seeded import Rng, make_uuid, mix, slugify

PROGRAMS = 24


def build_programs(
    seed: int, courses: int, course: Callable[[int], dict[str, Any]], directory: Directory
) -> list[dict[str, Any]]:
    """Every program (detail shape), drawing its courses from course(0 .. courses - 1)."""
    return [_program(seed, n, courses, course, directory) for n in range(PROGRAMS)]


def program_summary(program: dict[str, Any]) -> dict[str, Any]:
    """The list shape: the detail without the detail-only fields."""
    return {k: v for k, v in program.items() if k not in _PROGRAM_DETAIL_ONLY}


def _program(
    seed: int,
    n: int,
    n_courses: int,
    course: Callable[[int], dict[str, Any]],
    directory: Directory,
) -> dict[str, Any]:
    rng = Rng(mix(seed, 11, n))
    uuid = make_uuid(mix(seed, 12, n))
    ptype = vocab.PROGRAM_TYPES[n % len(vocab.PROGRAM_TYPES)]
    topic = vocab.EN_TOPICS[n % len(vocab.EN_TOPICS)]
    title = [topic, f"{topic} — 高级课程", f"Основы: {topic}", f"[italic]{topic}[/italic]"][n % 4]
    slug = slugify(topic) + f"-{n}"
    indices = rng.sample(range(n_courses), k=min(n_courses, rng.randrange(2, 6)))
    courses = [_program_course(course(i)) for i in indices]
    orgs = [directory.organizations[rng.randrange(len(vocab.ORGS))]]
    return {
        "uuid": uuid,
        "title": title,
        "subtitle": None if rng.random() < 0.2 else f"Master {topic.lower()} in {len(courses)} courses",
        "type": ptype,
        "type_attrs": {"uuid": make_uuid(mix(seed, 13, n % 4)), "slug": slugify(ptype),
                       "coaching_supported": False},
        "status": vocab.PROGRAM_STATUSES[n % len(vocab.PROGRAM_STATUSES)],
        "marketing_slug": slug,
        "marketing_url": f"https://www.edx.org/{slugify(ptype)}/{slug}",
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
        "subjects": [directory.subject(n % len(vocab.SUBJECTS))],
        "price_ranges": [{"currency": "USD", "min": 99.0, "max": 299.0, "total": 299.0 * len(courses)}],
        "staff": rng.sample(directory.people, k=2),
        "credit_redemption_overview": None,
        "applicable_seat_types": ["verified", "professional", "credit"],
        "instructor_ordering": [],
        "enrollment_count": rng.randrange(0, 100_000),
        "topics": [],
    }  # fmt: skip


def _program_course(course: dict[str, Any]) -> dict[str, Any]:
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


_PROGRAM_DETAIL_ONLY = frozenset(
    {"overview", "weeks_to_complete", "min_hours_effort_per_week", "max_hours_effort_per_week",
     "video", "expected_learning_items", "faq", "credit_backing_organizations",
     "corporate_endorsements", "job_outlook_items", "individual_endorsements", "languages",
     "transcript_languages", "subjects", "price_ranges", "staff", "credit_redemption_overview",
     "applicable_seat_types", "instructor_ordering", "enrollment_count", "topics"}
)  # fmt: skip
