"""render_json(): JSON bytes exactly as Django REST framework renders them."""

from __future__ import annotations

import json
import re
from typing import Any

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def render_json(obj: Any) -> bytes:
    """JSON the way Django REST framework renders it: compact, UTF-8, U+2028/9 escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def ascii_escaped(body: bytes) -> bytes:
    """JSON bytes with every non-ASCII character as a \\uXXXX escape (a surrogate pair past
    U+FFFF): what a server using json.dumps' default ensure_ascii sends. Outside strings JSON
    is ASCII, so the value is unchanged."""
    text = body.decode("utf-8")
    return _NON_ASCII.sub(lambda m: json.dumps(m.group())[1:-1], text).encode("ascii")
