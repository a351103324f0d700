"""Organizations, people and subjects: the small fixed lists courses and programs point into."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from edxtui.sandbox import vocabulary as vocab
from edxtui.sandbox.seeded import make_uuid, mix, slugify


class Directory:
    """The organizations, people and subjects of one seed, built on first use."""

    def __init__(self, seed: int):
        self.seed = seed

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
                    "slug": slugify(f"{given} {family}") if h % 9 else f"person-{n}",
                    "position": None
                    if h % 5 == 0
                    else {
                        "title": vocab.POSITIONS[h % len(vocab.POSITIONS)],
                        "organization_name": org[1],
                    },
                }
            )
        return people

    def subject(self, n: int) -> dict[str, Any]:
        name, _prefix = vocab.SUBJECTS[n]
        subject_slug = slugify(name)
        return {
            "name": name,
            "subtitle": f"Learn about {name.lower()}",
            "description": f"<p>Courses in {name}.</p>",
            "banner_image_url": f"{vocab.CDN}/subjects/{subject_slug}-banner.jpg",
            "card_image_url": f"{vocab.CDN}/subjects/{subject_slug}-card.jpg",
            "slug": subject_slug,
            "uuid": make_uuid(mix(self.seed, 3, n)),
        }

    def owners(self, org_n: int, *, two: bool) -> list[dict[str, Any]]:
        owners = [self.organizations[org_n]]
        if two:
            owners.append(self.organizations[(org_n + 1) % len(vocab.ORGS)])
        return owners

    def sponsors(self, org_n: int) -> list[dict[str, Any]]:
        return [self.organizations[(org_n + 3) % len(vocab.ORGS)]]
