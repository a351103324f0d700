"""The tree view's fold state (edxtui.tui.widgets.body.folds): no Textual, no app."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from edxtui.tui.widgets.body.document import CLOSE, OPENS, JsonDocument
from edxtui.tui.widgets.body.folds import Folds

BODY = {"count": 2, "results": [{"key": "a", "runs": [1, 2]}, {"key": "b", "runs": []}]}


def folds_of(value: object, depth: int = 2) -> Folds:
    return Folds(JsonDocument(json.dumps(value).encode()).index_all(), depth)


def shown(folds: Folds) -> list[str]:
    return [
        "".join(t for t, _ in folds.doc.tree_tokens(line, folds.is_folded(line))).strip()
        for line in folds.rows
    ]


def test_containers_at_the_start_depth_start_folded():
    folds = folds_of(BODY)
    assert shown(folds) == [
        "▾ { 2 keys",
        "count: 2",
        "▾ results: [ 2 items",
        "▸ [0]: {…} 2 keys",
        "▸ [1]: {…} 2 keys",
    ]


def test_toggle_unfolds_and_folds_one_container_only():
    folds = folds_of(BODY)
    assert folds.toggle(3)  # unfold [0]
    assert shown(folds)[3:7] == [
        "▾ [0]: { 2 keys",
        'key: "a"',
        "▸ runs: […] 2 items",
        "▸ [1]: {…} 2 keys",
    ]
    assert not folds.toggle(3, fold=False)  # already unfolded: nothing changes
    assert not folds.toggle(1)  # a scalar does not fold
    assert folds.toggle(3, fold=True)
    assert len(folds) == 5


def test_left_and_right_keys():
    folds = folds_of(BODY)
    assert folds.right(3) == (True, 3)  # unfold
    assert folds.right(3) == (False, 4)  # into the first child
    assert folds.left(4) == (False, 3)  # a scalar: up to its parent
    assert folds.left(3) == (True, 3)  # fold
    assert folds.left(0) == (True, 0) and len(folds) == 1  # the root folds too
    assert folds.right(0) == (True, 0)
    empty = folds_of({"runs": []})
    assert empty.right(1) == (False, 1)  # an empty list has nothing to go into


def test_fold_all_unfold_to_and_shown_row():
    folds = folds_of(BODY)
    deep = folds.doc.find_path(["results", 0, "runs", 1])
    assert deep is not None and deep not in folds.rows  # hidden
    assert folds.shown_row(deep) == 3  # its nearest shown ancestor: [0]
    assert folds.unfold_to(deep) and folds.rows[folds.row_of(deep)] == deep
    assert not folds.unfold_to(deep)  # already shown
    folds.fold_all(10**9)
    assert len(folds) == sum(1 for k in folds.doc.kind if k != CLOSE)
    folds.fold_all(1)
    assert shown(folds) == ["▾ { 2 keys", "count: 2", "▸ results: […] 2 items"]


def test_arrow_span_is_where_the_arrow_is_drawn():
    folds = folds_of(BODY)
    start, end = folds.arrow_span(2)
    tokens = "".join(t for t, _ in folds.doc.tree_tokens(folds.rows[2], False))
    assert tokens[start:end] == "▾ "
    assert folds.arrow_span(1) == (0, 0)  # a scalar has none


JSON = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON, st.lists(st.integers(min_value=0, max_value=60), max_size=12), st.integers(1, 4))
def test_rows_after_any_toggles_are_what_a_fresh_walk_gives(value, toggles, depth):
    folds = folds_of(value, depth)
    for row in toggles:
        if row < len(folds):
            folds.toggle(row)
    doc, rows = folds.doc, list(folds.rows)
    # every shown line's ancestors are unfolded, and every line with unfolded ancestors shows
    expected = []
    for line in range(len(doc)):
        if doc.kind[line] == CLOSE:
            continue
        p, hidden = doc.parent[line], False
        while p >= 0:
            hidden = hidden or (doc.kind[p] in OPENS and folds.is_folded(p))
            p = doc.parent[p]
        if not hidden:
            expected.append(line)
    assert rows == expected


def test_folded_previews_are_plain_safe_and_within_their_room():
    import json

    from edxtui.textsafe import is_safe
    from edxtui.tui.widgets.body.preview import preview_tokens, with_preview

    body = {"o": {"t": "[b]x[/b]\x1b[2J\u202e", "n": 1, "a b": [1], "e": {}}, "l": list(range(500))}
    doc = JsonDocument(json.dumps(body).encode()).index_all()
    obj, arr = doc.find_path(["o"]), doc.find_path(["l"])
    text = "".join(t for t, _ in preview_tokens(doc, obj, 200))
    assert text == '{t: "[b]x[/b]\\u001b[2J\\u202e", n: 1, "a b": […], e: {}}'
    assert is_safe(text)
    for room in range(8, 60):
        for line in (obj, arr):
            shown = "".join(t for t, _ in preview_tokens(doc, line, room))
            assert len(shown) <= room and shown[-1] in "}]", (room, shown)
    assert preview_tokens(doc, obj, 7) is None  # no room: the row keeps its {…}
    row = with_preview(doc, arr, doc.tree_tokens(arr, True), 40)
    assert "".join(t for t, _ in row) == "  ▸ l: [0, 1, 2, 3, 4, 5, …] 500 items"
