"""The command line's exit codes, and the error for a command line that cannot work."""

from __future__ import annotations

from edxtui.api.errors import EdxError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(EdxError):
    """A command line that cannot work as given."""

    exit_code = EXIT_USAGE
