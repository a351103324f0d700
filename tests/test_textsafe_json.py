"""One set of terminal-unsafe characters (edxtui.textsafe), one JSON-escaping helper.

`edxtui get`'s pretty printer (cli.pretty_json) and the body viewer's paths
(jsonpath / textsafe.json_quote) each kept their own copy of the set. Now both call
textsafe.json_escaped; these tests hold the output of each to exactly textsafe's set.
"""

from __future__ import annotations

import json

from edxtui.cli.output import pretty_json
from edxtui.jsonpath import format_path
from edxtui.textsafe import is_safe, json_escaped, json_quote

# Every code point up to U+3000 (all of C0, C1, the bidi and separator blocks) and the BOM.
CHARS = [chr(c) for c in range(0x3000)] + ["\ufeff", "\U0001f600"]


def test_json_output_escapes_exactly_the_unsafe_characters():
    for char in CHARS:
        for text in (pretty_json({"k": char}), json_quote(char), format_path([char])):
            lines_ok = text.replace("\n", "")  # pretty JSON's own line breaks
            assert is_safe(lines_ok), (hex(ord(char)), text)
        quoted = json_quote(char)
        assert json.loads(quoted) == char  # still the same JSON value
        assert json.loads(pretty_json([char])) == [char]
        if is_safe(char) and char not in '"\\':
            assert quoted == f'"{char}"', hex(ord(char))  # safe text stays readable


def test_json_escaped_keeps_the_layout_and_the_value():
    text = json.dumps({"a": "x\u0085\u202e\u2028y"}, indent=2, ensure_ascii=False)
    escaped = json_escaped(text)
    assert escaped.count("\n") == text.count("\n")
    assert "\\u0085\\u202e\\u2028" in escaped
    assert json.loads(escaped) == json.loads(text)


def test_json_unicode_decoded_decodes_printable_escapes_only():
    from edxtui.textsafe import json_unicode_decoded

    assert json_unicode_decoded('"\\u041f\\u0440\\u043e"') == '"Про"'
    assert json_unicode_decoded('"\\ud83d\\ude00"') == '"😀"'  # a surrogate pair
    # Kept: controls, bidi, separators, the BOM, a quote, a backslash, a lone surrogate.
    for kept in ("\\u001b", "\\u202e", "\\u2028", "\\ufeff", "\\u0022", "\\u005c", "\\ud83d"):
        assert json_unicode_decoded(f'"a{kept}b"') == f'"a{kept}b"'
    # An escaped backslash followed by "u0041" is not an escape; a cut-off escape stays.
    assert json_unicode_decoded('"\\\\u0041"') == '"\\\\u0041"'
    assert json_unicode_decoded('"ab\\u04') == '"ab\\u04'
    # The result is the same JSON value.
    literal = json.dumps('Про \u202e "q" \\ 😀 \n')
    assert json.loads(json_unicode_decoded(literal)) == json.loads(literal)


def test_steady_width_drops_a_widening_variation_selector_only():
    from edxtui.textsafe import steady_width

    assert steady_width("Chemistry ⚗\ufe0f!") == "Chemistry ⚗!"  # narrow + VS16: dropped
    assert steady_width("❤\ufe0f") == "❤"
    assert steady_width("🍳\ufe0f") == "🍳\ufe0f"  # already two cells: kept
    assert steady_width("plain") == "plain"
