"""The network commands' shared plumbing: their connection flags, resolving them to
credentials, and running a command's body inside the one Session."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from edxtui.cli import exits, secrets
from edxtui.cli.output import err

if TYPE_CHECKING:  # imported inside the commands: config, httpx (start-up time)
    from edxtui.api.credentials import Credentials
    from edxtui.api.exchange import Exchange
    from edxtui.api.session import Session
    from edxtui.config import Profile


def add_connection_options(parser: argparse.ArgumentParser) -> None:
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
    limits = parser.add_argument_group("bounds (flags > EDXTUI_* environment > default)")
    limits.add_argument(
        "--timeout",
        metavar="S",
        help="overall deadline of each request in seconds, token request included "
        "(default 120; EDXTUI_TIMEOUT)",
    )
    limits.add_argument(
        "--max-body-mb",
        metavar="N",
        help="largest response body in MiB, counted after decompression "
        "(default 256; EDXTUI_MAX_BODY_MB)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print one line per HTTP exchange to stderr (tokens never shown)",
    )


def resolve(args: argparse.Namespace) -> tuple[Profile, Credentials]:
    from edxtui import config

    profile, credentials = config.resolve(
        args.profile or args.tui_profile,  # `edxtui --profile X token` works too
        token_url=args.token_url,
        api_url=args.api_url,
        client_id=args.client_id,
        client_secret_file=args.client_secret_file,
        warn=lambda line: err(f"warning: {line}"),
    )
    secrets.values.add(credentials.client_secret)
    return profile, credentials


def summary(exchange: Exchange) -> str:
    status = exchange.status if exchange.status is not None else (exchange.error or "no response")
    retry = f" (attempt {exchange.attempt})" if exchange.attempt > 1 else ""
    return (
        f"{exchange.method} {exchange.url} -> {status} "
        f"{exchange.elapsed * 1000:.0f} ms {exchange.size} B{retry}"
    )


def with_session(
    args: argparse.Namespace, body: Callable[[Session], Coroutine[Any, Any, int]]
) -> int:
    """Resolve credentials, open the one session, run `body(session)` and close it."""
    import asyncio  # here, not at the top: `edxtui --sandbox` starts its child before it

    from edxtui.api.bounds import bounds_from

    bounds = bounds_from(args.timeout, args.max_body_mb)  # a usage error before anything else
    _, credentials = resolve(args)
    from edxtui.api.session import Session

    async def run() -> int:
        exits.unwind_task(asyncio.current_task())  # SIGTERM/SIGHUP cancel it, as Ctrl-C does
        session = Session(credentials, bounds=bounds)
        secrets.sources.append(lambda: session.tokens.current_token)
        if args.verbose:
            session.log.subscribe(lambda exchange: err(summary(exchange)))
        async with session:
            return await body(session)

    try:
        code = asyncio.run(run())
    except asyncio.CancelledError:
        exits.raise_if_signalled()
        raise
    finally:
        exits.unwind_task(None)
    exits.raise_if_signalled()
    return code
