"""The body viewer's status line (edxtui.tui.widgets.body.status): plain text from the rows."""

from __future__ import annotations

import json

from edxtui.tui.widgets.body.rows import BodyRows
from edxtui.tui.widgets.body.status import status_line


def indexed(data: object) -> BodyRows:
    rows = BodyRows(json.dumps(data).encode(), "application/json")
    while not rows.index_step(1_000):
        pass
    return rows


def test_pretty_view_shows_line_and_the_cursor_path():
    rows = indexed({"results": [{"key": "a"}]})
    line = status_line(rows, "pretty", 3)
    assert line.startswith("pretty  ·  line 4/")
    assert line.endswith(".results[0].key")


def test_a_cursor_past_the_end_counts_as_the_last_line():
    rows = indexed([1, 2])
    count = rows.count("pretty")
    assert f"line {count}/{count}" in status_line(rows, "pretty", count + 10)


def test_a_body_still_indexing_says_so_and_the_tree_waits():
    rows = BodyRows(json.dumps(list(range(5_000))).encode(), "application/json")
    rows.index_step(10)
    line = status_line(rows, "tree", 0)
    assert line.startswith("pretty")  # the tree shows once indexing is done
    assert "indexing… " in line and "tree view when indexing finishes" in line


def test_not_json_is_raw_without_a_path_and_with_the_search_note():
    rows = BodyRows(b"<html>\x1b[31m</html>", "text/html")
    rows.wrap_step(80, 1.0)
    line = status_line(rows, "pretty", 0, "match 1/2")
    assert line == "raw  ·  match 1/2  ·  line 1/1"  # the note first: a long path can't hide it


def test_a_path_from_the_body_is_shown_with_control_characters_visible():
    rows = indexed({"a\x1b[2Jb": 1})
    line = status_line(rows, "pretty", 1)
    assert line.endswith('["a\\u001b[2Jb"]') and "\x1b" not in line
