"""What a Textual app puts on the terminal, as text, for leak and escape checks.

The compositor's strips are what the driver writes; each Segment's text is the data part (the
driver adds its own escape sequences for colours and cursor moves, which are not data). So a
raw ESC or C1 byte in a segment's text would reach the terminal as is.
"""

from __future__ import annotations

import re

from textual.app import App

# The characters a terminal acts on: C0 (bar \n), ESC, DEL and C1.
TERMINAL_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def screen_segments(app: App) -> list[str]:
    """Every non-control segment text of the current screen, in order."""
    strips = app.screen._compositor.render_strips()
    return [seg.text for strip in strips for seg in strip if not seg.control]


def screen_lines(app: App) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(seg.text for seg in strip if not seg.control) for strip in strips]


def svg_text(svg: str) -> str:
    """The visible text of an SVG screenshot, tags dropped and entities decoded."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
