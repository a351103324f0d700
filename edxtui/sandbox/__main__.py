"""`python -m edxtui.sandbox`: the same as `edxtui sandbox`."""

import sys

from edxtui.sandbox.cli import main

if __name__ == "__main__":
    sys.exit(main())
