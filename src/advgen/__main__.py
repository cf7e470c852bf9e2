"""``python -m advgen`` is the ``advgen`` command."""

import sys

from advgen.cli import main

sys.exit(main())
