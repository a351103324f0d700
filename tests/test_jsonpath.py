"""JSON paths (edxtui.jsonpath): one grammar for the catalog tree and the body viewer.

Before, the body viewer wrote `["a.b"]` for an awkward key while the tree read paths with
its own pattern (`\\.([^.\\[]+)|\\[(\\d+)\\]`), which could not read it back; and the
viewer's parser refused the `.ключ` the tree's pattern accepted. These tests hold both
to the one grammar (jq's).
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from test_tui_catalog_labels import exchange

from edxtui.jsonpath import format_path, index_step, key_step, parse_path, value_at
from edxtui.textsafe import is_safe
from edxtui.tui.widgets.body.document import JsonDocument
from edxtui.tui.widgets.catalog import nodes

AWKWARD_KEYS = ["a.b", "a b", "ключ", "[0]", 'q"uote', "", "1x", "x\u202ey", "back\\slash", "é"]


def test_the_grammar_is_jqs():
    assert format_path([]) == "."
    assert format_path(["results", 3, "key"]) == ".results[3].key"
    assert format_path(["_ok9", "a.b", "a b", ""]) == '._ok9["a.b"]["a b"][""]'
    assert format_path(["ключ"]) == '["ключ"]'  # jq identifiers are ASCII
    assert format_path(["x\u202ey"]) == '["x\\u202ey"]'  # never a raw bidi override
    assert parse_path('.results[3]["a b"].k') == ["results", 3, "a b", "k"]
    assert parse_path(".") == [] and parse_path("") == []
    for bad in (".results[x]", ".ключ", "results", ".a..b", '["open'):
        assert parse_path(bad) is None, bad


@given(st.lists(st.integers(min_value=0, max_value=10**6) | st.text(max_size=6), max_size=6))
def test_every_path_parses_back_and_is_safe_to_show(parts):
    path = format_path(parts)
    assert parse_path(path) == parts
    assert is_safe(path)


def test_the_tree_reads_every_path_the_body_viewer_writes():
    """The old tree pattern failed here: `["a.b"]`, `["a b"]`, `["ключ"]` were unreadable."""
    body = {"results": [{key: {"v": i} for i, key in enumerate(AWKWARD_KEYS)}]}
    ex = exchange(body, ident=1401)  # an id no other test uses: value_at caches by id
    doc = JsonDocument(ex.body).index_all()
    for line in range(len(doc)):
        path = doc.path(line)
        expected = json.loads(doc.data[slice(*doc.value_span(line))])
        assert nodes.value_at(ex, path) == expected, path
        assert value_at(body, parse_path(path)) == expected


def test_the_body_viewer_finds_every_path_the_tree_writes():
    body = {"results": [{"key": "A", "course_runs": [{"seats": [{"type": "audit"}]}]}]}
    doc = JsonDocument(json.dumps(body).encode()).index_all()
    course = nodes.child_info("course", body["results"][0], exchange(body, 1402), ".results[0]")
    # the tree's paths for the course's runs and a seat, built as the tree builds them
    runs = course.json_path + key_step(course.inline or "")
    seat = runs + index_step(0) + key_step("seats") + index_step(0)
    for path, value in ((runs, body["results"][0]["course_runs"]), (seat, {"type": "audit"})):
        line = doc.find_path(parse_path(path))
        assert line is not None and doc.path(line) == path
        assert json.loads(doc.value_text(line)) == value


def test_queries_iterate_with_brackets_as_jq_does():
    from edxtui.jsonpath import EACH, parse_query, query_error

    assert parse_query(".results[].key") == ["results", EACH, "key"]
    assert parse_query(".[]") == [EACH] and parse_query(".[0]") == [0]
    assert parse_query('.results.[2]["a b"]') == ["results", 2, "a b"]
    assert parse_query(".") == [] and parse_path(".results[].key") is None  # paths never iterate
    for bad in (".results[x]", "results", ".a..b", ".[", ".ключ"):
        assert parse_query(bad) is None, bad
        assert query_error(bad) and "\n" not in query_error(bad), bad
    assert query_error(".results[]") == ""


BODIES = [
    {"results": [{"key": "A", "runs": [1, 2]}, {"key": "B", "runs": []}, {"x": 1}], "count": 3},
    [{"a": {"b": [True, None]}}, 3, "s", {"a": {"b": [{}]}}],
    {"k": {"a b": [[1, 2], [3]], "": {"z": 0}}},
]
QUERIES = [
    ".results[].key",
    ".results[].runs[]",
    ".[]",
    ".[].a.b[0]",
    ".[][]",
    '.k["a b"][][]',
    '.k[""].z',
    ".results[5]",
    ".count[]",
    ".",
]


def test_the_body_viewer_reaches_what_the_parsed_json_reaches():
    from edxtui.jsonpath import parse_query, query_values
    from edxtui.tui.widgets.body.query import BodyQuery, query_lines

    for body in BODIES:
        doc = JsonDocument(json.dumps(body).encode()).index_all()
        for query in QUERIES:
            parts = parse_query(query)
            lines = query_lines(doc, parts)
            expected = query_values(body, parts)
            assert [
                json.loads(doc.value_text(line))
                if doc.data[doc.value_span(line)[0]] != 0x22
                else doc.value_text(line)
                for line in lines
            ] == expected, query
            q = BodyQuery()
            assert q.run(doc, query) == ""
            assert [json.loads(v) for v in q.json_lines(doc).splitlines()] == expected, query
