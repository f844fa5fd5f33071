"""``python -m rcgan``: the command line (see :mod:`rcgan.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
