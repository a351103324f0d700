"""Copy to the clipboard two ways and say which worked.

Textual's `App.copy_to_clipboard` writes OSC 52, which works over SSH and in most terminals
(tmux needs `set -g set-clipboard on`) but gives no feedback. pyperclip talks to a local
clipboard tool (xclip, xsel, wl-copy, pbcopy, ...) and raises when there is none or no
display: that is normal on a headless machine, so it is caught and simply not reported.
"""

from __future__ import annotations

import base64

from textual.app import App

#: the largest OSC 52 payload (base64 bytes) we send. Terminals drop bigger ones without a
#: word: tmux passes at most about 1 MB of an escape sequence, and several terminals
#: (and older tmux, screen, some SSH multiplexers) stop near 100 KB, so the conservative
#: figure is the one a copy can rely on everywhere. Over it we say so instead of "copied".
OSC52_LIMIT = 100_000
#: what to suggest when a copy is too big for OSC 52 and no clipboard tool took it
TOO_BIG_HINT = "save it with s, or install a clipboard tool (xclip, xsel, wl-copy, pbcopy)"

# pyperclip's copy functions are named after their mechanism once it has picked one.
_MECHANISMS = {
    "copy_osx_pbcopy": "pbcopy",
    "copy_osx_pyobjc": "pyobjc",
    "copy_gtk": "gtk",
    "copy_qt": "qt",
    "copy_xclip": "xclip",
    "copy_xsel": "xsel",
    "copy_wl": "wl-copy",
    "copy_klipper": "klipper",
    "copy_windows": "windows",
    "copy_cygwin": "cygwin",
    "copy_wsl": "clip.exe",
}


def _pyperclip_copy(text: str) -> str | None:
    """Copy with pyperclip; the mechanism's name, or None when there is no usable clipboard."""
    try:
        import pyperclip

        pyperclip.copy(text)
        name = getattr(pyperclip.copy, "__name__", "")
        return _MECHANISMS.get(name, "pyperclip")
    except Exception:  # noqa: BLE001 - PyperclipException, FileNotFoundError, no display, ...
        return None


def osc52_size(text: str) -> int:
    """The bytes of base64 an OSC 52 sequence carries for `text`."""
    return len(base64.b64encode(text.encode("utf-8")))


def copy_text(app: App, text: str, what: str, *, use_system: bool | None = None) -> str:
    """Copy `text` and return a message like "copied the token via OSC 52 + xclip".

    `what` names the thing ("the token", "the body (4.2 KB)"); the text itself is never in
    the message, so a secret can be copied without being shown. Over OSC52_LIMIT nothing
    goes through OSC 52 (the terminal would drop it) and the message says so.
    """
    return copy_and_report(app, text, what, use_system=use_system)[0]


def copy_and_report(
    app: App, text: str, what: str, *, use_system: bool | None = None
) -> tuple[str, bool]:
    """`copy_text`'s message, and whether anything was copied at all."""
    fits = osc52_size(text) <= OSC52_LIMIT
    ways = []
    if fits:
        app.copy_to_clipboard(text)
        ways.append("OSC 52")
    if use_system is None:  # the app may switch the system clipboard off (tests, scripts)
        use_system = getattr(app, "use_system_clipboard", True)
    if use_system:
        mechanism = _pyperclip_copy(text)
        if mechanism:
            ways.append(mechanism)
    if fits:
        return f"Copied {what} via {' + '.join(ways)}", True
    limit = f"{OSC52_LIMIT // 1000} KB"
    if ways:
        return (
            f"Copied {what} via {ways[0]} only: too big for the terminal's clipboard "
            f"(OSC 52 carries about {limit})",
            True,
        )
    return (
        f"Not copied: {what} is too big for the terminal's clipboard (OSC 52 carries "
        f"about {limit}); {TOO_BIG_HINT}",
        False,
    )


def copy_and_notify(app: App, text: str, what: str) -> None:
    """Copy `text` and toast what happened: a warning when nothing could take it."""
    message, copied = copy_and_report(app, text, what)
    if copied:
        app.notify(message)
    else:
        app.notify(message, severity="warning", timeout=10)
