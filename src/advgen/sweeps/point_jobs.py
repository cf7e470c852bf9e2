"""The generative sweeps' point jobs (each the ``run`` of its sweep's entry,
:data:`advgen.sweeps.registry.SWEEPS`): one grid point of one generator per job.

Every point job reads the same inputs (``generator``, ``classifier``, ``images``), takes its
point's typed spec (:mod:`advgen.sweeps.spec`), leases its device and seeds the point once its
models are loaded (:func:`advgen.sweeps.jobs.load_job`); it writes its tables and, while its
images are in memory, its figure:

- :func:`invert`: inversion from random restarts (batched restarts, best-restart gather);
  outputs ``final``, ``steps``, ``latents`` and ``figure``;
- :func:`inpaint`: inversion on the known pixels; outputs ``table`` and ``figure``;
- :func:`interpolate`: latent paths between pairs of held-out images; outputs ``paths``,
  ``frames`` and ``figure``;
- :func:`truncation`: samples with ``|z_j| <= psi``, scored; outputs ``table`` and ``samples``
  (the point's row of the truncation grid, uint8).

A sweep's aggregate is :func:`advgen.sweeps.summary.aggregate_sweep`'s.

torch and pandas are imported inside the functions: the job-kind table imports this module.
"""

from __future__ import annotations

from typing import Any

from advgen.jobfiles import Files
from advgen.sweeps.spec import InpaintingPoint, InterpolationPoint, InversionPoint, PointSpec, TruncationPoint


def _load(inputs: Files, spec: PointSpec, device: str) -> Any:
    from advgen.sweeps import jobs

    return jobs.load_job(
        spec, inputs.one("generator"), inputs.one("classifier"), inputs.one("images"), device
    )


def invert(inputs: Files, outputs: Files, spec: InversionPoint) -> None:
    from advgen.checkpoints import save_torch
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.sweeps import figures, generator_job

    with start_job(spec, seed=False) as device:  # the point seeds itself once its models are loaded
        run = generator_job.run_inversion(spec, _load(inputs, spec, device))
    figures.image_rows(run.panels, outputs.one("figure"))
    save_torch(run.latents, outputs.one("latents"))
    write_parquet(run.steps, outputs.one("steps"))
    write_parquet(run.final, outputs.one("final"))


def inpaint(inputs: Files, outputs: Files, spec: InpaintingPoint) -> None:
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.sweeps import figures, generator_job

    with start_job(spec, seed=False) as device:
        run = generator_job.run_inpainting(spec, _load(inputs, spec, device))
    figures.image_rows(run.panels, outputs.one("figure"))
    write_parquet(run.table, outputs.one("table"))


def interpolate(inputs: Files, outputs: Files, spec: InterpolationPoint) -> None:
    from advgen.io import write_parquet
    from advgen.jobs import start_job
    from advgen.sweeps import figures, generator_job

    with start_job(spec, seed=False) as device:
        run = generator_job.run_interpolation(spec, _load(inputs, spec, device))
    figures.interpolation_strips(run.panels, outputs.one("figure"))
    write_parquet(run.frames, outputs.one("frames"))
    write_parquet(run.paths, outputs.one("paths"))


def truncation(inputs: Files, outputs: Files, spec: TruncationPoint) -> None:
    from advgen.io import write_npz, write_parquet
    from advgen.jobs import start_job
    from advgen.sweeps import generator_job

    with start_job(spec, seed=False) as device:
        run = generator_job.run_truncation(spec, _load(inputs, spec, device))
    write_npz(outputs.one("samples"), **run.samples)
    write_parquet(run.table, outputs.one("table"))
