"""Copy to the clipboard two ways and say which worked.

Textual's `App.copy_to_clipboard` writes OSC 52, which works over SSH and in most terminals
(tmux needs `set -g set-clipboard on`) but gives no feedback. pyperclip talks to a local
clipboard tool (xclip, xsel, wl-copy, pbcopy, ...) and raises when there is none or no
display: that is normal on a headless machine, so it is caught and simply not reported.
"""

from __future__ import annotations

from textual.app import App

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


def copy_text(app: App, text: str, what: str, *, use_system: bool | None = None) -> str:
    """Copy `text` and return a message like "copied the token via OSC 52 + xclip".

    `what` names the thing ("the token", "the body (4.2 KB)"); the text itself is never in
    the message, so a secret can be copied without being shown.
    """
    app.copy_to_clipboard(text)
    ways = ["OSC 52"]
    if use_system is None:  # the app may switch the system clipboard off (tests, scripts)
        use_system = getattr(app, "use_system_clipboard", True)
    if use_system:
        mechanism = _pyperclip_copy(text)
        if mechanism:
            ways.append(mechanism)
    return f"Copied {what} via {' + '.join(ways)}"
