"""What opens something rather than asking the API: the explorer (the default command,
with its --sandbox options) and `edxtui sandbox` (the server in the foreground)."""

from __future__ import annotations

import argparse
import gc
import os
from typing import Any

from edxtui.cli.exits import UsageError
from edxtui.cli.output import err


def add_tui_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="open the explorer on a built-in sandbox server (no credentials needed)",
    )
    parser.add_argument(
        "--profile", dest="tui_profile", metavar="NAME", help="open the explorer on this profile"
    )
    parser.add_argument(
        "--sandbox-expires-in",
        type=int,
        metavar="S",
        help="with --sandbox: token lifetime in seconds (e.g. 20 to watch refreshes)",
    )
    parser.add_argument(
        "--sandbox-layout",
        choices=("openedx", "edx"),
        help="with --sandbox: the Open edX layout (default) or the edX.org gateway's",
    )
    parser.set_defaults(func=cmd_tui)


def add_sandbox_parser(sub: Any, argv: list[str] | None) -> None:
    """The sandbox's own options are only loaded when `argv` asks for the sandbox (None
    means: always), which spares every other command importing uvicorn and starlette."""
    p = sub.add_parser("sandbox", help="run the sandbox server in the foreground")
    if argv is None or "sandbox" in argv:
        try:
            from edxtui.sandbox.cli import add_sandbox_arguments
        except ImportError:
            p.set_defaults(func=_no_sandbox)
            return
        add_sandbox_arguments(p)
        p.set_defaults(func=cmd_sandbox)


def _no_sandbox(args: argparse.Namespace) -> int:
    raise UsageError("the sandbox is not available in this installation")


def cmd_sandbox(args: argparse.Namespace) -> int:
    from edxtui.sandbox.cli import run_sandbox_command

    return run_sandbox_command(args)


def cmd_tui(args: argparse.Namespace) -> int:
    # Start-up allocates hundreds of thousands of objects (Textual, httpx, the styles) and
    # frees almost none; the cyclic collector's passes over them are ~12% of the time to
    # the first screen. EdxApp turns it back on once the first screen is up.
    gc.disable()
    options: dict[str, Any] = {}
    if args.sandbox_expires_in is not None:
        options["expires_in"] = args.sandbox_expires_in
    if args.sandbox_layout is not None:
        options["layout"] = args.sandbox_layout
    if options and not args.sandbox:
        raise UsageError("--sandbox-expires-in and --sandbox-layout need --sandbox")
    if args.sandbox:
        # Start the sandbox's child process first, before the config, Textual and the app
        # are imported, so its start-up overlaps theirs; run_app takes it over (and stops it).
        from edxtui.tui import sandbox_child

        sandbox_child.start_early(options)
    try:
        credentials, name = None, None
        if not args.sandbox:  # the sandbox brings its own credentials: no config to read
            from edxtui import config

            name = args.tui_profile or os.environ.get(config.ENV_PROFILE) or None
            warn = lambda line: err(f"warning: {line}")  # noqa: E731
            if name is not None:
                # A profile asked for by name must work, or the person hears why (exit 2).
                profile, credentials = config.resolve(name, warn=warn)
            else:
                try:
                    profile, credentials = config.resolve(None, warn=warn)
                    name = profile.name if profile.name != "(environment)" else None
                except config.ConfigError:
                    credentials = None  # nothing usable saved: the credentials screen opens
        from edxtui.tui.app import run_app

        if options:
            return run_app(
                credentials=None, profile_name=None, sandbox=True, sandbox_options=options
            )
        return run_app(credentials=credentials, profile_name=name, sandbox=args.sandbox)
    finally:
        if args.sandbox:
            sandbox_child.discard()  # only if run_app never took it
