"""The errors a person can meet, each with what happened and what to do next.

Every error edxtui raises on purpose is an `EdxError`. Its `message` says what happened
and its `hint` says what to do; `str(err)` joins them in at most two lines. Messages
never contain a secret or a token: they are shown on screen, printed by the CLI and
kept in the exchange log.
"""

from __future__ import annotations


class EdxError(Exception):
    """Base class: a failure with a one-line message and a one-line hint."""

    #: exit code for the CLI: 1 for HTTP and auth errors, 2 for usage and configuration
    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class ConfigError(EdxError):
    """A profile, flag or environment variable is missing or wrong."""

    exit_code = 2


class TransportError(EdxError):
    """The request did not get an HTTP response: DNS, refused, TLS, timeout, dropped."""


class AuthError(EdxError):
    """The token endpoint refused or returned something unusable.

    `permanent` errors (invalid_client, unsupported_grant_type, ...) are never retried:
    they need a person to fix the client id, secret or token URL.
    """

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        oauth_error: str | None = None,
        status: int | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(message, hint)
        self.oauth_error = oauth_error
        self.status = status
        self.permanent = permanent


class ApiError(EdxError):
    """The API answered with an HTTP error status (after retries and the 401 refresh)."""

    def __init__(
        self, message: str, hint: str = "", *, status: int, url: str, detail: str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.url = url
        self.detail = detail


class ResponseFormatError(EdxError):
    """The server answered 2xx but the body is not what the contract says (not JSON, cut short)."""


class OriginError(EdxError):
    """A link (pagination `next`, a URL argument) points to another origin than the API root.

    The token is only ever sent to the API root's origin.
    """
