"""`edxtui sandbox`: run the sandbox in the foreground and say how to talk to it.

The lead's edxtui/cli.py calls add_sandbox_arguments() on its `sandbox` sub-parser and
run_sandbox_command() with the parsed args; `python -m edxtui.sandbox` does the same on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import threading
from typing import Any

from edxtui.sandbox.config import CACHED_COURSES, SandboxConfig
from edxtui.sandbox.faults import RULES, SETTINGS, Faults, parse_cli_fault
from edxtui.sandbox.server import SandboxServer
from edxtui.sandbox.wire import DEFAULT_PORT, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 = any free port)",
    )
    parser.add_argument(
        "--expires-in",
        type=int,
        default=3600,
        metavar="S",
        help="token lifetime the token endpoint reports, in seconds; "
        "any integer, even <= 0 (default 3600)",
    )
    parser.add_argument(
        "--courses",
        type=int,
        default=300,
        metavar="N",
        help="courses in the regular catalogs (default 300)",
    )
    parser.add_argument(
        "--large-catalog-courses",
        type=int,
        default=10_000,
        metavar="N",
        help="courses in the large catalog (default 10000)",
    )
    parser.add_argument("--seed", type=int, default=0, help="data seed (default 0)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help="switch a fault on, e.g. errors=3:502, rate_limit=2:retry_after=5, "
        "drop=1, truncate=1:mode=json, not_json=1, token_throttle=always, "
        "api_latency=0.5, clock_skew=-300, expires_in_format=string "
        f"(settings: {', '.join(SETTINGS)}; counted: {', '.join(RULES)})",
    )
    parser.add_argument(
        "--rate",
        default=None,
        metavar="N/PERIOD",
        help="a per-user request budget as course-discovery's DRF throttle, e.g. 200/hour "
        "(same as --fault rate=200/hour)",
    )
    parser.add_argument(
        "--https",
        action="store_true",
        help="also serve https on a second port with a generated CA (needs `cryptography`); "
        "the banner names the CA's PEM file, for SSL_CERT_FILE",
    )
    parser.add_argument("--quiet", action="store_true", help="no line per request")
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="render the large catalog's courses (as many as --cache-courses) before serving, "
        "so benchmarks measure the client; the banner appears when done",
    )  # fmt: skip
    parser.add_argument(
        "--cache-courses",
        type=int,
        default=CACHED_COURSES,
        metavar="N",
        help=f"rendered courses kept for later pages (default {CACHED_COURSES:,}, ~9 KB each); "
        "raise it to serve a bigger large catalog warm",
    )  # fmt: skip
    # For `edxtui --sandbox` (edxtui/sandbox/process.py), not for people: serve on a socket
    # the parent bound, print no banner, and exit when the parent closes our stdin.
    parser.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--exit-with-stdin", action="store_true", help=argparse.SUPPRESS)


def _faults_from(args: argparse.Namespace) -> dict[str, Any]:
    faults: dict[str, Any] = {}
    for text in args.fault:
        faults.update(parse_cli_fault(text))
    if getattr(args, "rate", None):
        faults["rate"] = args.rate
    Faults(**faults)  # validate now: a bad flag is a message, not a traceback at first request
    return faults


def banner(server: SandboxServer) -> str:
    edx_token, edx_api = server.token_url("edx"), server.api_root("edx")
    return f"""\
edxtui sandbox: a fake edX Course Catalog API on {server.base_url} (loopback only)

  layout     token URL                                        API root
  edX.org    {edx_token:<48} {edx_api}
  Open edX   {server.token_url("openedx"):<48} {server.api_root("openedx")}

  client id      {SANDBOX_CLIENT_ID}
  client secret  {SANDBOX_CLIENT_SECRET}   (the sandbox's published demo credential)

Try it (the edX guide's steps):
  TOKEN=$(curl -s -X POST {edx_token} \\
    -d grant_type=client_credentials -d client_id={SANDBOX_CLIENT_ID} \\
    -d client_secret={SANDBOX_CLIENT_SECRET} -d token_type=jwt \\
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s -H "Authorization: JWT $TOKEN" {edx_api}catalogs/

Control: GET/POST {server.base_url}/_sandbox/faults, GET /_sandbox/counters, POST /_sandbox/reset
{_https_lines(server)}Ctrl-C stops it.
"""


def _https_lines(server: SandboxServer) -> str:
    if not server.config.https:
        return ""
    return (
        f"\nhttps (the same server behind TLS): {server.https_url}\n"
        f"  Open edX   {server.token_url(https=True)}   {server.api_root(https=True)}\n"
        f"  trust its CA: SSL_CERT_FILE={server.ca_file}\n\n"
    )


def run_sandbox_command(args: argparse.Namespace) -> int:
    try:
        config = SandboxConfig(
            seed=args.seed,
            courses=args.courses,
            large_catalog_courses=args.large_catalog_courses,
            cached_courses=args.cache_courses,
            expires_in=args.expires_in,
            faults=_faults_from(args),
            port=args.port,
            log_level="warning" if args.quiet else "info",
            https=getattr(args, "https", False),
        )
    except ValueError as exc:
        print(f"edxtui sandbox: {exc}. See `edxtui sandbox --help`.", file=sys.stderr)
        return 2
    server = SandboxServer(config)
    if args.fd is not None:
        return _serve_for_parent(server, args)
    try:
        server.bind()
    except OSError as exc:
        print(
            f"edxtui sandbox: cannot listen on 127.0.0.1:{args.port} ({exc.strerror or exc}).\n"
            "Pick another port with --port N (0 picks any free port).",
            file=sys.stderr,
        )
        return 1
    # Ctrl-C during prewarm or serving ends quietly (uvicorn has already shut down cleanly).
    with contextlib.suppress(KeyboardInterrupt):
        if getattr(args, "prewarm", False):
            server.prewarm()
        if server.config.https:
            server.start_https()
        _say(banner(server))
        server.serve_forever()
    server.stop()  # frees the port if we never got to serve
    _say("edxtui sandbox: stopped.")
    return 0


def _serve_for_parent(server: SandboxServer, args: argparse.Namespace) -> int:
    """Serve on the inherited socket until the parent closes our stdin (or Ctrl-C)."""
    server.adopt(socket.socket(fileno=args.fd))
    if args.exit_with_stdin:
        threading.Thread(target=_exit_on_stdin_eof, args=(server,), daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def _exit_on_stdin_eof(server: SandboxServer) -> None:
    with contextlib.suppress(OSError, ValueError):
        while sys.stdin.buffer.read(4096):
            pass
    server.request_exit()


def _say(text: str) -> None:
    """Print, surviving a closed stdout (`edxtui sandbox | head`): the server keeps serving."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m edxtui.sandbox",
        description="Run the edxtui sandbox: an edX Course Catalog API on 127.0.0.1.",
    )
    add_sandbox_arguments(parser)
    return run_sandbox_command(parser.parse_args(argv))
