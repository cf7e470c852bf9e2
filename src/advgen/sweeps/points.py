"""One grid point of the inversion, interpolation and inpainting sweeps.

Each ``run_*`` function runs one point (its typed spec, :mod:`advgen.sweeps.spec`) on the
models and images its job loaded (:class:`~advgen.sweeps.jobs.SweepJob`): the experiment
(:mod:`~advgen.sweeps.inversion`, :mod:`~advgen.sweeps.interpolation`,
:mod:`~advgen.sweeps.inpainting`), returning its tables (one row per image or pair, ID
columns first: :func:`~advgen.sweeps.tables.point_frame`) with what its figure panel needs.
:mod:`advgen.sweeps.generator_job` seeds the point and shapes what its command writes. The
``*_tables`` functions turn tensors into the output tables; they are pure.
"""

from __future__ import annotations

from advgen.sweeps.inpainting_point import InpaintingRun as InpaintingRun
from advgen.sweeps.inpainting_point import inpainting_table as inpainting_table
from advgen.sweeps.inpainting_point import run_inpainting as run_inpainting
from advgen.sweeps.interpolation_point import InterpolationRun as InterpolationRun
from advgen.sweeps.interpolation_point import interpolation_tables as interpolation_tables
from advgen.sweeps.interpolation_point import run_interpolation as run_interpolation
from advgen.sweeps.inversion_point import INDEPENDENT_SEED_OFFSET as INDEPENDENT_SEED_OFFSET
from advgen.sweeps.inversion_point import OTHER_SEED_OFFSET as OTHER_SEED_OFFSET
from advgen.sweeps.inversion_point import InversionRun as InversionRun
from advgen.sweeps.inversion_point import OtherDigits as OtherDigits
from advgen.sweeps.inversion_point import inversion_tables as inversion_tables
from advgen.sweeps.inversion_point import other_digits as other_digits
from advgen.sweeps.inversion_point import run_inversion as run_inversion
