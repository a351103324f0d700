"""Clipboard: OSC 52 always, plus the system clipboard when pyperclip has one; says which."""

from __future__ import annotations

import pyperclip
from textual.app import App

from edxtui.tui.clipboard import copy_text


def test_headless_machine_reports_osc52_only(monkeypatch):
    def no_clipboard(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    app = App()
    message = copy_text(app, "secret-token-value", "the token")
    assert app.clipboard == "secret-token-value"
    assert message == "Copied the token via OSC 52"
    assert "secret-token-value" not in message


def test_a_working_clipboard_tool_is_named(monkeypatch):
    copied = []

    def copy_xclip(text: str) -> None:  # pyperclip names its functions after the mechanism
        copied.append(text)

    monkeypatch.setattr(pyperclip, "copy", copy_xclip)
    app = App()
    assert copy_text(app, "body", "the body (4 B)") == "Copied the body (4 B) via OSC 52 + xclip"
    assert copied == ["body"] and app.clipboard == "body"
    app.use_system_clipboard = False  # the app can switch the system clipboard off
    assert copy_text(app, "again", "the body") == "Copied the body via OSC 52"
    assert copied == ["body"]


def test_over_the_osc52_limit_only_a_system_tool_copies(monkeypatch):
    from edxtui.tui.clipboard import OSC52_LIMIT

    copied = []

    def copy_xclip(text: str) -> None:
        copied.append(text)

    big = "x" * OSC52_LIMIT  # 133 KB of base64
    monkeypatch.setattr(pyperclip, "copy", copy_xclip)
    app = App()
    message = copy_text(app, big, "the body (100 KB)")
    assert copied == [big] and app.clipboard != big  # not sent where it would be dropped
    assert message.startswith("Copied the body (100 KB) via xclip only: too big")
    app.use_system_clipboard = False
    message = copy_text(app, big, "the body (100 KB)")
    assert message.startswith("Not copied: the body (100 KB) is too big")
    assert "save it with s" in message
