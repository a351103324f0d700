"""How real deployments differ (API.md), as the sandbox models each behind a switch: exact
content negotiation, the real 404s, DRF's request budget, the token URL's 403 pages, the
current restricted-application token and cold pages. Plain httpx over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui.sandbox import SandboxServer
from edxtui.sandbox.faults import Faults, parse_cli_fault


@pytest.fixture
def auth(sandbox: SandboxServer) -> dict[str, str]:
    headers = {"Authorization": f"JWT {sandbox_token(sandbox)}"}
    sandbox.counters.reset()
    return headers


def get(sb: SandboxServer, path: str, headers: dict[str, str], **kw: object) -> httpx.Response:
    return http.get(sb.api_root() + path, headers=headers, **kw)  # type: ignore[arg-type]


def token_form(client_id: str, secret: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": client_id,
            "client_secret": secret, "token_type": "jwt"}  # fmt: skip


# --- 2. DRF's content negotiation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("text/csv", 406),
        ("*", 406),  # no subtype: DRF's _MediaType matches nothing
        ("", 406),  # an empty header is not */*
        ("*/json", 200),
        ("application/json; indent=4", 200),
        ("text/*", 200),  # the browsable API's text/html
        ("text/csv, */*;q=0", 200),  # DRF does not weigh q-values
    ],
)
def test_content_negotiation_is_drfs(sandbox, auth, accept, status) -> None:
    r = get(sandbox, "catalogs/", {**auth, "Accept": accept})
    assert r.status_code == status
    if status == 406:
        assert r.json() == {"detail": "Could not satisfy the request Accept header."}


def test_406_comes_before_authentication_and_format_filters_renderers(sandbox) -> None:
    assert get(sandbox, "catalogs/", {"Accept": "text/csv"}).status_code == 406
    assert get(sandbox, "catalogs/1/csv/", {"Accept": "text/csv"}).status_code == 406
    r = get(sandbox, "catalogs/", {}, params={"format": "csv"})
    assert (r.status_code, r.json()) == (404, {"detail": "Not found."})
    assert (
        get(sandbox, "catalogs/", {"Accept": "text/html"}, params={"format": "json"}).status_code
        == 406
    )


# --- 3. the real 404s ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("catalogs/999/", "Catalog"),
        ("courses/NoSuchX+NOPE/", "Course"),
        ("course_runs/course-v1:NoSuchX+NOPE+1T2020/", "CourseRun"),
        ("programs/00000000-0000-0000-0000-000000000000/", "Program"),
        ("organizations/00000000-0000-0000-0000-000000000000/", "Organization"),
    ],
)
def test_real_404_texts_name_the_model(sandbox, auth, path, model) -> None:
    assert get(sandbox, path, auth).json() == {"detail": "Not found."}  # the switch is off
    sandbox.faults.update(real_404s=True)
    r = get(sandbox, path, auth)
    assert (r.status_code, r.json()) == (404, {"detail": f"No {model} matches the given query."})


def test_a_non_integer_catalog_id_is_a_bare_not_found(sandbox, auth) -> None:
    sandbox.faults.update(real_404s=True)
    assert get(sandbox, "catalogs/abc/", auth).json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "path",
    [
        "courses/course-v1:KAUSTx+DS100x+3T2019/",  # a run key sent to courses/
        "programs/ABCDEF00-0000-0000-0000-000000000000/",  # an upper-case UUID
        "organizations/NOT-A-UUID/",
    ],
)
def test_a_lookup_that_fails_the_url_pattern_is_djangos_html_404(sandbox, path) -> None:
    sandbox.faults.update(real_404s=True)
    r = get(sandbox, path, {})  # no token: Django answers before DRF looks at it
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "<title>Not Found</title>" in r.text


# --- 4. the request budget: DRF's SimpleRateThrottle -----------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(sandbox: SandboxServer) -> Iterator[Clock]:
    """The budget's clock, replaced (DRF's `timer`), so no test waits an hour."""
    fake, real = Clock(), sandbox.app.throttle.timer
    sandbox.app.throttle.timer = fake
    yield fake
    sandbox.app.throttle.timer = real


def test_rate_budget_is_a_sliding_window_with_drfs_wait(sandbox, auth, clock) -> None:
    sandbox.faults.update(rate="3/hour")
    for t in (0, 10, 20):
        clock.now = 1_000_000.0 + t
        assert get(sandbox, "catalogs/", auth).status_code == 200
    clock.now = 1_000_000.0 + 100.4
    r = get(sandbox, "catalogs/", auth)
    assert r.status_code == 429
    # The oldest request (t=0) leaves the window at t=3600: 3499.6 s, rounded up.
    assert r.headers["retry-after"] == "3500"
    assert r.json() == {"detail": "Request was throttled. Expected available in 3500 seconds."}
    assert sandbox.counters.throttled == 1
    # Throttled requests are not counted: once t=0 leaves, exactly one request fits.
    clock.now = 1_000_000.0 + 3600
    assert get(sandbox, "catalogs/", auth).status_code == 200
    r = get(sandbox, "catalogs/", auth)
    assert r.status_code == 429 and r.headers["retry-after"] == "10"


def test_rate_wait_of_one_second(sandbox, auth, clock) -> None:
    sandbox.faults.update(rate="1/sec")
    assert get(sandbox, "catalogs/", auth).status_code == 200
    clock.now += 0.5
    r = get(sandbox, "catalogs/", auth)
    assert r.json() == {"detail": "Request was throttled. Expected available in 1 second."}
    assert r.headers["retry-after"] == "1"


def test_rate_lowered_below_the_history_has_no_wait_and_no_retry_after(sandbox, auth, clock):
    sandbox.faults.update(rate="3/hour")
    for _ in range(3):
        assert get(sandbox, "catalogs/", auth).status_code == 200
    sandbox.faults.update(rate="1/hour")  # DRF's wait() is None: more history than allowed
    r = get(sandbox, "catalogs/", auth)
    assert (r.status_code, r.json()) == (429, {"detail": "Request was throttled."})
    assert "retry-after" not in r.headers


def test_rate_is_per_user_and_after_authentication(sandbox, auth, clock) -> None:
    sandbox.faults.update(rate="1/hour")
    assert get(sandbox, "catalogs/", auth).status_code == 200
    assert get(sandbox, "catalogs/", {}).status_code == 401  # not a user: not throttled
    other = http.post(sandbox.token_url(), data=token_form("edxtui-noaccess", "noaccess-secret"))
    other_auth = {"Authorization": f"JWT {other.json()['access_token']}"}
    assert get(sandbox, "catalogs/", other_auth).status_code == 200
    assert get(sandbox, "catalogs/", auth).status_code == 429
    sandbox.reset()  # a reset forgets the budget
    sandbox.faults.update(rate="1/hour")
    assert get(sandbox, "catalogs/", auth).status_code == 200


def test_rate_from_the_control_api_and_the_cli_syntax(sandbox, auth) -> None:
    r = http.post(sandbox.base_url + "/_sandbox/faults", json={"rate": "200/hour"})
    assert r.json()["rate"] == "200/hour"
    bad = http.post(sandbox.base_url + "/_sandbox/faults", json={"rate": "lots"})
    assert bad.status_code == 400 and "200/hour" in bad.json()["error"]
    assert Faults(**parse_cli_fault("rate=5/min")).switches.rate == "5/min"


# --- 5. 403 pages from the token URL that are not the rate limit -----------------------------


def test_a_post_to_an_lms_page_gets_djangos_csrf_failure(sandbox) -> None:
    for path in ("/", "/login"):
        r = http.post(sandbox.base_url + path, data=token_form("edxtui-sandbox", "x"))
        assert r.status_code == 403
        assert "<title>403 Forbidden</title>" in r.text
        assert "<p>CSRF verification failed. Request aborted.</p>" in r.text


@pytest.mark.parametrize(
    ("rule", "marker"),
    [
        ("csrf_failure", "CSRF verification failed. Request aborted."),
        ("waf_block", "The request could not be satisfied."),
    ],
)
def test_token_url_403_pages_are_distinct_from_the_rate_limit_page(sandbox, rule, marker) -> None:
    form = token_form(sandbox.client_id, sandbox.client_secret)
    sandbox.faults.update(**parse_cli_fault(f"{rule}=1"))
    r = http.post(sandbox.token_url(), data=form)
    assert r.status_code == 403 and marker in r.text
    assert r.headers["content-type"].startswith("text/html")
    sandbox.faults.update(token_throttle=1)
    throttled = http.post(sandbox.token_url(), data=form)
    assert throttled.status_code == 403 and marker not in throttled.text
    assert http.post(sandbox.token_url(), data=form).status_code == 200


# --- 6. the current restricted-application token ---------------------------------------------


def test_restricted_jwt_looks_normal_but_the_api_says_invalid_token(sandbox) -> None:
    r = http.post(
        sandbox.token_url(), data=token_form("edxtui-restricted-jwt", "restricted-jwt-secret")
    )
    body = r.json()
    assert r.status_code == 200 and body["expires_in"] == 3600 and body["token_type"] == "JWT"
    import jwt

    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["is_restricted"] is True and claims["exp"] - claims["iat"] == 3600
    api = get(sandbox, "catalogs/", {"Authorization": f"JWT {body['access_token']}"})
    assert (api.status_code, api.json()) == (401, {"detail": "Invalid token."})
    assert api.headers["www-authenticate"] == 'JWT realm="api"'


# --- 7. cold pages ---------------------------------------------------------------------------


def test_the_first_request_for_a_page_is_slow_later_ones_are_not(sandbox, auth) -> None:
    sandbox.faults.update(cold_pages=60)
    with pytest.raises(httpx.ReadTimeout):  # nothing within 0.3 s: the page is cold
        http.get(sandbox.api_root() + "catalogs/1/courses/", headers=auth, timeout=0.3)
    sandbox.faults.update(cold_pages=0.01)  # cuts the first wait short; the page is warm
    assert sandbox.counters.wait_until(lambda c: c.in_flight == 0)
    sandbox.faults.update(cold_pages=60)
    assert get(sandbox, "catalogs/1/courses/", auth, timeout=5).status_code == 200
    assert sandbox.counters.cold_pages == 1


def test_cold_pages_are_per_page_and_counted(sandbox, auth) -> None:
    sandbox.faults.update(cold_pages=0.01)
    for query in ("limit=5", "offset=0&limit=5", "limit=5&offset=0", "limit=5&offset=5"):
        assert get(sandbox, "catalogs/1/courses/?" + query, auth).status_code == 200
    # limit=5&offset=0 is offset=0&limit=5 in another order: the same cache entry.
    assert sandbox.counters.cold_pages == 3


# --- 8. old-style slash keys -----------------------------------------------------------------


def test_slash_keys_are_a_catalog_of_their_own_behind_the_switch(sandbox, auth) -> None:
    assert get(sandbox, "catalogs/", auth).json()["count"] == 6  # the default data is untouched
    assert get(sandbox, "catalogs/7/", auth).status_code == 404
    assert get(sandbox, "course_runs/MITx/6.002x/2012_Fall/", auth).status_code == 404
    sandbox.faults.update(slash_keys=True)
    catalogs = get(sandbox, "catalogs/", auth).json()
    assert catalogs["count"] == 7 and catalogs["results"][6]["name"].startswith("Old-style keys")
    courses = get(sandbox, "catalogs/7/courses/", auth).json()
    runs = [r["key"] for c in courses["results"] for r in c["course_runs"]]
    assert "MITx/6.002x/2012_Fall" in runs
    for key in runs:
        r = get(sandbox, f"course_runs/{key}/", auth)
        assert (r.status_code, r.json()["key"]) == (200, key)
    course = get(sandbox, "courses/MITx+6.002x/", auth).json()
    assert [r["key"] for r in course["course_runs"]] == [
        "MITx/6.002x/2012_Fall",
        "MITx/6.002x/2013_Spring",
    ]
    # courses/ routes a slash key (COURSE_ID_REGEX) but looks it up as written: no such course.
    assert get(sandbox, "courses/MITx/6.002x/", auth).json() == {"detail": "Not found."}


def test_a_slash_key_that_fails_discoverys_pattern_is_an_html_404(sandbox, auth) -> None:
    sandbox.faults.update(slash_keys=True)
    r = get(sandbox, "course_runs/MITx/6.002x/2012_Fall/extra/", auth)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    r = get(sandbox, "course_runs/MITx/6.002x/2099_Never/", auth)
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}


def test_every_switch_is_named_by_the_cli_syntax_and_the_control_api(sandbox) -> None:
    faults = Faults(**parse_cli_fault("search"), **parse_cli_fault("cold_pages=2.5"))
    assert faults.switches.search is True and faults.switches.cold_pages == 2.5
    snapshot = http.get(sandbox.base_url + "/_sandbox/faults").json()
    for name in ("http_links", "real_404s", "rate", "cold_pages", "search", "slash_keys",
                 "gateway", "gateway_drops_query", "ascii_json"):  # fmt: skip
        assert name in snapshot
    r = http.post(sandbox.base_url + "/_sandbox/faults", json={"gateway": "maybe"})
    assert r.status_code == 400 and "gateway must be true or false" in r.json()["error"]


def test_ascii_json_escapes_every_non_ascii_character_and_keeps_the_values(sandbox, auth) -> None:
    plain = get(sandbox, "catalogs/1/courses/?limit=40", auth)
    sandbox.faults.update(ascii_json=True)
    escaped = get(sandbox, "catalogs/1/courses/?limit=40", auth)
    assert escaped.status_code == 200 and escaped.content.isascii()
    assert not plain.content.isascii() and b"\\u" in escaped.content
    assert escaped.json() == plain.json()
    assert int(escaped.headers["content-length"]) == len(escaped.content)
