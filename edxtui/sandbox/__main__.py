"""`python -m edxtui.sandbox`: the same as `edxtui sandbox`, and the child of `edxtui --sandbox`."""

import sys

# The sandbox signs and checks HS256 tokens only, but PyJWT imports the cryptography package
# whenever it is installed (keyring brings it on Linux), to offer RSA and EC: a real share of
# this process's start-up (docs/performance.md). As the child of `edxtui --sandbox` that start-up runs beside the app's
# own, and where the two cores share a host core it slows the app's. So this process, which
# serves the sandbox and nothing else, goes without it; PyJWT then offers HMAC alone.
# (A None entry in sys.modules makes that import fail; typeshed types the values as modules.)
# Only `--https` needs it: to generate its certificates (tls.py).
if "--https" not in sys.argv[1:]:
    sys.modules.setdefault("cryptography", None)  # type: ignore[arg-type]

from edxtui.sandbox.cli import main  # noqa: E402  (after the line above, by design)

if __name__ == "__main__":
    sys.exit(main())
