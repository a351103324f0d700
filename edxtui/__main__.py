"""`python -m edxtui` is the same as the `edxtui` console script."""

import sys

from edxtui.cli import main

if __name__ == "__main__":
    sys.exit(main())
