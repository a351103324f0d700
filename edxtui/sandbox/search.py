"""Search and filters, as Open edX discovery offers them (the `search` switch).

Modelled on course-discovery's api/v1/views/courses.py, course_runs.py and programs.py (`q=`,
`keys=`, `uuids=`, `ordering=`; `exclude_utm` cast with api/utils.py cast2int, so `true` is a
500), api/mixins.py ValidElasticSearchQueryRequiredMixin with edx_elasticsearch_dsl_extensions/
exceptions.py InvalidQuery (course_runs/ answers a bad query with 400), and api/v1/views/
search.py (`search/all/`, `search/courses/`, `search/course_runs/`, `search/programs/`, paged by
`page`/`page_size` only, django_elasticsearch_dsl_drf's envelope with `facets`).

Simplified on purpose: the query language is not Elasticsearch's. A query is words and
`field:value` terms (all must match), "quoted phrases" allowed; a word matches the title or the
key, case-insensitively, as a substring; fields are title, key, org and uuid; `*` or `*:*`
matches everything. Unbalanced quotes or parentheses, or a field without a value, are an
invalid query. The index holds the regular courses (`--courses`), not the large catalog's.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from edxtui.sandbox.pagination import InvalidPage, paginate
from edxtui.sandbox.render import render_json
from edxtui.sandbox.responses import API_HEADERS, detail, json_response, server_error

if TYPE_CHECKING:
    from edxtui.sandbox.app import SandboxApp

INVALID_QUERY = "Request could not be completed due to an incorrect ElasticSearch query parameters"
FILTERS = ("q", "keys", "uuids", "ordering")
INT_FLAGS = ("exclude_utm", "include_deleted_programs", "use_full_course_serializer")
SEARCH_KINDS = {"all": None, "courses": "course", "course_runs": "courserun", "programs": "program"}
_FIELDS = ("title", "key", "org", "uuid")


class InvalidQuery(ValueError):
    pass


def parse_query(q: str) -> list[tuple[str | None, str]]:
    """(field or None, lower-case value) terms, all of which must match."""
    if q.count("(") != q.count(")"):
        raise InvalidQuery(q)
    try:
        words = shlex.split(q.replace("(", " ").replace(")", " "))
    except ValueError:  # an unbalanced quote
        raise InvalidQuery(q) from None
    terms: list[tuple[str | None, str]] = []
    for word in words:
        if word in ("*", "*:*", "AND"):
            continue
        field, sep, value = word.partition(":")
        if sep and field.lower() in _FIELDS:
            if not value:
                raise InvalidQuery(q)
            terms.append((field.lower(), value.lower().strip('"')))
        else:
            terms.append((None, word.lower()))
    return terms


def matches(doc: dict[str, Any], terms: list[tuple[str | None, str]]) -> bool:
    for field, value in terms:
        if field is None:
            haystack = f"{doc.get('title', '')} {doc.get('key', '')}".lower()
        else:
            haystack = str(doc.get(field) or "").lower()
        if value not in haystack:
            return False
    return True


def _org(key: str) -> str:
    return re.split(r"[+/:]", key.removeprefix("course-v1:"), maxsplit=1)[0]


def _documents(app: SandboxApp, resource: str) -> Iterable[dict[str, Any]]:
    """The indexed documents of a resource, in discovery's default order (by key)."""
    data = app.data
    if resource == "programs":
        for p in data.programs:
            yield {**data.program_summary(p), "key": p["uuid"], "org": ""}
        return
    for i in range(data.courses):
        course = data.course(i)
        if resource == "courses":
            yield {**course, "org": _org(course["key"])}
        else:
            for run in course["course_runs"]:
                yield {**run, "org": _org(course["key"])}


def _csv(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    return None if raw is None else [k.strip() for k in raw.split(",") if k.strip()]


def intercept(
    app: SandboxApp, request: Request, resource: str, detail_view: bool
) -> Response | None:
    """The answer that replaces the plain view when `search` is on, or None."""
    for flag in INT_FLAGS:  # cast2int: anything but an integer is an unhandled ValueError
        value = request.query_params.get(flag)
        if value is not None and not re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return server_error(500)
    if detail_view or not any(name in request.query_params for name in FILTERS):
        return None
    try:
        terms = parse_query(request.query_params.get("q", ""))
    except InvalidQuery:
        if resource == "course_runs":
            return detail(400, INVALID_QUERY, API_HEADERS)
        return server_error(500)  # courses/ and programs/ let Elasticsearch's error through
    keys, uuids = _csv(request, "keys"), _csv(request, "uuids")
    docs = [
        d
        for d in _documents(app, resource)
        if matches(d, terms)
        and (keys is None or d.get("key") in keys)
        and (uuids is None or d.get("uuid") in uuids)
    ]
    ordering = request.query_params.get("ordering", "").strip()
    field = ordering.lstrip("-")
    if field in ("key", "title", "start", "uuid"):
        docs.sort(key=lambda d: str(d.get(field) or ""), reverse=ordering.startswith("-"))
    drop = ("org",) if resource != "programs" else ("org", "key")
    items = [{k: v for k, v in d.items() if k not in drop} for d in docs]
    try:
        window = paginate(str(request.url), dict(request.query_params), len(items))
    except InvalidPage:
        return detail(404, "Invalid page.", API_HEADERS)
    page = items[window.offset : window.offset + window.limit]
    head = {"count": len(items), "next": window.next, "previous": window.previous}
    return json_response({**head, "results": page}, headers=API_HEADERS)


def _search_doc(kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The search serializers' shape, trimmed: what a result list needs."""
    out = {
        "content_type": kind,
        "aggregation_key": f"{kind}:{doc.get('key') or doc.get('uuid')}",
        "uuid": doc.get("uuid"),
        "title": doc.get("title"),
        "org": doc.get("org"),
    }
    if kind != "program":
        out["key"] = doc.get("key")
    if kind == "courserun":
        out.update(start=doc.get("start"), pacing_type=doc.get("pacing_type"))
    return out


def _facets(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Elasticsearch terms aggregations, as django_elasticsearch_dsl_drf returns them."""
    out: dict[str, Any] = {}
    for field in ("content_type", "org"):
        counts = Counter(str(r.get(field)) for r in results)
        buckets = [{"key": k, "doc_count": n} for k, n in counts.most_common()]
        out[f"_filter_{field}"] = {
            "doc_count": len(results),
            field: {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": buckets},
        }
    return out


async def search_view(app: SandboxApp, request: Request, kind_name: str) -> Response:
    """search/<kind>/: page-number paging only (limit/offset are ignored), with facets."""
    try:
        terms = parse_query(request.query_params.get("q", ""))
    except InvalidQuery:
        return server_error(500)
    kinds = [k for k in ("course", "courserun", "program") if SEARCH_KINDS[kind_name] in (None, k)]
    resources = {"course": "courses", "courserun": "course_runs", "program": "programs"}
    results = [
        _search_doc(k, d) for k in kinds for d in _documents(app, resources[k]) if matches(d, terms)
    ]
    params = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}
    params.setdefault("page", "1")
    try:
        window = paginate(str(request.url), params, len(results))
    except InvalidPage:
        return detail(404, "Invalid page.", API_HEADERS)
    body = {
        "count": len(results),
        "next": window.next,
        "previous": window.previous,
        "facets": _facets(results),
        "results": results[window.offset : window.offset + window.limit],
    }
    return Response(render_json(body), 200, headers=API_HEADERS, media_type="application/json")
