"""``python -m advgen.registries``: check the registries' copies (``--write``: rewrite them)."""

import sys

from advgen.registries import main

sys.exit(main())
