"""How real deployments differ (API.md, "Where real deployments differ"): the behaviour behind
the switches in switches.py. Each piece names the file of the real repository it models
(docs/sandbox.md has the list).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable

from starlette.responses import Response

from edxtui.sandbox.hostile import body_of
from edxtui.sandbox.render import ascii_escaped
from edxtui.sandbox.responses import API_HEADERS, detail
from edxtui.sandbox.switches import parse_rate

# --- the request budget: DRF's SimpleRateThrottle --------------------------------------------


class RateThrottle:
    """rest_framework/throttling.py SimpleRateThrottle (course-discovery's OverridableUserRate-
    Throttle, scope "user"): per user, the timestamps of allowed requests in the window, newest
    first. A throttled request is not recorded. `timer` is injectable, as in DRF, so a test
    can move the clock instead of waiting an hour."""

    def __init__(self, timer: Callable[[], float] = time.time) -> None:
        self.timer = timer
        self._lock = threading.Lock()
        self._history: dict[str, list[float]] = {}
        self._epoch = -1

    def check(self, rate: str, ident: str, epoch: int) -> tuple[bool, float | None]:
        """(allowed, wait): wait is DRF's wait(), None when it has no answer."""
        num, duration = parse_rate(rate)
        with self._lock:
            if epoch != self._epoch:  # switches were reset: a fresh budget
                self._history, self._epoch = {}, epoch
            history = self._history.setdefault(ident, [])
            now = self.timer()
            while history and history[-1] <= now - duration:
                history.pop()
            if len(history) >= num:
                remaining = duration - (now - history[-1]) if history else duration
                available = num - len(history) + 1
                return False, None if available <= 0 else remaining / available
            history.insert(0, now)
            return True, None


def drf_throttled(wait: float | None) -> Response:
    """rest_framework/exceptions.py Throttled + views.exception_handler: the wait rounded up,
    "second" for 1; `Retry-After` only when the rounded wait is not 0 (DRF tests its truth)."""
    if wait is None:
        return detail(429, "Request was throttled.", API_HEADERS)
    seconds = math.ceil(wait)
    unit = "second" if seconds == 1 else "seconds"
    headers = dict(API_HEADERS)
    if seconds:
        headers["Retry-After"] = str(seconds)
    return detail(429, f"Request was throttled. Expected available in {seconds} {unit}.", headers)


# --- 404s: DRF's get_object_or_404 and Django's URL patterns -----------------------------------

# course_discovery/apps/course_metadata/constants.py and the views' lookup_value_regex
_COURSE_ID = r"[^/+]+(/|\+)[^/+]+"
_RUN_ID = r"[^/+]+(/|\+)[^/+]+(/|\+)[^/]+"
LOOKUP_PATTERNS = {
    "courses": re.compile(rf"(?:{_COURSE_ID}|[0-9a-f-]+)"),
    "course_runs": re.compile(_RUN_ID),
    "programs": re.compile(r"[0-9a-f-]+"),
    "organizations": re.compile(r"[0-9a-f-]+"),
    "catalogs": re.compile(r"[^/.]+"),  # DRF SimpleRouter's default
}
MODEL_NAMES = {
    "catalogs": "Catalog",
    "courses": "Course",
    "course_runs": "CourseRun",
    "programs": "Program",
    "organizations": "Organization",
}


def routes_to_view(resource: str, lookup: str, *, strict: bool) -> bool:
    """Whether Django's URL pattern for `resource/{lookup}/` matches. A lookup with a slash is
    checked always (only the pattern makes it a route); others only when `strict`."""
    pattern = LOOKUP_PATTERNS.get(resource)
    if pattern is None or not (strict or "/" in lookup):
        return True
    return pattern.fullmatch(lookup) is not None


def not_found(resource: str, *, real: bool, bad_id: bool = False) -> Response:
    """The view's 404. Real: Django's get_object_or_404 message ("No Course matches the given
    query."), or DRF's bare "Not found." when the id could not even be cast (a non-integer)."""
    text = "Not found."
    if real and not bad_id:
        text = f"No {MODEL_NAMES[resource]} matches the given query."
    return detail(404, text, API_HEADERS)


# --- cold pages: course-discovery's CompressedCacheResponseMixin ------------------------------


class ResponseCache:
    """Which list pages were served since the last reset: the first request for a page (its
    path and query) is a cache miss and slow; later ones are hits (course_discovery/apps/api/
    cache.py CompressedCacheResponseMixin, keyed by the full request URL)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._warm: set[str] = set()
        self._epoch = -1

    def is_warm(self, key: str, epoch: int) -> bool:
        with self._lock:
            if epoch != self._epoch:
                self._warm, self._epoch = set(), epoch
            return key in self._warm

    def store(self, key: str, epoch: int) -> None:
        with self._lock:
            if epoch == self._epoch:
                self._warm.add(key)


def page_key(path: str, query: str) -> str:
    return path + "?" + "&".join(sorted(query.split("&"))) if query else path


def http_scheme(link: str | None) -> str | None:
    """A next/previous link as discovery behind a TLS proxy without X-Forwarded-Proto builds
    it: DRF's request.build_absolute_uri() sees plain http."""
    if link is not None and link.startswith("https://"):
        return "http://" + link[len("https://") :]
    return link


async def ascii_json(response: Response) -> Response:
    """The `ascii_json` switch: a JSON response as a server built on json.dumps' defaults
    sends it (non-ASCII escaped); anything else as it was."""
    if "json" not in response.headers.get("content-type", ""):
        return response
    body = ascii_escaped(await body_of(response))
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(body, response.status_code, headers=headers)
