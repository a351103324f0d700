"""Catalog tree labels and paths from API objects: null-safe, literal, pointing into the body."""

from __future__ import annotations

import json

from edxtui.api.errors import ApiError, TransportError
from edxtui.api.exchange import Exchange
from edxtui.tui.widgets.catalog.nodes import child_info, error_text, item_label, value_at


def exchange(body: object, ident: int = 1) -> Exchange:
    return Exchange(
        id=ident,
        kind="api",
        method="GET",
        url="https://x/api/v1/catalogs/",
        request_headers=[],
        request_body=b"",
        started_at=0.0,
        status=200,
        body=json.dumps(body).encode(),
    )


def test_labels_survive_nulls_and_odd_types():
    assert item_label("course", {"title": None, "key": None}).plain.startswith("(untitled)")
    assert item_label("catalog", {"name": None, "id": 7, "courses_count": 2600}).plain == (
        "(no name)  #7  2,600 courses"
    )
    assert item_label("seat", {"type": "verified", "price": "49.00", "currency": "USD"}).plain == (
        "verified  49.00 USD"
    )
    assert item_label("course", "just a string").plain == "just a string"
    assert item_label("run", {"key": "k", "start": 12345}).plain == "k"


def test_labels_show_markup_and_escapes_literally():
    label = item_label("course", {"title": "[bold]x[/bold] \x1b]52;c;AAAA\x07", "key": "k"})
    assert label.plain.startswith("[bold]x[/bold] \\e]52;c;AAAA\\x07")
    assert not any("bold" in str(span.style) for span in label.spans)  # not applied


def test_children_point_into_their_page_body():
    body = {
        "count": 1,
        "results": [
            {
                "key": "A+1",
                "title": "T",
                "course_runs": [{"key": "run1", "seats": [{"type": "audit"}]}],
            }
        ],
    }
    ex = exchange(body)
    course = child_info("course", body["results"][0], ex, ".results[0]")
    assert course.inline == "course_runs" and course.child_kind == "run"
    assert course.item["key"] == "A+1"  # read back from the body, not kept parsed
    assert value_at(ex, ".results[0].course_runs[0].seats[0].type") == "audit"
    assert value_at(ex, ".results[5]") is None and value_at(None, ".x") is None
    catalog = child_info("catalog", {"id": "a/b", "courses_count": 3}, ex, ".results[0]")
    assert catalog.path == "catalogs/a%2Fb/courses/" and catalog.count == 3
    assert child_info("catalog", {"id": ".."}, ex, ".results[0]").path is None


def test_error_reasons():
    forbidden = ApiError("forbidden", status=403, url="u", detail="You do not have permission.")
    assert error_text(forbidden) == ("403 forbidden: You do not have permission.", False)
    assert error_text(ApiError("nf", status=404, url="u"))[1] is True
    assert error_text(TransportError("connection refused by h:1")) == (
        "connection refused by h:1",
        False,
    )
    assert error_text(RuntimeError("boom")) == ("unexpected RuntimeError", False)


def test_value_at_reads_the_exchange_it_is_given_when_ids_repeat():
    # Each session's log numbers its exchanges from 1: after connecting again, exchange 1
    # is another request, and value_at must not answer from the old one's parsed body.
    old, new = (
        exchange({"results": [{"key": "old"}]}, 77),
        exchange({"results": [{"key": "new"}]}, 77),
    )
    assert value_at(old, ".results[0].key") == "old"
    assert value_at(new, ".results[0].key") == "new"
