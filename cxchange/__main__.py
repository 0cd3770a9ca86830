"""Entry point for python -m cxchange."""

import sys

from cxchange.cli import main

sys.exit(main())
