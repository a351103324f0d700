"""jwt.decode_unverified: display-only decoding that never crashes on junk."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edxtui.api.jwt import JwtDecodeError, decode_unverified, try_decode


def seg(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_decodes_header_and_claims_without_padding():
    token = f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg({'exp': 1700003600, 'name': 'é'})}.sig"
    header, claims = decode_unverified(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims == {"exp": 1700003600, "name": "é"}


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "empty"),
        ("onlyone", "1 dot-separated parts"),
        ("a.b", "2 dot-separated parts"),
        ("a.b.c.d", "4 dot-separated parts"),
        (f"{seg({'a': 1})}.!!!.sig", "claims is not valid base64url"),
        (f"{seg({'a': 1})}.a.sig", "claims is not valid base64url"),  # 1 char: impossible length
        (
            f"{base64.urlsafe_b64encode(b'nope').decode().rstrip('=')}.{seg({})}.s",
            "header is not valid JSON",
        ),
        (f"{seg([1, 2])}.{seg({})}.s", "header is not a JSON object"),
        (f"{seg({})}.{seg('text')}.s", "claims is not a JSON object"),
        (f"{seg({})}.{base64.urlsafe_b64encode(bytes([0xFF, 0xFE])).decode()}.s", "not valid JSON"),
    ],
)
def test_malformed_tokens_give_a_clear_reason(token, reason):
    with pytest.raises(JwtDecodeError, match=reason):
        decode_unverified(token)
    header, claims, error = try_decode(token)
    assert header is None and claims is None and reason in error


def test_error_never_contains_the_token():
    token = "SENTINELheader.SENTINELclaims!.SENTINELsig"
    _, _, error = try_decode(token)
    assert "SENTINEL" not in error


@given(st.text(max_size=300))
def test_any_text_decodes_or_fails_cleanly(text):
    header, claims, error = try_decode(text)
    assert (error is None) == (header is not None and claims is not None)
    if error is None:
        assert isinstance(header, dict) and isinstance(claims, dict)
