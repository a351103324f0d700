"""The `edxtui` command: the explorer by default, plus scriptable subcommands.

    edxtui [--sandbox | --profile NAME]      the TUI
    edxtui token [--header]                  a fresh access token, nothing else
    edxtui get PATH_OR_URL [-i] [--all-pages] [--param k=v ...]
    edxtui export CATALOG_ID [--format jsonl|json|csv] [-o FILE]
    edxtui sandbox [...]                     the sandbox server in the foreground
    edxtui profile list|show|save|delete

Exit codes: 0 ok, 1 an HTTP or auth error, 2 a usage or configuration error, 130 when
interrupted. Errors are one or two lines on stderr, never a traceback (EDXTUI_DEBUG=1 shows
one for unexpected failures). The client secret never comes from a command-line flag, and
neither it nor the access token is ever printed except by `edxtui token`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from edxtui import __version__
from edxtui.api.errors import EdxError
from edxtui.api.redaction import scrub_text
from edxtui.textsafe import json_escaped, visible

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(EdxError):
    """A command line that cannot work as given."""

    exit_code = EXIT_USAGE


class _Secrets:
    """Every secret this process learned, so no message can carry one by accident."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.sources: list[Callable[[], str | None]] = []

    def scrub(self, text: str) -> str:
        values = set(self.values)
        for source in self.sources:
            try:
                value = source()
            except Exception:
                value = None
            if value:
                values.add(value)
        return scrub_text(text, values)


_secrets = _Secrets()


def _err(text: str) -> None:
    """One or two lines on stderr, secrets scrubbed, control characters made visible."""
    lines = [visible(line) for line in _secrets.scrub(text).splitlines()]
    print("\n".join(f"edxtui: {line}" for line in lines), file=sys.stderr)


# ---------------------------------------------------------------------------------------
# Parser


# argparse's "invalid choice: 'X'" and "invalid int value: 'X'" quote what was typed.
_ECHOED_VALUE = re.compile(
    r"""(invalid (?:choice|[\w ]+ value)): (?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
)

_SECRET_FLAG_HINT = (
    "there is no --client-secret flag: a command line is visible to every user (ps)",
    "use --client-secret-file FILE ('-' for stdin), EDXTUI_CLIENT_SECRET, or a saved profile",
)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No abbreviations: `--client-secret X` must not pass as `--client-secret-file X`.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # argparse's hook; exits with 2
        # Never echo a value back: a mistyped flag's value may be a secret.
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            flags = [a for a in message[len(prefix) :].split() if a.startswith("-")]
            message = prefix + (" ".join(flags) if flags else "(values not shown)")
        message = _ECHOED_VALUE.sub(r"\1", message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"edxtui: {message}\ntry '{self.prog} --help'\n")


def _add_connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection (flags > EDXTUI_* environment > profile)")
    group.add_argument("--profile", metavar="NAME", help="saved profile or preset to use")
    group.add_argument("--token-url", metavar="URL", help="OAuth2 token endpoint")
    group.add_argument("--api-url", metavar="URL", help="catalog API root, e.g. .../api/v1/")
    group.add_argument("--client-id", metavar="ID", help="OAuth2 client id")
    group.add_argument(
        "--client-secret-file",
        metavar="FILE",
        help="read the client secret from FILE ('-' for stdin); never pass it as a flag",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print one line per HTTP exchange to stderr (tokens never shown)",
    )


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line. The sandbox's own options are only loaded when `argv` asks
    for the sandbox (None means: always), which spares every other command importing
    uvicorn and starlette."""
    parser = _Parser(
        prog="edxtui",
        description="A terminal explorer for the edX Course Catalog API. "
        "Without a command it opens the explorer.",
        epilog="Exit codes: 0 ok, 1 HTTP or auth error, 2 usage or configuration error.",
    )
    parser.add_argument("--version", action="version", version=f"edxtui {__version__}")
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
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("token", help="print a fresh access token (nothing else)")
    p.add_argument("--header", action="store_true", help="print 'JWT <token>' for a header")
    _add_connection_options(p)
    p.set_defaults(func=cmd_token)

    p = sub.add_parser(
        "get",
        help="GET a path or URL and print the JSON body",
        description="GET a path (relative to the API root) or an absolute URL under the API "
        "root, and print the body: pretty JSON on a terminal, the exact bytes otherwise.",
    )
    p.add_argument("path", metavar="PATH_OR_URL", help="e.g. catalogs/ or catalogs/1/courses/")
    p.add_argument(
        "-i", "--include", action="store_true", help="print the status line and headers too"
    )
    p.add_argument(
        "--all-pages",
        action="store_true",
        help="follow 'next' and print every page's results as one JSON array",
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help="add a query parameter (repeatable)",
    )
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--raw", action="store_true", help="print the body's exact bytes")
    shape.add_argument("--pretty", action="store_true", help="pretty-print JSON even to a pipe")
    _add_connection_options(p)
    p.set_defaults(func=cmd_get)

    p = sub.add_parser(
        "export",
        help="write every course of a catalog to a file (jsonl, json or csv)",
        description="Fetch every course of a catalog with bounded concurrency and write each "
        "exactly once. The file is written atomically: a failure leaves no partial file.",
    )
    p.add_argument("catalog_id", metavar="CATALOG_ID")
    p.add_argument(
        "--format",
        choices=("jsonl", "json", "csv"),
        default=None,
        help="output format (default: from -o's extension, else jsonl)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    p.add_argument(
        "--concurrency",
        type=_positive_int,
        default=6,
        metavar="N",
        help="pages in flight at once (default 6)",
    )
    p.add_argument(
        "--page-size",
        type=_positive_int,
        default=100,
        metavar="N",
        help="courses per request (default 100)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    _add_connection_options(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("sandbox", help="run the sandbox server in the foreground")
    if argv is None or "sandbox" in argv:
        _add_sandbox(p)

    p = sub.add_parser("profile", help="list, show, save or delete saved profiles")
    psub = p.add_subparsers(title="actions", metavar="ACTION", parser_class=_Parser)
    p.set_defaults(func=cmd_profile_list)
    a = psub.add_parser("list", help="list saved profiles and presets")
    a.set_defaults(func=cmd_profile_list)
    a = psub.add_parser("show", help="show a profile (never its secret)")
    a.add_argument("name", nargs="?", metavar="NAME")
    a.set_defaults(func=cmd_profile_show)
    a = psub.add_parser(
        "save",
        help="save a profile; the secret goes to the system keyring or a 0600 file",
        description="Save or update a profile. Fields not given keep their saved value, "
        "else come from --preset (or the preset of the same name). The secret is read from "
        "--client-secret-file, or asked for when stdin is a terminal.",
    )
    a.add_argument("name", metavar="NAME")
    a.add_argument("--preset", choices=("edx.org", "openedx", "sandbox"))
    a.add_argument("--token-url", metavar="URL")
    a.add_argument("--api-url", metavar="URL")
    a.add_argument("--client-id", metavar="ID")
    a.add_argument("--client-secret-file", metavar="FILE", help="'-' reads stdin")
    a.add_argument("--no-secret", action="store_true", help="don't ask for a secret")
    a.add_argument(
        "--insecure",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="allow plain http to a host that is not loopback",
    )
    a.add_argument("--default", action="store_true", help="make it the default profile")
    a.set_defaults(func=cmd_profile_save)
    a = psub.add_parser("delete", help="delete a saved profile and its secret")
    a.add_argument("name", metavar="NAME")
    a.set_defaults(func=cmd_profile_delete)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_sandbox(parser: argparse.ArgumentParser) -> None:
    try:
        from edxtui.sandbox.cli import add_sandbox_arguments
    except ImportError:
        parser.set_defaults(func=_no_sandbox)
        return
    add_sandbox_arguments(parser)
    parser.set_defaults(func=cmd_sandbox)


def _no_sandbox(args: argparse.Namespace) -> int:
    raise UsageError("the sandbox is not available in this installation")


def cmd_sandbox(args: argparse.Namespace) -> int:
    from edxtui.sandbox.cli import run_sandbox_command

    return run_sandbox_command(args)


# ---------------------------------------------------------------------------------------
# Shared plumbing for the network commands


def _resolve(args: argparse.Namespace):
    from edxtui import config

    profile, credentials = config.resolve(
        args.profile or args.tui_profile,  # `edxtui --profile X token` works too
        token_url=args.token_url,
        api_url=args.api_url,
        client_id=args.client_id,
        client_secret_file=args.client_secret_file,
        warn=lambda line: _err(f"warning: {line}"),
    )
    _secrets.values.add(credentials.client_secret)
    return profile, credentials


def _summary(exchange: Any) -> str:
    status = exchange.status if exchange.status is not None else (exchange.error or "no response")
    retry = f" (attempt {exchange.attempt})" if exchange.attempt > 1 else ""
    return (
        f"{exchange.method} {exchange.url} -> {status} "
        f"{exchange.elapsed * 1000:.0f} ms {exchange.size} B{retry}"
    )


def _with_session(args: argparse.Namespace, body: Callable[[Any], Coroutine[Any, Any, int]]) -> int:
    """Resolve credentials, open the one session, run `body(session)` and close it."""
    import asyncio  # here, not at the top: `edxtui --sandbox` starts its child before it

    _, credentials = _resolve(args)
    from edxtui.api.session import Session

    async def run() -> int:
        session = Session(credentials)
        _secrets.sources.append(lambda: session.tokens.current_token)
        if args.verbose:
            session.log.subscribe(lambda exchange: _err(_summary(exchange)))
        async with session:
            return await body(session)

    return asyncio.run(run())


def _stdout_bytes(data: bytes) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8", errors="replace"))
    else:
        buffer.write(data)
        buffer.flush()


def _terminal_text(text: str) -> str:
    """Text for a terminal: line ends kept, a lone carriage return (which would let later
    text overwrite earlier text) and every other control character shown as an escape."""
    return json_escaped(text.replace("\r\n", "\n").replace("\r", "\\r"))


class _TerminalWriter:
    """stdout for an export shown on a terminal: the data, minus its power over the terminal."""

    def write(self, text: str) -> int:
        return sys.stdout.write(_terminal_text(text))

    def flush(self) -> None:
        sys.stdout.flush()


def pretty_json(data: Any) -> str:
    """Indented JSON, UTF-8 kept, yet safe on a terminal and still valid JSON.

    The unsafe characters json.dumps leaves raw are written as \\uXXXX escapes by
    textsafe.json_escaped, the helper the body viewer's paths use too.
    """
    return json_escaped(json.dumps(data, indent=2, ensure_ascii=False))


# ---------------------------------------------------------------------------------------
# Commands


def cmd_token(args: argparse.Namespace) -> int:
    async def body(session: Any) -> int:
        token = await session.tokens.get_token()
        print(f"JWT {token}" if args.header else token, flush=True)
        return EXIT_OK

    return _with_session(args, body)


def _parse_params(items: list[str]) -> list[tuple[str, str]]:
    params = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param wants KEY=VALUE, got {item!r}", "e.g. --param limit=50")
        params.append((key, value))
    return params


def cmd_get(args: argparse.Namespace) -> int:
    params = _parse_params(args.param)
    if args.include and args.all_pages:
        raise UsageError("-i shows one response's headers; it cannot go with --all-pages")
    from edxtui.api.errors import OriginError

    async def body(session: Any) -> int:
        try:
            session.resolve(args.path)
        except OriginError as err:
            raise UsageError(err.message, err.hint) from None
        if args.all_pages:
            return await _get_all_pages(session, args, params)
        response = await session.get(args.path, params=params or None)
        exchange = session.exchange_for(response)  # as logged: secrets and echoed token out
        if args.include:
            _print_head(exchange)
        _print_body(exchange.body, exchange.content_type, args)
        return EXIT_OK

    return _with_session(args, body)


def _print_head(exchange: Any) -> None:
    """The status line and the response headers, as the exchange log holds them (redacted)."""
    lines = [f"{exchange.http_version} {exchange.status} {exchange.reason}".rstrip()]
    lines += [f"{name}: {value}" for name, value in exchange.response_headers]
    text = "\r\n".join(visible(line) for line in lines) + "\r\n\r\n"
    sys.stdout.write(text if not sys.stdout.isatty() else text.replace("\r\n", "\n"))
    sys.stdout.flush()


def _print_body(content: bytes, content_type: str, args: argparse.Namespace) -> None:
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
        print(_terminal_text(text), flush=True)
        return
    _stdout_bytes(content)


async def _get_all_pages(session: Any, args: argparse.Namespace, params: list) -> int:
    from edxtui.api import catalog

    count: int | None = None
    results: list[Any] = []
    try:
        async for page in catalog.iter_pages(session, args.path, params or None):
            count = page.count if count is None else count
            results.extend(page.results)
    except catalog.NotAListError:
        # JSON that is not a list envelope: the person asked --all-pages of a single
        # resource (exit 2); a body that is not JSON at all stays the server's fault (exit 1)
        if count is not None:
            raise
        raise UsageError(
            "--all-pages: this is a single resource, not a list of results",
            "drop --all-pages for a single resource",
        ) from None
    if count is not None and count != len(results):
        _err(f"warning: the server counted {count} results but served {len(results)}")
    tty = sys.stdout.isatty()
    if args.raw or not (args.pretty or tty):
        text = json.dumps(results, ensure_ascii=False, separators=(",", ":"))
        text = json_escaped(text) if tty else text
    else:
        text = pretty_json(results)
    print(_secrets.scrub(text), flush=True)  # a token echoed into the results, as in `get`
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from edxtui.api.export import export_catalog

    output = Path(args.output) if args.output and args.output != "-" else None
    fmt = args.format
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in ("jsonl", "json", "csv") else "jsonl"
    if output is not None:
        if output.is_dir():
            raise UsageError(f"{output} is a folder", "give a file name with -o")
        if not output.parent.is_dir():
            raise UsageError(f"the folder {output.parent} does not exist", "create it first")
        if not os.access(output.parent, os.W_OK):
            raise UsageError(f"cannot write to the folder {output.parent}")

    show = sys.stderr.isatty() and not args.no_progress
    bar = None
    if show:
        from edxtui.export_progress import ExportProgress

        bar = ExportProgress(f"catalog {visible(args.catalog_id)}")

    async def body(session: Any) -> int:
        try:
            result = await export_catalog(
                session,
                args.catalog_id,
                output,
                fmt=fmt,
                page_size=args.page_size,
                concurrency=args.concurrency,
                progress=bar.update if bar else None,
                stdout=_TerminalWriter() if sys.stdout.isatty() else sys.stdout,
            )
        finally:
            if bar:
                bar.close()
        if output is not None:
            _err(f"wrote {result.count} courses to {output} ({fmt})")
        return EXIT_OK

    return _with_session(args, body)


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
            warn = lambda line: _err(f"warning: {line}")  # noqa: E731
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


def cmd_profile_list(args: argparse.Namespace) -> int:
    from edxtui import config

    cfg = config.load_config()
    for warning in cfg.warnings:
        _err(f"warning: {warning}")
    for name, profile in cfg.profiles.items():
        mark = "*" if name == cfg.default else " "
        print(f"{mark} {visible(name)}\t{visible(profile.api_root)}")
    for name, preset in config.presets().items():
        if name not in cfg.profiles:
            print(f"  {name}\t(preset: {preset.description})")
    return EXIT_OK


def cmd_profile_show(args: argparse.Namespace) -> int:
    from edxtui import config

    cfg = config.load_config()
    name = args.name or cfg.default
    if name is None:
        raise config.ConfigError("no default profile", "name one: edxtui profile show NAME")
    if name in cfg.profiles:
        profile = cfg.profiles[name]
        _, where = config.stored_secret(name, cfg)
        secret = {"file": f"in {cfg.path}", "keyring": "in the system keyring"}.get(where, "none")
        origin = "saved" + (", default" if name == cfg.default else "")
    elif name in config.presets():
        preset = config.presets()[name]
        profile = preset.profile
        secret = "built in" if preset.client_secret else "none"
        origin = f"preset: {preset.description}"
    else:
        raise config.ConfigError(f"unknown profile {name!r}", config.known_profiles_hint(cfg))
    for key, value in (
        ("name", profile.name),
        ("origin", origin),
        ("token_url", profile.token_url),
        ("api_root", profile.api_root),
        ("client_id", profile.client_id),
        ("insecure", str(profile.insecure).lower()),
        ("secret", secret),
    ):
        print(f"{key:10} {visible(value)}")
    return EXIT_OK


def cmd_profile_save(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from edxtui import config

    cfg = config.load_config()
    config.check_name(args.name)
    presets = config.presets()
    if args.preset:
        base = replace(presets[args.preset].profile, name=args.name)
    elif args.name in cfg.profiles:
        base = cfg.profiles[args.name]
    elif args.name in presets:
        base = presets[args.name].profile
    else:
        base = config.Profile(args.name, "", "", "")
    profile = replace(
        base,
        token_url=args.token_url or base.token_url,
        api_root=args.api_url or base.api_root,
        client_id=args.client_id if args.client_id is not None else base.client_id,
        insecure=base.insecure if args.insecure is None else args.insecure,
    )
    for what, value, flag in (
        ("token URL", profile.token_url, "--token-url"),
        ("API root", profile.api_root, "--api-url"),
        ("client id", profile.client_id, "--client-id"),
    ):
        if not value:
            raise config.ConfigError(f"profile {args.name} needs a {what}", f"pass {flag}")

    secret: str | None = None
    if args.client_secret_file:
        secret = config.read_secret_file(args.client_secret_file)
    elif (builtin := presets.get(args.preset or args.name)) and builtin.client_secret:
        secret = builtin.client_secret  # the sandbox's published demo secret
    elif not args.no_secret and sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"client secret for {args.name} (empty: keep the saved one): ")
        secret = secret or None
    if secret:
        _secrets.values.add(secret)
    result = config.save_profile(profile, secret, make_default=args.default or None, config=cfg)
    print(f"profile {args.name} saved in {result.path}")
    if result.storage != "none":
        print(result.message)
    elif config.stored_secret(args.name, cfg)[0] is None and args.name not in presets:
        _err("note: no client secret saved; use --client-secret-file or EDXTUI_CLIENT_SECRET")
    return EXIT_OK


def cmd_profile_delete(args: argparse.Namespace) -> int:
    from edxtui import config

    config.delete_profile(args.name)
    print(f"profile {args.name} deleted (and its secret)")
    return EXIT_OK


# ---------------------------------------------------------------------------------------
# Entry point


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (never raises, never prints a traceback)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if any(a == "--client-secret" or a.startswith("--client-secret=") for a in argv):
        _err("\n".join(_SECRET_FLAG_HINT))
        return EXIT_USAGE
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, usage errors
        code = exit_.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_USAGE)
    try:
        return int(args.func(args) or 0)
    except EdxError as err:
        _err(str(err))
        return err.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
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

            sys.stderr.write(_secrets.scrub(traceback.format_exc()))
        first = str(exc).splitlines()[0] if str(exc) else ""
        detail = f": {first[:200]}" if first else ""
        _err(
            f"internal error: {type(exc).__name__}{detail}; "
            "rerun with EDXTUI_DEBUG=1 for a traceback"
        )
        return EXIT_ERROR
    finally:
        # Forget this run's secrets (and the sessions holding tokens) once it is reported.
        _secrets.values.clear()
        _secrets.sources.clear()
