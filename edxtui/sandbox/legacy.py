"""Old-style (pre-opaque-keys) course runs: `MITx/6.002x/2012_Fall` (the `slash_keys` switch).

Discovery still holds runs keyed this way, and routes them: course_discovery/apps/
course_metadata/constants.py COURSE_RUN_ID_REGEX accepts `/` or `+` between the parts, so
`course_runs/MITx/6.002x/2012_Fall/` reaches the view. The sandbox adds them as catalog 7,
"Old-style keys", only while the switch is on, so the default data (and every snapshot of
it) stays as it is. Their courses are regular sandbox courses under new keys.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from edxtui.sandbox.catalogs import Catalog
from edxtui.sandbox.data import SandboxData

CATALOG_ID = 7
# (org, number, runs): keys as edX wrote them before 2014
_COURSES = (
    ("MITx", "6.002x", ("2012_Fall", "2013_Spring")),
    ("HarvardX", "CS50x", ("2012",)),
    ("BerkeleyX", "CS169.1x", ("2013_Spring", "2013_Summer")),
)
CATALOG = Catalog(
    CATALOG_ID, "Old-style keys (MITx/6.002x/2012_Fall)", "org:MITx", 0, 1, len(_COURSES)
)


def courses(data: SandboxData) -> list[dict[str, Any]]:
    """The old-style courses, built from the first sandbox courses (cheap: a few copies)."""
    out = []
    for i, (org, number, runs) in enumerate(_COURSES):
        course = copy.deepcopy(data.course(i))
        key = f"{org}+{number}"
        course["key"] = key
        course["uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"edxtui-sandbox:{key}"))
        template = course["course_runs"][0]
        course["course_runs"] = [
            {
                **copy.deepcopy(template),
                "key": f"{org}/{number}/{term}",
                "course": key,
                "course_uuid": course["uuid"],
                "uuid": str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"edxtui-sandbox:{org}/{number}/{term}")
                ),
            }
            for term in runs
        ]
        out.append(course)
    return out


def find_course(data: SandboxData, key_or_uuid: str) -> dict[str, Any] | None:
    return next((c for c in courses(data) if key_or_uuid in (c["key"], c["uuid"])), None)


def find_run(data: SandboxData, key: str) -> dict[str, Any] | None:
    runs = (r for c in courses(data) for r in c["course_runs"])
    return next((r for r in runs if r["key"] == key), None)
