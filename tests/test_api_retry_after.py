"""One Retry-After parser (edxtui.api.retry.parse_retry_after) for the token and the API path.

Before, the token path read only delay-seconds (an HTTP date, which RFC 9110 allows, was
ignored), and the API path took "inf" for a 30 s wait and "-5" for none at all.
"""

from __future__ import annotations

import httpx
import pytest

from edxtui.api.errors import AuthError
from edxtui.api.retry import RetryPolicy, parse_retry_after
from edxtui.api.token_response import parse_token_response

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Fri, 15 Jan 2027 08:01:00 GMT", 60.0),  # IMF-fixdate
        ("Friday, 15-Jan-27 08:02:00 GMT", 120.0),  # RFC 850
        ("Fri Jan 15 08:00:30 2027", 30.0),  # asctime
        ("Thu, 01 Jan 2026 00:00:00 GMT", 0.0),  # a date in the past: go now
        ("-5", None),
        ("+5", None),
        ("inf", None),
        ("nan", None),
        ("1e3", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_delay_seconds_and_http_dates(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


def response(status: int, retry_after: str) -> httpx.Response:
    request = httpx.Request("GET", "https://lms.example.edu/oauth2/access_token")
    return httpx.Response(status, headers={"retry-after": retry_after}, request=request)


@pytest.mark.parametrize(
    "value", ["7", "Thu, 01 Jan 2026 00:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT", "-5", "inf"]
)
def test_the_token_path_and_the_api_path_read_retry_after_alike(value):
    with pytest.raises(AuthError) as info:
        parse_token_response(response(429, value))
    api = RetryPolicy().retry_after(response(429, value), capped=False)
    token = info.value.retry_after
    assert (token is None) == (api is None)
    if value.startswith("Fri, 01 Jan 2100"):
        assert token > 2_000_000_000 and api > 2_000_000_000  # decades ahead, whatever the clock
    else:
        assert token == api


def test_the_api_path_caps_the_wait():
    assert RetryPolicy(retry_after_cap=30).retry_after(response(429, "3600")) == 30.0
