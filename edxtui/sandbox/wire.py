"""How a client reaches the sandbox: its published demo credentials, its default port and
each layout's token and API paths.

Plain constants, apart from config.py's settings and clients (dataclasses, which cost about
a millisecond each to define): `edxtui --sandbox` reads these in the app's own process,
before Textual is imported, where each millisecond is on the launch's path.
"""

from __future__ import annotations

# The sandbox's own credentials: not secrets (they open a loopback toy), published in the docs.
SANDBOX_CLIENT_ID = "edxtui-sandbox"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 (documented demo credential)

#: `edxtui sandbox`'s port, and the one the config's sandbox preset points at
DEFAULT_PORT = 8765

LAYOUTS = ("edx", "openedx")
TOKEN_PATHS = {"edx": "/oauth2/v1/access_token", "openedx": "/oauth2/access_token"}
API_ROOTS = {"edx": "/catalog/v1/", "openedx": "/api/v1/"}
