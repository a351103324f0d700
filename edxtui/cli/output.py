"""What the commands print: messages on stderr, bodies and JSON on stdout, all safe on a
terminal (control characters made visible) and free of the secrets this process knows."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from edxtui.cli import secrets
from edxtui.textsafe import json_escaped, visible

if TYPE_CHECKING:
    from edxtui.api.exchange import Exchange


def err(text: str) -> None:
    """One or two lines on stderr, secrets scrubbed, control characters made visible."""
    lines = [visible(line) for line in secrets.scrub_message(text).splitlines()]
    print("\n".join(f"edxtui: {line}" for line in lines), file=sys.stderr)


def stdout_bytes(data: bytes) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8", errors="replace"))
    else:
        buffer.write(data)
        buffer.flush()


def terminal_text(text: str) -> str:
    """Text for a terminal: line ends kept, a lone carriage return (which would let later
    text overwrite earlier text) and every other control character shown as an escape."""
    return json_escaped(text.replace("\r\n", "\n").replace("\r", "\\r"))


class TerminalWriter:
    """stdout for an export shown on a terminal: the data, minus its power over the terminal."""

    def write(self, text: str) -> int:
        return sys.stdout.write(terminal_text(text))

    def flush(self) -> None:
        sys.stdout.flush()


def pretty_json(data: Any) -> str:
    """Indented JSON, UTF-8 kept, yet safe on a terminal and still valid JSON.

    The unsafe characters json.dumps leaves raw are written as \\uXXXX escapes by
    textsafe.json_escaped, the helper the body viewer's paths use too.
    """
    return json_escaped(json.dumps(data, indent=2, ensure_ascii=False))


def print_head(exchange: Exchange) -> None:
    """The status line and the response headers, as the exchange log holds them (redacted)."""
    lines = [f"{exchange.http_version} {exchange.status} {exchange.reason}".rstrip()]
    lines += [f"{name}: {value}" for name, value in exchange.response_headers]
    text = "\r\n".join(visible(line) for line in lines) + "\r\n\r\n"
    sys.stdout.write(text if not sys.stdout.isatty() else text.replace("\r\n", "\n"))
    sys.stdout.flush()


def print_body(content: bytes, content_type: str, args: argparse.Namespace) -> None:
    """Pretty JSON on a terminal (or with --pretty), else the exact bytes. A terminal never
    gets raw control characters, not even with --raw: redirect to a file for the bytes."""
    tty = sys.stdout.isatty()
    pretty = args.pretty or (tty and not args.raw)
    if pretty and "json" in content_type.lower():
        try:
            data = json.loads(content)
        except (ValueError, RecursionError):
            pass
        else:
            print(pretty_json(data), flush=True)
            return
    if tty:
        text = content.decode("utf-8", errors="backslashreplace")
        print(terminal_text(text), flush=True)
        return
    stdout_bytes(content)
