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
