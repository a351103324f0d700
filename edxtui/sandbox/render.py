"""render_json(): JSON bytes exactly as Django REST framework renders them."""

from __future__ import annotations

import json
from typing import Any


def render_json(obj: Any) -> bytes:
    """JSON the way Django REST framework renders it: compact, UTF-8, U+2028/9 escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
