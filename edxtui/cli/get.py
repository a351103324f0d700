"""`edxtui token` (a fresh access token) and `edxtui get` (one request, or every page)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from edxtui.cli import secrets
from edxtui.cli.connection import add_connection_options, with_session
from edxtui.cli.exits import EXIT_OK, UsageError
from edxtui.cli.output import err, pretty_json, print_body, print_head
from edxtui.textsafe import json_escaped

if TYPE_CHECKING:
    from edxtui.api.session import Params, Session


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("token", help="print a fresh access token (nothing else)")
    p.add_argument("--header", action="store_true", help="print 'JWT <token>' for a header")
    add_connection_options(p)
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
    add_connection_options(p)
    p.set_defaults(func=cmd_get)


def cmd_token(args: argparse.Namespace) -> int:
    async def body(session: Session) -> int:
        token = await session.tokens.get_token()
        print(f"JWT {token}" if args.header else token, flush=True)
        return EXIT_OK

    return with_session(args, body)


def _parse_params(items: list[str]) -> list[tuple[str, str]]:
    """KEY=VALUE pairs. A value is never echoed in a message (it may be a key or a name):
    not in a usage error, not in a URL an error or `-v` shows."""
    params = []
    for n, item in enumerate(items, 1):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(
                f"--param wants KEY=VALUE; parameter {n} is not (what was typed is not shown)",
                "e.g. --param limit=50",
            )
        secrets.hide_in_messages(value)
        params.append((key, value))
    return params


def cmd_get(args: argparse.Namespace) -> int:
    params = _parse_params(args.param)
    if args.include and args.all_pages:
        raise UsageError("-i shows one response's headers; it cannot go with --all-pages")
    from edxtui.api.errors import OriginError

    async def body(session: Session) -> int:
        try:
            session.resolve(args.path)
        except OriginError as error:
            raise UsageError(error.message, error.hint) from None
        if args.all_pages:
            return await _get_all_pages(session, args, params or None)
        response = await session.get(args.path, params=params or None)
        exchange = session.exchange_for(response)  # as logged: secrets and echoed token out
        assert exchange is not None  # the session logs every response it returns
        if args.include:
            print_head(exchange)
        print_body(exchange.body, exchange.content_type, args)
        return EXIT_OK

    return with_session(args, body)


async def _get_all_pages(session: Session, args: argparse.Namespace, params: Params | None) -> int:
    from edxtui.api import catalog

    count: int | None = None
    results: list[Any] = []
    try:
        async for page in catalog.iter_pages(session, args.path, params):
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
        err(f"warning: the server counted {count} results but served {len(results)}")
    tty = sys.stdout.isatty()
    if args.raw or not (args.pretty or tty):
        text = json.dumps(results, ensure_ascii=False, separators=(",", ":"))
        text = json_escaped(text) if tty else text
    else:
        text = pretty_json(results)
    print(secrets.scrub(text), flush=True)  # a token echoed into the results, as in `get`
    return EXIT_OK
