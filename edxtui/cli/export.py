"""`edxtui export`: every course of a catalog to a file or stdout."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edxtui.cli.connection import add_connection_options, with_session
from edxtui.cli.exits import EXIT_OK, UsageError
from edxtui.cli.output import TerminalWriter, err
from edxtui.cli.parser import positive_int
from edxtui.textsafe import visible

if TYPE_CHECKING:
    from edxtui.api.session import Session


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="write every course of a catalog to a file (jsonl, json or csv)",
        description="Fetch every course of a catalog with bounded concurrency and write each "
        "exactly once. A file is replaced atomically (a failure leaves no partial file, or the "
        "old one intact); a symlink's target is replaced; a FIFO or device is written in place.",
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
        type=positive_int,
        default=6,
        metavar="N",
        help="pages in flight at once (default 6)",
    )
    p.add_argument(
        "--page-size",
        type=positive_int,
        default=100,
        metavar="N",
        help="courses per request (default 100)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_connection_options(p)
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from edxtui.api.export import export_catalog

    output = Path(args.output) if args.output and args.output != "-" else None
    fmt = args.format
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in ("jsonl", "json", "csv") else "jsonl"
    if output is not None:
        # Checked before any request; a symlink is followed (its target's folder is where
        # the file is replaced), and a FIFO or device is written in place, in no folder.
        real = Path(os.path.realpath(output))
        if real.is_dir():
            raise UsageError(f"{output} is a folder", "give a file name with -o")
        if not (real.is_fifo() or real.is_char_device()):
            if not real.parent.is_dir():
                raise UsageError(
                    f"the folder {real.parent} does not exist; nothing was changed",
                    "create it first",
                )
            if not os.access(real.parent, os.W_OK):
                raise UsageError(
                    f"cannot write to the folder {real.parent}; nothing was changed",
                    "pick a folder you can write to",
                )

    show = sys.stderr.isatty() and not args.no_progress
    bar = None
    if show:
        from edxtui.export_progress import ExportProgress

        bar = ExportProgress(f"catalog {visible(args.catalog_id)}")

    async def body(session: Session) -> int:
        try:
            result = await export_catalog(
                session,
                args.catalog_id,
                output,
                fmt=fmt,
                page_size=args.page_size,
                concurrency=args.concurrency,
                progress=bar.update if bar else None,
                stdout=TerminalWriter() if sys.stdout.isatty() else sys.stdout,
            )
        finally:
            if bar:
                bar.close()
        if output is not None:
            err(f"wrote {result.count} courses to {output} ({fmt})")
        return EXIT_OK

    return with_session(args, body)
