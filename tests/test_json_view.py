"""JsonView driven through Textual's Pilot in a tiny host app."""

from __future__ import annotations

import json
import re

from textual.app import App, ComposeResult
from textual.widgets import Input

from edxtui.textsafe import is_safe
from edxtui.tui.widgets.body.view import JsonView

BODY = {
    "count": 2,
    "next": None,
    "results": [
        {"key": "edX+CS50", "title": "[bold]x[/bold]", "tags": ["a", "b"]},
        {"key": "edX+DS1", "title": "Data", "weird key": {"deep": True}},
    ],
}
RAW_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class Host(App):
    def __init__(self) -> None:
        super().__init__()
        self.copied: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield JsonView(id="jv")

    def on_json_view_copy_requested(self, message: JsonView.CopyRequested) -> None:
        self.copied.append((message.what, message.text))


def screen_lines(view: JsonView) -> list[str]:
    lines = view.query_one("#json-view-lines")
    return [lines.render_line(y).text for y in range(lines.size.height)]


def status(view: JsonView) -> str:
    return str(view.query_one("#json-view-status").render())


async def indexed(view: JsonView, pilot) -> None:
    """Wait until the body is indexed and wrapped (the worker starts after the first frame)."""
    for _ in range(2_000):  # a bound, so a stalled worker fails the test instead of hanging
        if (view._doc is None or view._doc.done) and (view._raw is None or view._raw.done):
            break
        await pilot.pause()
    else:
        raise AssertionError("the body was never fully indexed")
    await view.app.workers.wait_for_complete()
    await pilot.pause()


async def loaded(app: Host, pilot, body: bytes, ctype: str = "application/json") -> JsonView:
    view = app.query_one(JsonView)
    view.load(body, ctype)
    view.focus()
    await indexed(view, pilot)
    return view


async def test_pretty_view_cursor_paths_and_copy_messages():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await loaded(app, pilot, json.dumps(BODY).encode())
        assert view.is_json and view.mode == "pretty"
        assert screen_lines(view)[:2] == ["{".ljust(80), '  "count": 2,'.ljust(80)]
        assert view.selected_path() == "."
        await pilot.press("down", "down", "down", "down", "down")
        assert view.selected_path() == ".results[0].key"
        assert ".results[0].key" in status(view)
        await pilot.press("Y", "p", "ctrl+y")
        await pilot.pause()
        assert app.copied == [
            ("value", "edX+CS50"),
            ("path", ".results[0].key"),
            ("body", json.dumps(BODY)),
        ]
        await pilot.press("end")
        assert view.selected_path() == "."  # the closing brace belongs to the root
        await pilot.press("home", "pagedown")
        assert view.query_one("#json-view-lines").cursor > 10


async def test_markup_and_control_characters_are_never_sent_raw():
    body = '{"t": "[bold]x[/bold]", "c1": "\u009b2J", "ls": "a\u2028b", "esc": "\\u001b]52;c;AAAA\\u0007"}'
    app = Host()
    async with app.run_test(size=(80, 12)) as pilot:
        view = await loaded(app, pilot, body.encode())
        for mode in ("pretty", "tree", "raw"):
            view.mode = mode
            await pilot.pause()
            lines = screen_lines(view)
            text = "\n".join(lines)
            assert not any(RAW_UNSAFE.search(line) for line in lines), mode
            assert "[bold]x[/bold]" in text
            assert "\\x9b2J" in text and "\\u2028" in text
            for y in range(12):  # and no segment smuggles one through either
                strip = view.query_one("#json-view-lines").render_line(y)
                assert all(is_safe(seg.text) for seg in strip)
        # raw ESC in a body that is not JSON at all
        view = await loaded(app, pilot, b"\x1b]52;c;AAAA\x07 hello \x1b[2J\x85", "text/plain")
        assert not view.is_json and "text/plain" in view.note
        lines = screen_lines(view)
        assert "\\e]52;c;AAAA\\x07 hello \\e[2J\\x85" in lines[0]
        assert not any(RAW_UNSAFE.search(line) for line in lines)
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x85" not in svg


async def test_tree_view_folds_and_unfolds():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await loaded(app, pilot, json.dumps(BODY).encode())
        await pilot.press("m")
        assert view.mode == "tree"
        lines = [line.rstrip() for line in screen_lines(view) if line.strip()]
        assert lines == [
            "▾ { 3 keys",
            "    count: 2",
            "    next: null",
            "  ▾ results: [ 2 items",
            '    ▸ [0]: {key: "edX+CS50", title: "[bold]x[/bold]", tags: […]} 3 keys',
            '    ▸ [1]: {key: "edX+DS1", title: "Data", "weird key": {…}} 3 keys',
        ]
        await pilot.press("down", "down", "down", "down", "right")
        assert "▾ [0]: { 3 keys" in screen_lines(view)[4]
        assert (
            screen_lines(view)[7].rstrip() == '      ▸ tags: ["a", "b"] 2 items'
        )  # deeper: folded
        await pilot.press("right")  # into the first child
        assert view.selected_path() == ".results[0].key"
        await pilot.press("left")  # a scalar: up to its parent
        assert view.selected_path() == ".results[0]"
        await pilot.press("left")  # an open container: fold it
        assert '▸ [0]: {key: "edX+CS50", title' in screen_lines(view)[4]
        await pilot.press("enter")
        assert "▾ [0]" in screen_lines(view)[4]
        await pilot.press("C")
        assert [line.strip() for line in screen_lines(view) if line.strip()][1:] == [
            "count: 2",
            "next: null",
            "▸ results: [{…}, {…}] 2 items",
        ]
        await pilot.press("E")
        text = "\n".join(screen_lines(view))
        assert "deep: true" in text and '"weird key"' in text
        await pilot.click("#json-view-lines", offset=(4, 2))
        assert view.selected_path() == ".next"
        assert screen_lines(view)[4].startswith("    ▾ [0]")
        await pilot.click("#json-view-lines", offset=(4, 4))  # on the arrow: fold
        assert view.selected_path() == ".results[0]"
        assert screen_lines(view)[4].startswith('    ▸ [0]: {key: "edX+CS50"')
        await pilot.click("#json-view-lines", offset=(12, 4), times=2)  # double click: unfold
        assert screen_lines(view)[4].startswith("    ▾ [0]")


async def test_palette_commands_drive_the_view():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await loaded(app, pilot, json.dumps(BODY).encode())
        commands = {title: callback for title, _, callback in view.commands()}
        assert {"Search the body", "Next match", "Expand all", "Collapse all"} <= set(commands)
        commands["Switch body view"]()
        assert view.mode == "tree"
        commands["Copy value path"]()
        await pilot.pause()
        assert app.copied == [("path", ".")]


async def test_search_next_previous_wrap_in_each_view():
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await loaded(app, pilot, json.dumps(BODY).encode())
        await pilot.press("slash", *"edx+", "enter")
        assert view.selected_path() == ".results[0].key"
        assert "match 1/2" in status(view)
        await pilot.press("n")
        assert view.selected_path() == ".results[1].key"
        assert "match 2/2" in status(view)
        await pilot.press("n")
        assert view.selected_path() == ".results[0].key"  # wrapped
        assert "wrapped" in status(view)
        await pilot.press("N")
        assert view.selected_path() == ".results[1].key"
        view.mode = "tree"
        await pilot.press("C", "slash", *"deep", "enter")  # expands folded parents to reach it
        assert view.selected_path() == '.results[1]["weird key"].deep'
        assert "deep: true" in "\n".join(screen_lines(view))
        view.mode = "raw"
        await pilot.pause()
        assert view.search("DS1")
        cursor = view.query_one("#json-view-lines").cursor
        assert (
            "DS1" in screen_lines(view)[cursor - int(view.query_one("#json-view-lines").scroll_y)]
        )
        assert not view.search("no such thing")
        assert "no match" in status(view)


async def test_mode_switch_keeps_the_place_and_raw_wraps_long_lines():
    body = json.dumps({"items": [{"n": i, "s": "x" * 50} for i in range(200)]}).encode()
    app = Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view = await loaded(app, pilot, body)
        assert view.goto_path(".items[150].s")
        assert view.selected_path() == ".items[150].s"
        view.mode = "raw"
        await pilot.pause()
        lines = view.query_one("#json-view-lines")
        assert lines.virtual_size.height > len(body) // 60  # one long line, wrapped
        assert max(len(line.rstrip()) for line in screen_lines(view)) <= 60
        view.mode = "tree"
        await pilot.pause()
        assert view.selected_path() == ".items[150].s"
        view.mode = "pretty"
        await pilot.pause()
        assert view.selected_path() == ".items[150].s"
        assert not view.goto_path(".items[999]")


async def test_non_json_bodies_fall_back_to_raw_with_a_note():
    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        for body, ctype, note in [
            (b"", "", "Empty body"),
            (b"<html>\n<b>hi</b>\n</html>", "text/html", "text/html"),
            (b"a,b\n1,2", "text/csv", "text/csv"),
            (b'{"a": 1,}', "application/json", "Not valid JSON"),
            (b'{"a": "\xff"}', "application/json", "UTF-8"),
        ]:
            view = await loaded(app, pilot, body, ctype)
            assert not view.is_json and note in view.note
            assert str(view.query_one("#json-view-note").render()).startswith(view.note[:10])
            assert status(view).startswith("raw")
            assert view.selected_path() == ""
        assert [line.rstrip() for line in screen_lines(view)][:1] == ['{"a": "\\xff"}']
        await pilot.press("p")  # no path outside JSON: a warning, no copy message
        assert app.copied == []


async def test_big_body_shows_first_screen_then_indexes_in_a_worker():
    items = [{"id": i, "name": f"course {i}"} for i in range(3_000)]
    body = json.dumps({"results": items}, indent=1).encode()
    app = Host()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(JsonView)
        view.load(body, "application/json")
        assert not view._doc.done  # only the first screen was indexed inside load()
        view.mode = "tree"  # asked for before the index is complete: pretty until then
        assert "tree view when indexing finishes" in status(view)
        assert screen_lines(view)[0].startswith("{")
        await indexed(view, pilot)
        assert view._doc.done and view._doc.error is None
        assert screen_lines(view)[0].startswith("▾ { 1 key")
        assert view.goto_path(".results[2999].name")
        assert view.selected_value_text() == "course 2999"


async def test_a_later_error_in_a_big_body_switches_to_raw():
    body = json.dumps([{"i": i} for i in range(5_000)]).encode()[:-1] + b"oops"
    app = Host()
    async with app.run_test(size=(80, 20)) as pilot:
        view = await loaded(app, pilot, body)
        assert not view.is_json and "Not valid JSON" in view.note
        assert status(view).startswith("raw")
        assert screen_lines(view)[0].startswith('[{"i": 0}')


async def test_deep_nesting_renders_without_crashing():
    body = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    app = Host()
    async with app.run_test(size=(80, 20)) as pilot:
        view = await loaded(app, pilot, body)
        assert view.is_json
        view.mode = "tree"
        await pilot.press("E", "end")
        await pilot.pause()
        assert view.selected_path() == ".a" * 10_000
        assert "⋮" in "\n".join(screen_lines(view))


async def test_each_kind_of_token_has_its_own_style_and_the_cursor_a_background():
    app = Host()
    async with app.run_test(size=(60, 8)) as pilot:
        view = await loaded(app, pilot, b'{"k": "s", "n": 1, "b": true}')
        lines = view.query_one("#json-view-lines")
        strip = lines.render_line(1)  # '  "k": "s",'
        styles = {seg.text: seg.style for seg in strip if seg.text.strip()}
        key, colon, string, comma = (styles[t] for t in ('"k"', ": ", '"s"', ","))
        number = {seg.text: seg.style for seg in lines.render_line(2)}["1"]
        literal = {seg.text: seg.style for seg in lines.render_line(3)}["true"]
        colours = {s.color for s in (key, colon, string, number, literal)}
        assert len(colours) == 5 and colon.color == comma.color
        cursor_bg = {seg.style.bgcolor for seg in lines.render_line(0)}
        other_bg = {seg.style.bgcolor for seg in lines.render_line(1)}
        assert len(cursor_bg) == 1 and cursor_bg != other_bg


async def test_escape_closes_the_search_box_without_searching():
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = await loaded(app, pilot, json.dumps(BODY).encode())
        assert not view.query(Input)  # the box is mounted when first opened
        await pilot.press("slash")
        box = view.query_one("#json-view-search")
        assert box.display and app.focused is box
        await pilot.press(*"title", "escape")
        assert not box.display and app.focused is view.query_one("#json-view-lines")
        assert view.selected_path() == "." and "match" not in status(view)
        await pilot.press("escape")  # nothing to close: the key is not swallowed
        await pilot.pause()


async def test_copy_value_of_a_non_json_body_is_the_row_text():
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = await loaded(app, pilot, b"first line\nsecond \x1b line\n", "text/plain")
        assert view.mode == "pretty" and status(view).startswith("raw")
        await pilot.press("down", "Y")
        await pilot.pause()
        assert app.copied == [("value", "second \x1b line")]  # exact text; the app escapes it


async def test_goto_path_waits_for_the_index_of_a_big_body():
    body = json.dumps({"results": [{"id": i} for i in range(5_000)]}, indent=1).encode()
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(JsonView)
        view.load(body, "application/json")
        assert not view.goto_path(".results[4321].id")  # not indexed yet: remembered
        await indexed(view, pilot)
        assert view.selected_path() == ".results[4321].id"
        assert view.selected_value_text() == "4321"


async def test_copying_a_container_still_being_indexed_says_so():
    body = json.dumps({"results": [{"id": i} for i in range(5_000)]}, indent=1).encode()
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(JsonView)
        view.load(body, "application/json")
        view.focus()
        assert not view._doc.done and view.selected_path() == "."
        assert view.selected_value_text() == ""  # the root's end is not indexed yet
        view.action_copy_value()
        assert app.copied == []
        await indexed(view, pilot)
        await pilot.press("Y")
        await pilot.pause()
        assert app.copied == [("value", json.dumps(json.loads(body), indent=2))]


async def test_a_match_far_right_in_a_long_line_scrolls_into_view():
    body = json.dumps({"short": 1, "long": "x" * 300 + " needle " + "y" * 100, "end": "needle"})
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = await loaded(app, pilot, body.encode())
        lines = view.query_one("#json-view-lines")
        assert view.search("needle") and view.selected_path() == ".long"
        assert lines.scroll_x > 200
        await pilot.pause()
        row = lines.cursor - int(lines.scroll_y)
        assert "needle" in screen_lines(view)[row]
        assert view.next_match() and view.selected_path() == ".end"
        assert lines.scroll_x == 0


async def test_raw_view_of_a_big_json_body_finishes_wrapping_while_it_is_indexed(monkeypatch):
    import edxtui.tui.widgets.body.view as json_view
    import edxtui.tui.widgets.body.workers as workers

    monkeypatch.setattr(workers, "FIRST_SCREEN_SECONDS", 0.0)  # one raw step inside load()
    monkeypatch.setattr(json_view, "FIRST_LINES", 100)
    body = json.dumps([{"i": i, "s": "x" * 40} for i in range(5_000)], indent=1).encode()
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(JsonView)
        view.mode = "raw"
        view.load(body, "application/json")
        assert not view._doc.done and not view._raw.done  # both continue in workers
        await indexed(view, pilot)
        assert view._raw.done and view.is_json
        assert view.search('"i": 4999')
        assert view.selected_path() == "[4999].i"
