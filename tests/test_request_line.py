"""The request bar's URL policy (edxtui.api.request_line): a path under the API root only."""

from __future__ import annotations

import pytest

from edxtui.api.errors import ConfigError, OriginError
from edxtui.api.request_line import relative, request_url

ROOT = "https://discovery.example.edu/api/v1/"


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("courses/?q=python&limit=5", ROOT + "courses/?q=python&limit=5"),
        ("/courses/", ROOT + "courses/"),
        (
            "course_runs/course-v1:MITx+6.00x+1T2025/",
            ROOT + "course_runs/course-v1:MITx+6.00x+1T2025/",
        ),
        ("course-v1:MITx+6.00x+1T2025", ROOT + "course-v1:MITx+6.00x+1T2025"),
        (ROOT + "programs/", ROOT + "programs/"),
        ("  catalogs/1/  ", ROOT + "catalogs/1/"),
    ],
)
def test_a_path_under_the_api_root_becomes_its_url(typed, url):
    assert request_url(typed, ROOT) == url
    assert relative(url, ROOT) == url[len(ROOT) :]


def test_another_origin_is_refused_with_one_line():
    with pytest.raises(OriginError) as caught:
        request_url("https://evil.example.com/api/v1/courses/", ROOT)
    assert "refusing to send the token to https://evil.example.com:443" in caught.value.message
    assert "\n" not in caught.value.message


@pytest.mark.parametrize(
    "typed",
    [
        "https://discovery.example.edu/admin/",
        "../../oauth2/access_token",
        "courses/../../../admin/",
        "",
        "courses/ x",
        "courses/#frag",
    ],
)
def test_outside_the_api_root_or_not_a_path_is_refused(typed):
    with pytest.raises(ConfigError):
        request_url(typed, ROOT)


def test_a_request_holding_a_secret_is_refused_without_showing_it():
    token = "eyJhbGciOiJIUzI1NiJ9.payload.signature"
    with pytest.raises(ConfigError) as caught:
        request_url(f"courses/?access_token={token}", ROOT, [token, None])
    assert token not in caught.value.message and "secret" in caught.value.message
