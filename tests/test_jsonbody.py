"""jsonbody.loads: msgspec's speed, the json module's results (values and errors)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edxtui.api import jsonbody

# JSON values as the json module produces them, NaN and infinities and huge integers included
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


def same(a, b) -> bool:
    # NaN != NaN, so compare the JSON the two values print as (and their types, via repr)
    return json.dumps(a) == json.dumps(b) and repr(a) == repr(b)


@settings(max_examples=300)
@given(json_values, st.sampled_from(["utf-8", "utf-16", "utf-32", "str"]))
def test_same_values_as_the_json_module(value, encoding):
    text = json.dumps(value, ensure_ascii=False)
    body = text if encoding == "str" else text.encode(encoding, "surrogatepass")
    assert same(jsonbody.loads(body), json.loads(body))


@pytest.mark.parametrize(
    "body",
    [
        b"123456789012345678901234567890",  # past 64 bits: exact, not a float
        b"-9223372036854775809",
        b'{"id": 18446744073709551616, "n": 1e400}',  # an infinity: the json module's way
        b'"\\ud800"',  # a lone surrogate escape
        b'{"a": 1, "a": 2}',  # duplicate keys: the last one wins
        b"[NaN, -Infinity]",
    ],
)
def test_edge_cases_match(body):
    assert same(jsonbody.loads(body), json.loads(body))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"[1] x", ValueError),
        (b"", ValueError),
        (b'"\xff"', ValueError),  # not UTF-8
        (b"[" * 100_000 + b"]" * 100_000, RecursionError),
    ],
)
def test_same_errors_as_the_json_module(body, error):
    with pytest.raises(error):
        json.loads(body)
    with pytest.raises(error):
        jsonbody.loads(body)
