"""Every fault and counter, switched in-process and over the control API, over real HTTP."""

from __future__ import annotations

import threading
import time

import httpx
import jwt
import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui.sandbox import Faults, Rule, SandboxConfig, SandboxServer
from edxtui.sandbox.catalog_csv import CSV_COLUMNS
from edxtui.sandbox.faults import parse_cli_fault


def catalogs(sb: SandboxServer, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"JWT {token}"} if token else {}
    return http.get(sb.api_root() + "catalogs/", headers=headers)


def token_post(sb: SandboxServer) -> httpx.Response:
    return http.post(
        sb.token_url(),
        data={"grant_type": "client_credentials", "client_id": sb.client_id,
              "client_secret": sb.client_secret, "token_type": "jwt"},
    )  # fmt: skip


@pytest.fixture
def token(sandbox: SandboxServer) -> str:
    t = sandbox_token(sandbox)
    sandbox.counters.reset()
    return t


# --- counted rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", [7, 1, None])
def test_rate_limit_for_n_requests_then_normal(sandbox, token, retry_after) -> None:
    sandbox.faults.update(rate_limit={"count": 2, "retry_after": retry_after})
    for _ in range(2):
        r = catalogs(sandbox, token)
        assert r.status_code == 429
        if retry_after is None:
            assert "retry-after" not in r.headers
            assert r.json() == {"detail": "Request was throttled."}
        else:
            assert r.headers["retry-after"] == str(retry_after)
            unit = "second" if retry_after == 1 else "seconds"
            assert r.json() == {
                "detail": f"Request was throttled. Expected available in {retry_after} {unit}."
            }
    assert catalogs(sandbox, token).status_code == 200
    assert sandbox.counters.faults_applied == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_error_burst(sandbox, token, status) -> None:
    sandbox.faults.update(errors={"count": 3, "status": status})
    for _ in range(3):
        r = catalogs(sandbox, token)
        assert r.status_code == status
        assert r.headers["content-type"].startswith("text/html")
        assert str(status) in r.text
    assert catalogs(sandbox, token).status_code == 200


def test_api_faults_leave_the_token_endpoint_alone(sandbox) -> None:
    sandbox.faults.update(errors=-1)  # every api request
    assert token_post(sandbox).status_code == 200
    assert catalogs(sandbox, "x").status_code == 503
    assert sandbox.faults.snapshot()["rules"]["errors"]["count"] == -1


def test_token_scoped_errors(sandbox, token) -> None:
    sandbox.faults.update(errors={"count": 1, "status": 500, "scope": "token"})
    assert catalogs(sandbox, token).status_code == 200
    assert token_post(sandbox).status_code == 500
    assert token_post(sandbox).status_code == 200


def test_token_endpoint_throttled_as_a_403_html_page(sandbox, token) -> None:
    sandbox.faults.update(token_throttle=2)
    for _ in range(2):
        r = token_post(sandbox)
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("text/html")
        assert "403 Forbidden" in r.text
    assert catalogs(sandbox, token).status_code == 200
    assert token_post(sandbox).status_code == 200
    assert sandbox.counters.token_requests == 3
    assert sandbox.counters.token_successes == 1


@pytest.mark.parametrize("scope", ["api", "token"])
def test_body_that_is_not_json(sandbox, token, scope) -> None:
    sandbox.faults.update(not_json={"count": 1, "scope": scope})
    r = catalogs(sandbox, token) if scope == "api" else token_post(sandbox)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        r.json()


@pytest.mark.parametrize("scope", ["api", "token"])
def test_body_cut_short_of_its_content_length(sandbox, token, scope) -> None:
    sandbox.faults.update(truncate={"count": 1, "scope": scope})
    with pytest.raises(httpx.RemoteProtocolError):
        catalogs(sandbox, token) if scope == "api" else token_post(sandbox)
    assert catalogs(sandbox, token).status_code == 200  # the server is fine afterwards


def test_truncated_json_with_a_consistent_content_length(sandbox, token) -> None:
    sandbox.faults.update(truncate={"count": 1, "mode": "json"})
    r = catalogs(sandbox, token)
    assert r.status_code == 200
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.content.startswith(b'{"count":')
    with pytest.raises(ValueError):
        r.json()


def test_truncate_applies_to_streamed_csv_too(sandbox, token) -> None:
    sandbox.faults.update(truncate={"count": 1, "mode": "json"})
    r = http.get(sandbox.api_root() + "catalogs/5/csv/", headers={"Authorization": f"JWT {token}"})
    full = ",".join(CSV_COLUMNS) + "\r\n"
    assert full.startswith(r.text)
    assert 0 < len(r.text) < len(full)


@pytest.mark.parametrize("scope", ["api", "token"])
def test_dropped_connection(sandbox, token, scope) -> None:
    sandbox.faults.update(drop={"count": 1, "scope": scope})
    with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
        catalogs(sandbox, token) if scope == "api" else token_post(sandbox)
    assert catalogs(sandbox, token).status_code == 200


def test_any_scope_hits_both(sandbox, token) -> None:
    sandbox.faults.update(errors={"count": 2, "scope": "any", "status": 502})
    assert token_post(sandbox).status_code == 502
    assert catalogs(sandbox, token).status_code == 502
    assert catalogs(sandbox, token).status_code == 200


def test_the_first_rule_that_matches_wins_and_others_wait(sandbox, token) -> None:
    sandbox.faults.update(drop=1, rate_limit=1)
    with pytest.raises(httpx.RemoteProtocolError):
        catalogs(sandbox, token)
    assert catalogs(sandbox, token).status_code == 429
    assert catalogs(sandbox, token).status_code == 200


def test_after_lets_the_first_requests_through_then_the_rule_applies(sandbox, token) -> None:
    sandbox.faults.update(errors={"count": 2, "status": 500, "after": 2})
    statuses = [catalogs(sandbox, token).status_code for _ in range(5)]
    assert statuses == [200, 200, 500, 500, 200]
    assert parse_cli_fault("errors=-1:500:after=1")["errors"] == {
        "count": "-1",
        "status": "500",
        "after": "1",
    }


# --- settings ---------------------------------------------------------------------------------


def test_clock_skew_shifts_iat_and_exp(sandbox) -> None:
    sandbox.faults.update(clock_skew=-600, expires_in=300)
    before = time.time()
    claims = jwt.decode(sandbox_token(sandbox), options={"verify_signature": False})
    assert before - 602 <= claims["iat"] <= time.time() - 598
    assert claims["exp"] == claims["iat"] + 300


def test_skewed_server_still_accepts_its_own_fresh_tokens(sandbox) -> None:
    sandbox.faults.update(clock_skew=-7200)
    assert catalogs(sandbox, sandbox_token(sandbox)).status_code == 200


def test_api_latency_holds_api_requests_not_token_requests(sandbox, token) -> None:
    sandbox.faults.update(api_latency=60)
    done = threading.Event()
    threading.Thread(target=lambda: (catalogs(sandbox, token), done.set())).start()
    assert sandbox.counters.wait_until(lambda c: c.in_flight == 1, timeout=10)
    assert token_post(sandbox).status_code == 200  # answered while the API request waits
    assert not done.is_set()
    sandbox.faults.update(api_latency=0)  # switching it off frees the waiting request
    assert done.wait(10)
    assert sandbox.counters.in_flight == 0


def test_gates_line_up_concurrent_requests_and_peak_concurrency_counts_them(sandbox, token) -> None:
    sandbox.faults.update(hold_api=True)
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(catalogs(sandbox, token).status_code))
        for _ in range(5)
    ]
    for t in threads:
        t.start()
    assert sandbox.counters.wait_until(lambda c: c.held == 5, timeout=10)
    assert statuses == []  # all five are inside the server, none answered
    sandbox.faults.release()
    for t in threads:
        t.join(timeout=10)
    assert statuses == [200] * 5
    assert sandbox.counters.peak_concurrency == 5
    assert sandbox.counters.held == 0 and sandbox.counters.in_flight == 0


def test_hold_after_lets_that_many_through_a_closed_gate_first(sandbox, token) -> None:
    sandbox.faults.update(hold_api=True, hold_after=2)
    assert [catalogs(sandbox, token).status_code for _ in range(2)] == [200, 200]
    statuses: list[int] = []
    held = threading.Thread(target=lambda: statuses.append(catalogs(sandbox, token).status_code))
    held.start()
    assert sandbox.counters.wait_until(lambda c: c.held == 1, timeout=10)
    assert statuses == [] and sandbox.faults.snapshot()["hold_after"] == 0
    sandbox.faults.release()
    held.join(timeout=10)
    assert statuses == [200]


def test_token_gate_holds_token_requests_only(sandbox, token) -> None:
    sandbox.faults.update(hold_token=True)
    done = threading.Event()
    threading.Thread(target=lambda: (token_post(sandbox), done.set())).start()
    assert sandbox.counters.wait_until(lambda c: c.held == 1, timeout=10)
    assert catalogs(sandbox, token).status_code == 200  # the API is not held
    assert not done.is_set()
    sandbox.reset()  # a reset opens every gate
    assert done.wait(10)


def test_token_latency_holds_token_requests_not_api_requests(sandbox, token) -> None:
    sandbox.faults.update(token_latency=60)
    done = threading.Event()
    threading.Thread(target=lambda: (token_post(sandbox), done.set())).start()
    assert sandbox.counters.wait_until(lambda c: c.token_requests == 1, timeout=10)
    assert catalogs(sandbox, token).status_code == 200
    assert not done.is_set() and sandbox.counters.token_successes == 0
    sandbox.reset()  # a reset frees it too
    assert done.wait(10)


# --- counters ---------------------------------------------------------------------------------


def test_counters_count(sandbox) -> None:
    t = sandbox_token(sandbox)
    catalogs(sandbox, t)
    catalogs(sandbox, None)
    catalogs(sandbox, "garbage")
    c = sandbox.counters.snapshot()
    assert c["token_requests"] == c["token_successes"] == 1
    assert c["api_requests"] == 3
    assert c["unauthorized"] == 2
    assert c["invalid_token_requests"] == 1
    assert c["expired_token_requests"] == 0
    assert c["per_path"]["/api/v1/catalogs/"] == 3
    assert c["per_path"]["/oauth2/access_token"] == 1


def test_zero_lifetime_token_counts_as_expired(sandbox) -> None:
    sandbox.faults.update(expires_in=0)
    r = catalogs(sandbox, sandbox_token(sandbox))
    assert r.status_code == 401
    assert sandbox.counters.expired_token_requests == 1


# --- control API ------------------------------------------------------------------------------


def test_control_api_round_trip(sandbox, token) -> None:
    base = sandbox.base_url + "/_sandbox"
    r = http.post(base + "/faults", json={"expires_in": 5, "errors": {"count": 1, "status": 502}})
    assert r.status_code == 200
    assert r.json()["expires_in"] == 5
    assert r.json()["rules"]["errors"] == {
        "count": 1, "scope": "api", "status": 502, "retry_after": None, "mode": "short_body",
        "after": 0,
    }  # fmt: skip
    assert http.get(base + "/faults").json()["rules"]["errors"]["status"] == 502
    assert catalogs(sandbox, token).status_code == 502
    assert token_post(sandbox).json()["expires_in"] == 5
    counters = http.get(base + "/counters").json()
    assert counters["api_requests"] == 1 and counters["token_requests"] == 1
    reset = http.post(base + "/reset").json()
    assert reset["faults"]["rules"] == {} and reset["faults"]["expires_in"] == 3600
    assert reset["counters"]["api_requests"] == 0
    assert http.get(base + "/ping").json() == {"ok": True}


@pytest.mark.parametrize(
    "body",
    [{"nope": 1}, {"errors": {"status": 200}}, {"expires_in": "soon"}, {"errors": {"scope": "x"}},
     {"token_throttle": {"scope": "api"}}, {"api_latency": -1}, [1, 2], {"rate_limit": {"x": 1}},
     {"clock_skew": "nan"}, {"token_latency": "inf"}, {"errors": {"count": "many"}},
     {"rate_limit": {"retry_after": "soon"}}, {"truncate": {"mode": "half"}}, {"errors": "x"},
     {"links_origin": "ftp://x"}],
)  # fmt: skip
def test_control_api_rejects_bad_faults_with_a_message(sandbox, body) -> None:
    r = http.post(sandbox.base_url + "/_sandbox/faults", json=body)
    assert r.status_code == 400
    assert r.json()["error"]
    assert sandbox.faults.snapshot()["rules"] == {}


def test_control_api_rejects_non_json(sandbox) -> None:
    r = http.post(sandbox.base_url + "/_sandbox/faults", content=b"{oops")
    assert r.status_code == 400


def test_faults_from_the_constructor_config(make_sandbox) -> None:
    sb = make_sandbox(SandboxConfig(expires_in=42, faults={"errors": 1, "clock_skew": 5}))
    assert catalogs(sb, "x").status_code == 503
    assert token_post(sb).json()["expires_in"] == 42
    assert sb.faults.clock_skew == 5


def test_rules_from_python_objects() -> None:
    f = Faults()
    f.update(rate_limit=Rule(count=3, retry_after=2))
    assert f.take("token") is None
    name, rule = f.take("api")
    assert (name, rule.count, rule.retry_after) == ("rate_limit", 2, 2)
    f.update(rate_limit=None)
    assert f.take("api") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("errors=3:502", {"errors": {"count": "3", "status": "502"}}),
        ("rate_limit=2:retry_after=5", {"rate_limit": {"count": "2", "retry_after": "5"}}),
        ("drop=always:scope=token", {"drop": {"count": -1, "scope": "token"}}),
        ("not_json", {"not_json": True}),
        ("expires_in=5", {"expires_in": "5"}),
        ("api-latency=0.5", {"api_latency": "0.5"}),
    ],
)
def test_cli_fault_syntax(text, expected) -> None:
    assert parse_cli_fault(text) == expected
    Faults(**expected)  # and it validates


@pytest.mark.parametrize("how", ["python", "control-api"])
def test_a_reset_lets_requests_in_flight_finish_before_the_next_fault(sandbox, token, how) -> None:
    """A request still being served (its client may have given up on it) must not outlive the
    reset and take the one-shot fault the next test sets: a reset returns only once it is done."""
    sandbox.faults.update(hold_api=True, hold_token=True)
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(catalogs(sandbox, token).status_code)),
        threading.Thread(target=lambda: statuses.append(token_post(sandbox).status_code)),
    ]
    for t in threads:
        t.start()
    assert sandbox.counters.wait_until(lambda c: c.held == 2, timeout=10)
    if how == "python":
        sandbox.reset()  # opens the gates, then waits for both requests
    else:
        assert http.post(sandbox.base_url + "/_sandbox/reset").status_code == 200
    assert (sandbox.counters.in_flight, sandbox.counters.token_in_flight) == (0, 0)
    assert sandbox.counters.api_requests == 0  # counted before the reset, zeroed by it
    sandbox.faults.update(errors=1)
    assert catalogs(sandbox, token).status_code == 503  # the fault went to the next request
    for t in threads:
        t.join(timeout=10)
    assert sorted(statuses) == [200, 200]
