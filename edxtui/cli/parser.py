"""The command line's parser class: no abbreviations, and no value echoed back."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

from edxtui.cli.exits import EXIT_USAGE

# argparse's "invalid choice: 'X'" and "invalid int value: 'X'" quote what was typed.
_ECHOED_VALUE = re.compile(
    r"""(invalid (?:choice|[\w ]+ value)): (?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No abbreviations: `--client-secret X` must not pass as `--client-secret-file X`.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # argparse's hook; exits with 2
        # Never echo a value back: a mistyped flag's value may be a secret.
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            flags = [a for a in message[len(prefix) :].split() if a.startswith("-")]
            message = prefix + (" ".join(flags) if flags else "(values not shown)")
        message = _ECHOED_VALUE.sub(r"\1", message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"edxtui: {message}\ntry '{self.prog} --help'\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
