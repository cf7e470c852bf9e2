"""The workflow's path templates, as the pipeline layer and the rules name them.

They are stated once, in the leaf module :mod:`advgen.paths` (which the library imports
without importing the pipeline); this module re-exports them for ``advgen.pipeline.paths``.
"""

from advgen.paths import *  # noqa: F403
from advgen.paths import benchmark, fill, log  # noqa: F401
