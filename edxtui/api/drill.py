"""Drilling down from a list entry: its own detail endpoint, and "is it in that catalog?".

A list's entries are summaries (search/all/'s most of all); each resource has a detail
endpoint with the whole object: `courses/{key}/`, `course_runs/{key}/`, `programs/{uuid}/`
(and `catalogs/{id}/`). `catalogs/{id}/contains/` takes course keys and course-run keys in
two separate parameters, so `split_keys` tells them apart.
"""

from __future__ import annotations

import re
from typing import Any

from edxtui.api import catalog as paths
from edxtui.api.errors import ConfigError, EdxError

#: a kind -> (the field that names one, the detail path it goes into)
_DETAIL = {
    "course": ("key", paths.course),
    "run": ("key", paths.course_run),
    "program": ("uuid", paths.program),
    "catalog": ("id", paths.catalog),
    "organization": ("uuid", paths.organization),
}

#: kinds whose entries `d` drills into (an organization's own path is only offered by the
#: request bar's completion)
DRILLABLE = frozenset(("course", "run", "program", "catalog"))


def detail_path(kind: str, item: Any) -> str:
    """The detail endpoint of a list entry of `kind`; ConfigError when it has no usable
    key (a missing field, or one that cannot be a path segment)."""
    if kind not in _DETAIL:
        raise ConfigError(f"a {kind} has no detail endpoint", "pick a course, run or program")
    field, build = _DETAIL[kind]
    value = item.get(field) if isinstance(item, dict) else None
    if value is None or value == "" or isinstance(value, (dict, list, bool)):
        raise ConfigError(f"this {kind} has no {field} to look it up by", "")
    try:
        return build(value)
    except EdxError as err:
        raise ConfigError(f"this {kind}'s {field} cannot be looked up: {err.message}", "") from None


def is_run_key(key: str) -> bool:
    """A course-run key: `course-v1:Org+Course+Run`, or the old `Org/Course/Run`."""
    return key.startswith("course-v1:") or "/" in key


def split_keys(text: str) -> tuple[list[str], list[str]]:
    """Keys typed by a person (commas or spaces between them) as (course keys, course-run
    keys), each once, in the order typed; ConfigError when there are none."""
    keys = list(dict.fromkeys(k for k in re.split(r"[,\s]+", text) if k))
    if not keys:
        raise ConfigError("no course key given", "type a course key such as MITx+6.00x")
    return [k for k in keys if not is_run_key(k)], [k for k in keys if is_run_key(k)]
