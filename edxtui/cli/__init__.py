"""The `edxtui` command: the explorer by default, plus scriptable subcommands.

    edxtui [--sandbox | --profile NAME]      the TUI
    edxtui token [--header]                  a fresh access token, nothing else
    edxtui get PATH_OR_URL [-i] [--all-pages] [--param k=v ...]
    edxtui export CATALOG_ID [--format jsonl|json|csv] [-o FILE]
    edxtui sandbox [...]                     the sandbox server in the foreground
    edxtui profile list|show|save|delete

Exit codes: 0 ok, 1 an HTTP or auth error (or a file that could not be written), 2 a usage
or configuration error, 130 when interrupted (Ctrl-C), 129 on SIGHUP, 143 on SIGTERM.
Errors are one or two lines on stderr, never a traceback (EDXTUI_DEBUG=1 shows one for
unexpected failures). The client secret never comes from a command-line flag, and
neither it nor the access token is ever printed except by `edxtui token`.

One module per concern: parser (the strict Parser), exits, secrets (what no message may
carry), output (what is printed, and how), connection (the network commands' flags and
Session), and one per command group: get (token, get), export, profile, launch (the
explorer, the sandbox server). Each command module imports only what is cheap at the top
and the rest inside its command, so `edxtui --sandbox` starts its child before config,
httpx or Textual load.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from edxtui import __version__
from edxtui.api.errors import EdxError
from edxtui.cli import launch, secrets
from edxtui.cli.exits import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Signalled,
    signals_unwind,
)
from edxtui.cli.output import err
from edxtui.cli.parser import Parser

_SECRET_FLAG_HINT = (
    "there is no --client-secret flag: a command line is visible to every user (ps)",
    "use --client-secret-file FILE ('-' for stdin), EDXTUI_CLIENT_SECRET, or a saved profile",
)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; each command's flags come from its module. `argv` decides
    whether the sandbox's options load (launch.add_sandbox_parser)."""
    parser = Parser(
        prog="edxtui",
        description="A terminal explorer for the edX Course Catalog API. "
        "Without a command it opens the explorer.",
        epilog="Exit codes: 0 ok, 1 HTTP or auth error, 2 usage or configuration error.",
    )
    parser.add_argument("--version", action="version", version=f"edxtui {__version__}")
    launch.add_tui_options(parser)
    if not _may_name_a_command(argv):
        return parser  # `edxtui --sandbox`: the explorer's own flags are the whole line
    # The commands' modules too: the explorer's flags alone need none of them.
    from edxtui.cli import export, get, profile

    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    get.add_parsers(sub)  # token, get
    export.add_parser(sub)
    launch.add_sandbox_parser(sub, argv)
    profile.add_parser(sub)
    return parser


def _may_name_a_command(argv: list[str] | None) -> bool:
    """Whether the commands' parsers are needed: a word on the line may name one (or be a
    flag's value: then they are built for nothing), or help is asked for. Not for the
    explorer's flags alone: building nine parsers was ~2 ms of a launch that counts them."""
    if argv is None:
        return True
    return any(not arg.startswith("-") or arg in ("-h", "--help") for arg in argv)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (never raises, never prints a traceback)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if any(a == "--client-secret" or a.startswith("--client-secret=") for a in argv):
        err("\n".join(_SECRET_FLAG_HINT))
        return EXIT_USAGE
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, usage errors
        code = exit_.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_USAGE)
    # The explorer handles its own keys and signals; every other command unwinds on TERM/HUP.
    unwind = contextlib.nullcontext() if args.func is launch.cmd_tui else signals_unwind()
    try:
        with unwind:
            return int(args.func(args) or 0)
    except EdxError as error:
        err(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except Signalled as signalled:
        print(file=sys.stderr)
        return signalled.exit_code
    except BrokenPipeError:
        # The reader went away (`edxtui get ... | head`): stop quietly.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_ERROR
    except Exception as exc:  # a bug: one line, no traceback unless asked for
        if os.environ.get("EDXTUI_DEBUG"):
            import traceback

            sys.stderr.write(secrets.scrub_message(traceback.format_exc()))
        # Scrubbed before it is cut: a cut-off secret no longer matches the scrub.
        first = secrets.scrub_message(str(exc)).splitlines()[0] if str(exc) else ""
        detail = f": {first[:200]}" if first else ""
        err(
            f"internal error: {type(exc).__name__}{detail}; "
            "rerun with EDXTUI_DEBUG=1 for a traceback"
        )
        return EXIT_ERROR
    finally:
        # Forget this run's secrets (and the sessions holding tokens) once it is reported.
        secrets.forget()
