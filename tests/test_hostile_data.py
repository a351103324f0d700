"""Hostile data: property tests over everything that shows or parses untrusted API text.

Inputs: arbitrary JSON whose strings mix C0 and C1 controls, ESC sequences (CSI, OSC 52
clipboard writes, OSC 8 links), bidi overrides, line separators and Rich markup; arbitrary
bytes (invalid UTF-8 included); nesting 10,000 levels deep; strings of megabytes.

Properties: nothing raises (other than the documented error type), and no raw control or
reordering character from the data reaches the terminal: for the widgets the check is on
what Textual renders (the Segments of each rendered line, and the compositor's screen),
not on an intermediate string. Examples per property are moderate (see SETTINGS) and the
counts tried are reported in docs/reliability.md.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from screen_text import screen_segments
from textual.app import App, ComposeResult
from textual.widgets import Tree

from edxtui.api.catalog import Page, parse_page
from edxtui.api.errors import ResponseFormatError
from edxtui.api.jwt import JwtDecodeError, decode_unverified, try_decode
from edxtui.textsafe import visible, visible_bytes
from edxtui.tui.widgets.body.document import JsonDocument
from edxtui.tui.widgets.body.raw import RawRows
from edxtui.tui.widgets.body.view import JsonView
from edxtui.tui.widgets.catalog.nodes import item_label
from edxtui.tui.widgets.catalog.tree import CatalogTree

# What must never reach the terminal raw: C0 (bar newline/tab where lines are kept), DEL, C1,
# bidi embeddings/overrides/isolates, line/paragraph separators, BOM (textsafe's set).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")
UNSAFE_KEEP_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)

SETTINGS = settings(max_examples=150)
FEW = settings(max_examples=60)

NASTY = [
    "\x1b[31mred\x1b[0m",
    "\x1b]52;c;ZWNobyBvd25lZA==\x07",  # OSC 52: write the clipboard
    "\x1b]52;c;ZWNobyBvd25lZA==\x1b\\",
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # OSC 8: a forged link
    "\x9b2J",  # C1 CSI: clear screen on 8-bit terminals
    "\x9d0;title\x9c",  # C1 OSC ... ST
    "\x1b[2J\x1b[H",
    "\x1bP+q\x1b\\",  # DCS
    "\x07\x08\x7f\x00\r",
    "[bold]x[/bold]",
    "[link=https://evil.example]x[/link]",
    "[/]",
    "[@click=app.quit]x[/]",
    "\u202eevil\u202c",
    "\u2066\u2067\u2068\u2069",
    "\u2028\u2029\ufeff",
    "\U0001f600 \u0645\u0631\u062d\u0628\u0627 \u8bed\u8a00",
]
control_chars = st.characters(min_codepoint=0, max_codepoint=0x9F)
hostile_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(max_size=12), st.text(control_chars, max_size=6)),
    max_size=6,
).map("".join)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(hostile_text, inner, max_size=5),
    max_leaves=40,
)
hostile_bytes = st.lists(
    st.one_of(
        st.binary(max_size=40),
        st.sampled_from([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\x80\x9b\x9d", b"\x1b]52;"]),
        st.sampled_from(NASTY).map(str.encode),
        json_values.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
    ),
    max_size=5,
).map(b"".join)


def deep(depth: int, open_: str = "[", close: str = "]") -> bytes:
    return (open_ * depth + close * depth).encode()


def deep_object(depth: int) -> bytes:
    return ('{"a":' * depth + "null" + "}" * depth).encode()


# --- edxtui.textsafe.visible ------------------------------------------------------------------


@SETTINGS
@given(st.one_of(hostile_text, st.text()))
def test_visible_leaves_nothing_a_terminal_acts_on(text):
    shown = visible(text)
    assert not UNSAFE.search(shown)
    assert visible(shown) == shown  # idempotent: nothing left to escape
    kept = visible(text, keep_newlines=True)
    assert not UNSAFE_KEEP_LINES.search(kept)
    assert kept.count("\n") == text.count("\n")


@SETTINGS
@given(hostile_bytes)
def test_visible_bytes_never_raises_and_is_safe(data):
    assert not UNSAFE_KEEP_LINES.search(visible_bytes(data))


# --- the JWT decoder --------------------------------------------------------------------------

b64_segment = st.binary(max_size=60).map(
    lambda b: __import__("base64").urlsafe_b64encode(b).rstrip(b"=").decode()
)
json_segment = json_values.map(
    lambda v: (
        __import__("base64")
        .urlsafe_b64encode(json.dumps(v, ensure_ascii=False).encode())
        .rstrip(b"=")
        .decode()
    )
)
jwt_like = st.tuples(
    st.one_of(json_segment, b64_segment, hostile_text),
    st.one_of(json_segment, b64_segment, hostile_text),
    st.one_of(b64_segment, hostile_text),
).map(".".join)


@SETTINGS
@given(st.one_of(jwt_like, hostile_text, st.text()))
def test_jwt_decoder_returns_objects_or_a_safe_error(token):
    try:
        header, claims = decode_unverified(token)
    except JwtDecodeError as err:
        message = str(err)
        assert not UNSAFE.search(message)
        if len(token) >= 8:
            assert token not in message  # the token is never echoed
    else:
        assert isinstance(header, dict) and isinstance(claims, dict)
    header, claims, error = try_decode(token)
    assert (error is None) == (header is not None and claims is not None)


def test_jwt_decoder_on_a_10000_deep_claims_segment():
    import base64

    segment = base64.urlsafe_b64encode(deep(10_000)).rstrip(b"=").decode()
    header, claims, error = try_decode(f"{segment}.{segment}.sig")
    assert header is None and error is not None and "JSON" in error


# --- the pagination parser --------------------------------------------------------------------

envelopes = st.fixed_dictionaries(
    {},
    optional={
        "count": st.one_of(st.integers(min_value=-5, max_value=10**12), scalars, json_values),
        "next": st.one_of(st.none(), hostile_text, json_values),
        "previous": st.one_of(st.none(), hostile_text, json_values),
        "results": st.one_of(st.lists(json_values, max_size=4), json_values),
    },
)


@SETTINGS
@given(st.one_of(envelopes, json_values), hostile_text)
def test_parse_page_accepts_an_envelope_or_raises_a_safe_error(data, url):
    try:
        page = parse_page(data, url=url)
    except ResponseFormatError as err:
        assert not UNSAFE.search(err.message) and not UNSAFE.search(err.hint)
        assert err.hint  # says what to do
    else:
        assert isinstance(page, Page)
        assert isinstance(page.count, int) and page.count >= 0
        assert isinstance(page.results, list)
        assert all(link is None or isinstance(link, str) for link in (page.next, page.previous))


# --- the JSON document model ------------------------------------------------------------------


def check_document_lines(doc: JsonDocument, limit: int = 400) -> None:
    for i in range(min(len(doc), limit)):
        for text, _role in doc.pretty_tokens(i):
            assert not UNSAFE.search(text), (i, text)
        for folded in (False, True):
            for text, _role in doc.tree_tokens(i, folded):
                assert not UNSAFE.search(text), (i, text)
        assert not UNSAFE.search(doc.path(i))


@SETTINGS
@given(json_values, st.sampled_from([None, 0, 2]))
def test_document_of_any_json_is_safe_and_round_trips(value, indent):
    body = json.dumps(value, ensure_ascii=False, indent=indent).encode()
    doc = JsonDocument(body).index_all()
    assert doc.error is None, doc.error
    assert len(doc) >= 1
    check_document_lines(doc)
    copied = doc.value_text(0)  # a copy gives back exactly what came (a string: its text)
    assert (copied if isinstance(value, str) else json.loads(copied)) == value


@SETTINGS
@given(hostile_bytes, st.integers(min_value=1, max_value=120))
def test_document_and_raw_rows_of_any_bytes(data, width):
    doc = JsonDocument(data).index_all()  # never raises: invalid input sets doc.error
    if doc.error is None:
        check_document_lines(doc)
    else:
        assert not UNSAFE.search(doc.error)
    rows = RawRows(data, width).index_all()
    pieces = []
    for r in range(len(rows)):
        start, end = rows.span(r)
        pieces.append(data[start:end])
        assert not UNSAFE_KEEP_LINES.search(rows.row_text(r)) and "\n" not in rows.row_text(r)
    assert b"".join(pieces) == data.replace(b"\n", b"")  # every byte shown, once


@pytest.mark.parametrize(
    "body",
    [deep(10_000), b"[" * 10_000 + b"]" * 9_999, deep_object(10_000)],
    ids=["array", "unclosed-array", "object"],
)
def test_document_10000_levels_deep(body):
    doc = JsonDocument(body).index_all()
    if body == deep(10_000):
        assert doc.error is None and len(doc) == 19_999  # the innermost line is "[]"
        assert doc.path(9_999) == "[0]" * 9_999
    elif body.startswith(b'{"a"'):
        assert doc.error is None and len(doc) == 20_001
        assert doc.path(10_000) == ".a" * 10_000
    else:
        assert doc.error is not None
    check_document_lines(doc, limit=200)
    for i in (len(doc) - 1, len(doc) // 2):
        if 0 <= i < len(doc):
            doc.pretty_tokens(i)
            doc.tree_tokens(i, True)


def test_document_with_huge_strings():
    nasty = "".join(NASTY)
    value = {"k" * 300_000: nasty * 20_000, "list": [nasty * 1000] * 3}
    body = json.dumps(value, ensure_ascii=False).encode()
    assert len(body) > 4_000_000
    doc = JsonDocument(body).index_all()
    assert doc.error is None
    check_document_lines(doc)
    line = "".join(text for text, _ in doc.pretty_tokens(1))
    assert len(line) < 20_000  # drawn cut, with a note; the copy has it all
    assert json.loads(doc.value_text(0)) == value


# --- the tree labels --------------------------------------------------------------------------

KINDS = ["catalog", "course", "run", "seat", "program", "organization", "other"]
CONSOLE = Console(width=200, force_terminal=True, color_system="truecolor")


def rendered_segments(text: Text) -> list[str]:
    return [seg.text for seg in text.render(CONSOLE) if not seg.control]


LABEL_KEYS = ["name", "title", "key", "id", "courses_count", "course_runs", "start",
              "availability", "pacing_type", "type", "price", "currency", "status"]  # fmt: skip
items = st.one_of(json_values, st.dictionaries(st.sampled_from(LABEL_KEYS), json_values))


@settings(max_examples=100)
@given(st.sampled_from(KINDS), items)
def test_tree_label_of_any_item_is_plain_and_safe(kind, item):
    label = item_label(kind, item)
    assert isinstance(label, Text)
    assert "\n" not in label.plain
    for segment in rendered_segments(label):
        assert not UNSAFE.search(segment), segment
    # Markup in data stays literal: a "[bold]" in a title is text, not a style
    if isinstance(item, dict) and isinstance(item.get("title"), str) and kind == "course":
        assert visible(item["title"])[:10] in label.plain


@pytest.mark.parametrize("kind", KINDS)
def test_tree_label_of_a_value_nested_as_deep_as_json_allows(kind):
    """json.loads accepts ~990 levels; a label must not die turning that into text."""
    value = json.loads(deep(900))
    item = {"name": value, "title": value, "key": value, "type": value, "id": value}
    depth_used = 0

    def with_stack(n: int) -> Text:  # Textual calls the builder from deep inside its loop
        nonlocal depth_used
        depth_used = n
        return item_label(kind, item) if n == 0 else with_stack(n - 1)

    label = with_stack(150)
    assert depth_used == 0
    assert not UNSAFE.search(label.plain)


# --- the widgets, as Textual renders them -----------------------------------------------------


class LabelTree(Tree):
    """A plain Tree with the catalog tree's label processing (no session needed)."""

    process_label = CatalogTree.process_label


class Host(App):
    def compose(self) -> ComposeResult:
        yield JsonView(id="jv")
        yield LabelTree("root", id="tree")


def rendered_rows(view: JsonView, limit: int = 300) -> list[str]:
    """The segment texts of each row, through the widget's own line renderer."""
    lines = view._lines
    out = []
    for row in range(min(view.row_count(), limit)):
        out.extend(seg.text for seg in lines._row_strip(row) if not seg.control)
    return out


def check_view(view: JsonView, body: bytes, content_type: str) -> int:
    view.load(body, content_type)
    shown = 0
    for _ in range(3):  # pretty, tree, raw (a non-JSON body stays raw)
        for text in rendered_rows(view):
            assert not UNSAFE.search(text), text
            shown += 1
        assert not UNSAFE.search(view.note)
        view.action_cycle_mode()
    return shown


async def test_json_view_renders_hostile_bodies_safely():
    app = Host()
    tried = {"bodies": 0}
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(JsonView)

        @FEW
        @given(
            st.one_of(
                json_values.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
                hostile_bytes,
            ),
            st.sampled_from(["application/json", "text/html", "", "text/plain; charset=latin-1"]),
        )
        def renders_safely(body, content_type):
            tried["bodies"] += 1
            check_view(view, body, content_type)

        renders_safely()
        # Fixed extremes, then what the compositor actually puts on the screen.
        nasty = json.dumps({n: n for n in NASTY}, ensure_ascii=False).encode()
        for body in (deep(10_000), deep_object(10_000), nasty, "".join(NASTY).encode() * 100):
            assert check_view(view, body, "application/json") > 0
            await pilot.pause()
            for segment in screen_segments(app):
                assert not UNSAFE.search(segment), segment
    assert tried["bodies"] == 60


async def test_tree_widget_renders_hostile_labels_safely():
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(LabelTree)
        app.query_one(JsonView).display = False
        tree.root.expand()
        for n, text in enumerate(NASTY):
            item = {"title": text, "key": text, "name": text, "id": text, "type": text}
            for kind in KINDS:
                tree.root.add_leaf(item_label(kind, item))
            tree.root.add_leaf(text)  # a str label: process_label must not parse markup
            if n % 4 == 3:
                await pilot.pause()
                for segment in screen_segments(app):
                    assert not UNSAFE.search(segment), segment
        tree.clear()
        tree.root.add_leaf("[bold]x[/bold]")
        tree.root.add_leaf("\x1b]52;c;ZWNobyBvd25lZA==\x07")
        await pilot.pause()
        screen = "".join(screen_segments(app))
        assert "[bold]x[/bold]" in screen  # markup in data is shown, not applied
        assert "\\e]52;c;" in screen  # the OSC 52 attempt is visible as text


@pytest.mark.parametrize("depth", [900, 10_000])
async def test_explorer_shows_a_hostile_catalog_list_safely(sandbox, depth):
    """End to end: an API whose catalog names are escape sequences, markup and a list nested
    900 levels deep (json.loads still reads it) or 10,000 (it cannot: the group shows an
    error node instead); either way the explorer keeps working and draws only safe text."""
    from dataclasses import replace

    from fault_servers import ForeignServer, Reply
    from tui_helpers import group, open_explorer

    from edxtui.tui.app import EdxApp

    names: list[object] = [*NASTY, "(deep)"]
    body = json.dumps(
        {"count": len(names), "next": None, "previous": None,
         "results": [{"id": n, "name": name, "courses_count": n} for n, name in enumerate(names)]}
    ).encode()  # fmt: skip
    body = body.replace(b'"(deep)"', deep(depth))  # spliced in: too deep to build here

    with ForeignServer(lambda m, p: Reply(200, body, {"Content-Type": "application/json"})) as api:
        creds = replace(sandbox.credentials(), api_root=f"{api.base_url}/api/v1/")
        app = EdxApp(credentials=creds, profile_name="hostile", use_system_clipboard=False)
        async with app.run_test(size=(160, 50)) as pilot:
            await open_explorer(pilot)
            catalogs = group(app, "Catalogs")
            await pilot.pause()
            screen = screen_segments(app)
            for segment in screen:
                assert not UNSAFE.search(segment), segment
            shown = "".join(screen)
            if depth < 1000:
                assert [child.data.kind for child in catalogs.children] == ["catalog"] * len(names)
                assert "[bold]x[/bold]" in shown and "\\e]52;c;" in shown
            else:
                assert [child.data.kind for child in catalogs.children] == ["error"]
                assert "not JSON" in catalogs.children[0].label.plain
